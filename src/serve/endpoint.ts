/**
 * The dry-run endpoint's logic without the HTTP layer (http.ts): the mutator
 * answers every chat request, whatever model it names. A seeded answer is a
 * function of the seed, the whole conversation and the sampling parameters
 * (`answerDraw`), as a seeded model's: a retry that gets through returns what
 * the first try would have, and a new prompt under the same seed gets a new
 * answer. Without a seed, fresh randomness. Faults follow the seed and how
 * many times it was asked before (faults.ts). Usage is counted by
 * `options.tokens` (tokens.ts: Qwen3's tokenizer, or 4 characters a token);
 * cached prompt tokens by the prefix cache (prefix-cache.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { MUTATOR_DEFAULTS, type MutatorParams, mutatorReply } from "../mutator/mutator.ts";
import { version } from "../version.ts";
import { checkRates, drawFault, type Fault, type FaultRates, NO_FAULTS } from "./faults.ts";
import { PrefixCache } from "./prefix-cache.ts";
import { ApiError, type ChatRequest, parseChatRequest } from "./request.ts";
import { CHAR_TOKENS, type TokenCounter } from "./tokens.ts";

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  faults: FaultRates;
  /** Delay before every answer, errors included. */
  latencyMs: number;
  /** Retry-After of a 429, in seconds. */
  retryAfterS: number;
  mutator: MutatorParams;
  /** How tokens are counted (tokens.ts): the Qwen3 tokenizer or 4 characters per token. */
  tokens: TokenCounter;
  /** Why the Qwen3 tokenizer is not in use, when it was asked for by `auto` and did not load. */
  tokenizerNote?: string | null;
  /** Called once per finished chat request (for a request log). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export const SERVE_DEFAULTS: Readonly<ServeOptions> = Object.freeze({
  host: "127.0.0.1",
  port: 8000,
  faults: NO_FAULTS,
  latencyMs: 0,
  retryAfterS: 1,
  mutator: MUTATOR_DEFAULTS,
  tokens: CHAR_TOKENS,
});

/** One line of the request log (`--request-log`): a finished chat request. */
export interface RequestLogEntry {
  time: string;
  model: string;
  seed: number | null;
  /** How many times this seed was asked before. */
  count: number;
  fault: Fault["kind"];
  status: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_tokens?: number;
  finish_reason?: string;
  code_sha256?: string;
}

const CREATED = 1_700_000_000;

/** The request's seed folded to 32 bits, for the fault draws (faults.ts); null without a seed. */
function faultSeed(seed: number | null): number | null {
  if (seed === null) return null;
  if (seed >= 0 && seed < 2 ** 32) return seed;
  return createHash("sha256").update(`seed:${seed}`).digest().readUInt32BE(0);
}

/**
 * The 32-bit draw of an answer: with a seed, a hash of the seed, the whole
 * conversation and the sampling parameters — as a seeded model, which answers
 * a changed prompt differently even under a constant seed (OpenEvolve sends
 * one seed per run); without a seed, fresh randomness.
 */
export function answerDraw(req: Pick<ChatRequest, "seed" | "messages" | "sampling">): number {
  if (req.seed === null) return randomBytes(4).readUInt32BE(0);
  const key = JSON.stringify({
    seed: String(req.seed),
    messages: req.messages.map((m) => [m.role, m.content]),
    sampling: req.sampling,
  });
  return createHash("sha256").update(key).digest().readUInt32BE(0);
}

export interface Completion {
  status: number;
  headers: Record<string, string>;
  /** JSON body; null when the fault is a hang. */
  body: unknown;
  /** For a streamed answer: the SSE events, in order. */
  events?: unknown[];
}

/** What the mutator answered to one request: its choices and their usage. */
interface Answer {
  choices: {
    index: number;
    message: { role: string; content: string; refusal: null };
    logprobs: null;
    finish_reason: string;
  }[];
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    prompt_tokens_details: { cached_tokens: number };
    completion_tokens_details: { reasoning_tokens: number };
  };
  /** The first choice's mutated program's hash, and how it ended (for the request log). */
  firstSha: string | undefined;
  firstFinish: string;
}

/** The errors of the injected faults that answer at once: a 500, and a 429 (sent with Retry-After). */
const FAULT_ERRORS = {
  fail: () =>
    new ApiError(
      500,
      "The server had an error while processing your request (injected fault).",
      "server_error",
    ),
  rate_limit: () =>
    new ApiError(
      429,
      "Rate limit reached for requests (injected fault). Please try again later.",
      "requests",
      null,
      "rate_limit_exceeded",
    ),
} as const;

type LogRequest = (entry: Partial<RequestLogEntry> & { status: number }) => void;

/**
 * The endpoint's logic without the HTTP layer: state (per-seed counts, the
 * prefix cache) and one method per route.
 */
export class MutatorEndpoint {
  private readonly counts = new Map<number, number>();
  private readonly cache = new PrefixCache();
  readonly options: ServeOptions;

  constructor(options: Partial<ServeOptions> = {}) {
    this.options = { ...SERVE_DEFAULTS, ...options };
    checkRates(this.options.faults);
  }

  models(): unknown {
    return { object: "list", data: [this.model("mutator")] };
  }

  /** A model object; `tokenizer` says how `usage` is counted ("qwen3 (…)" or "chars/4"). */
  model(id: string): unknown {
    const note = this.options.tokenizerNote;
    return {
      id,
      object: "model",
      created: CREATED,
      owned_by: "evoalloc",
      tokenizer: this.options.tokens.name,
      ...(note ? { tokenizer_note: note } : {}),
    };
  }

