/**
 * The mutator as a `ChatClient`: `--model mutator` runs in-process, with no
 * endpoint. Each call is one attempt recorded exactly like a real model's
 * (usage with prompt/completion tokens, finish_reason, latency), so result
 * files made with it have the same shape as LLM runs; its FLOPs are 0 because
 * the model spec's params_active is 0.
 *
 * Prefix caching is not modelled in-process (cached_tokens 0), which keeps
 * every recorded field except latencies independent of call order.
 */
import type { Attempt } from "../log/schema.ts";
import type { ChatClient, CompletionRequest, CompletionResult } from "../run/ports.ts";
import { MUTATOR_DEFAULTS, type MutatorParams, mutatorReply, promptTokens } from "./mutator.ts";

export class MutatorClient implements ChatClient {
  readonly params: MutatorParams;

  constructor(params: Partial<MutatorParams> = {}) {
    this.params = { ...MUTATOR_DEFAULTS, ...params };
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    req.signal?.throwIfAborted();
    const t0 = performance.now();
    const reply = mutatorReply(req.messages, req.seed, this.params);
    let content = reply.content;
    let completion = reply.completionTokens;
    let finish = "stop";
    if (completion > req.maxTokens) {
      // what a model does when it hits max_tokens: the answer is cut
      content = content.slice(0, req.maxTokens * 4);
      completion = req.maxTokens;
      finish = "length";
    }
    const prompt = promptTokens(req.messages);
    // yield once, as a network client would, so callers never depend on synchronous completion
    await new Promise<void>((resolve) => setImmediate(resolve));
    const attempt: Attempt = {
      attempt_idx: 0,
      status: "ok",
      latency_s: (performance.now() - t0) / 1000,
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: 0 },
      },
      finish_reason: finish,
      timed_out: false,
    };
    return { content, attempts: [attempt] };
  }
}
