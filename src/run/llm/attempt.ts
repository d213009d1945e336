/**
 * One try of one call to an OpenAI-compatible endpoint and the attempt
 * record it makes (DESIGN.md attempt shape): the request under its own
 * wall-clock limit, then what the answer or the failure was — `ok`,
 * `timeout`, or `error:<ErrorName>` (see client.ts for what is retried).
 */
import { APIError, type OpenAI } from "openai";
import type { ChatCompletion } from "openai/resources/chat/completions";
import type { Attempt } from "../../log/schema.ts";
import { usageProblem } from "../../log/usage.ts";
import type { CompletionRequest } from "../ports.ts";

/** Raised internally for a 200 answer with neither text nor usage; recorded as `error:EmptyChoicesError`. */
export class EmptyChoicesError extends Error {
  override name = "EmptyChoicesError";
}

/** Raised internally for an answer whose usage is not usable; recorded as `error:InvalidUsage`. */
export class InvalidUsageError extends Error {
  override name = "InvalidUsage";
}

function errorName(err: unknown): string {
  if (err instanceof Error) {
    const ctor = err.constructor?.name;
    return ctor && ctor !== "Error" ? ctor : err.name || "Error";
  }
  return "Error";
}

function errorText(err: unknown): string {
  if (err instanceof APIError && typeof err.status === "number") return `HTTP ${err.status}: ${err.message}`;
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * The length in characters of the reasoning text a server returns beside the
 * answer (`reasoning_content`, vLLM's and SGLang's reasoning parsers;
 * `reasoning`, some others), as `{reasoning_content_chars}`; nothing when
 * absent. Only its length is kept: it is never parsed for code.
 */
function reasoningLength(message: Record<string, unknown> | undefined): { reasoning_content_chars?: number } {
  const r = message?.reasoning_content ?? message?.reasoning;
  return typeof r === "string" ? { reasoning_content_chars: r.length } : {};
}

/** A try: its attempt record, the answer's text, and the error when it failed. */
export interface Try {
  rec: Attempt;
  content: string | null;
  err?: unknown;
}

/**
 * Sends `req` once to `endpoint` through `sdk`, under `req.timeoutS` (its own
 * timer, which covers the body too) and `req.signal`.
 * @throws the signal's reason when the call is cancelled (nothing is recorded).
 */
export async function tryOnce(
  sdk: OpenAI,
  model: string,
  endpoint: string,
  req: CompletionRequest,
  idx: number,
): Promise<Try> {
  const timeoutMs = Math.max(1, Math.ceil(req.timeoutS * 1000));
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort(new Error("attempt timed out"));
  }, timeoutMs);
  const onOuterAbort = (): void => ctl.abort(req.signal!.reason);
  req.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const t0 = performance.now();
  const base = { attempt_idx: idx };
  try {
    const res = await sdk.chat.completions.create(
      {
        model,
        messages: req.messages,
        seed: req.seed,
        max_tokens: req.maxTokens,
        temperature: req.temperature,
        top_p: req.topP,
      },
      // the SDK's own timer is a backstop; ours covers the body too
      { signal: ctl.signal, timeout: timeoutMs + 1000, maxRetries: 0 },
    );
    return answered(res, round6((performance.now() - t0) / 1000), base, endpoint);
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    const latency = round6((performance.now() - t0) / 1000);
    return failed(err, latency, timedOut, req.maxTokens, base, endpoint);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onOuterAbort);
  }
}

/** The record of a 200 answer: ok, or an error when its usage is unusable or it has neither text nor usage. */
function answered(
  res: ChatCompletion,
  latency: number,
  base: { attempt_idx: number },
  endpoint: string,
): Try {
  const usage = (res.usage ?? null) as Attempt["usage"];
  const bad = usageProblem(usage);
  if (bad !== null) {
    // the endpoint's token counts cannot be trusted: no FLOPs from them, the raw object kept
    const err = new InvalidUsageError(`invalid usage: ${bad}`);
    return {
      rec: {
        ...base,
        status: `error:${err.name}`,
        latency_s: latency,
        usage: null,
        raw_usage: usage as unknown,
        finish_reason: null,
        timed_out: false,
        error: err.message,
        endpoint,
      },
      content: null,
      err,
    };
  }
  const choice = Array.isArray(res.choices) ? res.choices[0] : undefined;
  const message = choice?.message as (Record<string, unknown> & { content?: unknown }) | undefined;
  const text = typeof message?.content === "string" ? message.content : null;
  const reasoning = reasoningLength(message);
  const paid = usage !== null && typeof usage === "object";
  if (text === null && !paid) {
    const err = new EmptyChoicesError(
      choice === undefined ? "the answer has no choices" : "the answer's message has no text content",
    );
    return {
      rec: {
        ...base,
        status: `error:${err.name}`,
        latency_s: latency,
        usage,
        finish_reason: choice?.finish_reason ?? null,
        timed_out: false,
        error: err.message,
        endpoint,
        ...reasoning,
      },
      content: null,
      err,
    };
  }
  // A 200 answer with a usage block was served and is paid for, even without text
  // (a reasoning model cut by max_tokens): ok, charged by its usage, not retried.
  return {
    rec: {
      ...base,
      status: "ok",
      latency_s: latency,
      usage,
      finish_reason: choice?.finish_reason ?? null,
      timed_out: false,
      endpoint,
      ...reasoning,
    },
    content: text,
  };
}

/** The record of a try that got no answer: timeout, or error with the SDK's error class. */
function failed(
  err: unknown,
  latency: number,
  timedOut: boolean,
  maxTokens: number,
  base: { attempt_idx: number },
  endpoint: string,
): Try {
  const isTimeout = timedOut || errorName(err) === "APIConnectionTimeoutError";
  if (isTimeout) {
    return {
      rec: {
        ...base,
        status: "timeout",
        latency_s: latency,
        usage: null,
        finish_reason: null,
        timed_out: true,
        estimated_output_tokens: maxTokens,
        endpoint,
      },
      content: null,
      err,
    };
  }
  return {
    rec: {
      ...base,
      status: `error:${errorName(err)}`,
      latency_s: latency,
      usage: null,
      finish_reason: null,
      timed_out: false,
      error: errorText(err),
      endpoint,
    },
    content: null,
    err,
  };
}