  /**
   * Answers one chat request body (already JSON-parsed).
   * @throws ApiError for an invalid request.
   */
  chat(body: unknown): Completion {
    const req = parseChatRequest(body);
    const seed = answerDraw(req);
    // faults follow the request's own seed and how often it was asked (a seedless request: its draw)
    const faultKey = faultSeed(req.seed) ?? seed;
    const count = this.counts.get(faultKey) ?? 0;
    this.counts.set(faultKey, count + 1);
    const fault = drawFault(faultKey, count, this.options.faults);
    const log: LogRequest = (entry) =>
      this.options.onRequest?.({
        time: new Date().toISOString(),
        model: req.model,
        seed: req.seed,
        count,
        fault: fault.kind,
        ...entry,
      });
    if (fault.kind === "fail" || fault.kind === "rate_limit" || fault.kind === "timeout")
      return this.faulted(fault.kind, log);
    const { choices, usage, firstSha, firstFinish } = this.answer(req, seed, fault);
    log({
      status: 200,
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      cached_tokens: usage.prompt_tokens_details.cached_tokens,
      finish_reason: firstFinish,
      ...(firstSha ? { code_sha256: firstSha } : {}),
    });
    const head = {
      id: `chatcmpl-${seed.toString(16).padStart(8, "0")}-${count}`,
      created: Math.floor(Date.now() / 1000),
      model: req.model,
    };
    if (!req.stream) {
      return {
        status: 200,
        headers: {},
        body: {
          id: head.id,
          object: "chat.completion",
          created: head.created,
          model: head.model,
          system_fingerprint: FINGERPRINT,
          choices,
          usage,
        },
      };
    }
    return {
      status: 200,
      headers: {},
      body: null,
      events: streamEvents(head, choices, req.includeUsage ? usage : null),
    };
  }

  /** The answer to a request that drew a fault: a 500, a 429 with Retry-After, or a hang (status 0). */
  private faulted(kind: "fail" | "rate_limit" | "timeout", log: LogRequest): Completion {
    if (kind === "timeout") {
      log({ status: 0 });
      return { status: 0, headers: {}, body: null };
    }
    const e = FAULT_ERRORS[kind]();
    log({ status: e.status });
    const s = this.options.retryAfterS;
    const headers: Record<string, string> =
      kind === "rate_limit"
        ? { "retry-after": String(s), "retry-after-ms": String(Math.round(s * 1000)) }
        : {};
    return { status: e.status, headers, body: e.body() };
  }

  /** The mutator's `n` choices for a request (cut by a truncate fault or max_tokens), with their usage. */
  private answer(req: ChatRequest, seed: number, fault: Fault): Answer {
    const tok = this.options.tokens;
    const prompt = tok.promptTokens(req.messages);
    const { blocks, blockTokens } = tok.promptBlocks(req.messages);
    const cached = this.cache.lookupBlocks(blocks, blockTokens, prompt);
    let completionTotal = 0;
    const choices: Answer["choices"] = [];
    let firstSha: string | undefined;
    let firstFinish = "stop";
    for (let i = 0; i < req.n; i++) {
      const reply = mutatorReply(
        req.messages,
        i === 0 ? seed : (seed + Math.imul(i, 0x9e3779b9)) >>> 0,
        this.options.mutator,
      );
      let content = reply.content;
      let tokens = tok.completionTokens(content);
      let finish = "stop";
      if (fault.kind === "truncate") {
        // cut mid-answer: no end-of-turn token
        content = content.slice(0, Math.floor(content.length * fault.keep));
        tokens = tok.completionTokens(content) - 1;
        finish = "length";
      }
      if (req.maxTokens !== null && tokens > req.maxTokens) {
        content = tok.truncate(content, req.maxTokens);
        tokens = req.maxTokens;
        finish = "length";
      }
      if (i === 0) {
        firstSha = reply.mutation
          ? createHash("sha256").update(reply.mutation.code).digest("hex")
          : undefined;
        firstFinish = finish;
      }
      completionTotal += tokens;
      choices.push({
        index: i,
        message: { role: "assistant", content, refusal: null },
        logprobs: null,
        finish_reason: finish,
      });
    }
    const usage = {
      prompt_tokens: prompt,
      completion_tokens: completionTotal,
      total_tokens: prompt + completionTotal,
      prompt_tokens_details: { cached_tokens: cached },
      completion_tokens_details: { reasoning_tokens: 0 },
    };
    return { choices, usage, firstSha, firstFinish };
  }
}

const FINGERPRINT = `evoalloc-${version}`;

/**
 * A streamed answer as server-sent events: per choice, the role, the content
 * in four pieces and the finish reason; then the usage when asked for.
 */
function streamEvents(
  head: { id: string; created: number; model: string },
  choices: Answer["choices"],
  usage: Answer["usage"] | null,
): unknown[] {
  const { id, created, model } = head;
  const chunk = (delta: unknown, index: number, finish: string | null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: FINGERPRINT,
    choices: [{ index, delta, logprobs: null, finish_reason: finish }],
  });
  const events: unknown[] = [];
  for (const c of choices) {
    events.push(chunk({ role: "assistant", content: "" }, c.index, null));
    const text = c.message.content;
    const step = Math.max(1, Math.ceil(text.length / 4));
    for (let p = 0; p < text.length; p += step)
      events.push(chunk({ content: text.slice(p, p + step) }, c.index, null));
    events.push(chunk({}, c.index, c.finish_reason));
  }
  if (usage !== null)
    events.push({ id, object: "chat.completion.chunk", created, model, choices: [], usage });
  return events;
}
