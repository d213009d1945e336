/**
 * The OpenAI-compatible chat client (vLLM, SGLang, llama.cpp server,
 * OpenAI …) behind the `ChatClient` interface.
 *
 * One call = up to 1 + `retries` tries; every try becomes one attempt record
 * (DESIGN.md attempt shape, with the usage object exactly as the server
 * returned it), so the openai SDK's own retries are off. Statuses: `ok`,
 * `timeout` (the per-attempt wall-clock limit fired; `estimated_output_tokens`
 * = the max_tokens asked for), `error:<ErrorName>` (the SDK's error class, or
 * `EmptyChoicesError` for an answer with neither text nor usage). Any 200
 * answer with a usage block is `ok` and is not retried, even with empty or
 * null content (a reasoning model cut by max_tokens: the tokens were served
 * and are charged); a `finish_reason` "length" answer likewise: its truncated
 * text is the answer. Reasoning text returned in a separate field is recorded
 * as its length (`reasoning_content_chars`), never parsed for code. Between
 * tries: exponential backoff with jitter, or the server's Retry-After when it
 * sends one (429, 503).
 *
 * Several endpoints (the replicas of one cluster) share the load: each try
 * goes to the next endpoint in turn, so a retry lands on another replica.
 * Cancelling the call's `signal` (Ctrl-C) rejects with the abort reason and
 * records nothing: the call is not finished.
 */
import OpenAI, { APIError } from "openai";
import type { ModelSpec } from "../../log/models.ts";
import type { Attempt } from "../../log/schema.ts";
import { rng } from "../../util/rng.ts";
import { EndpointError } from "../errors.ts";
import type { ChatClient, CompletionRequest, CompletionResult } from "../ports.ts";
import { tryOnce } from "./attempt.ts";
import { httpFetch } from "./http-fetch.ts";
import { preflight } from "./preflight.ts";

export interface Endpoint {
  baseURL: string;
  apiKey: string;
}

export interface OpenAIClientOptions {
  /** Sent as the API's `model`. */
  model: string;
  endpoints: Endpoint[];
  /** Tries after the first (default 2). */
  retries?: number;
  /** First backoff in seconds (default 1); doubles each retry, with ±50% jitter. */
  backoffS?: number;
  /** Longest wait between tries in seconds, Retry-After included (default 120). */
  maxWaitS?: number;
  /** Injected for tests: waits `ms` or rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Seed of the jitter stream (default 0). */
  jitterSeed?: number;
  /**
   * `evoalloc` (default): `retries`, exponential backoff with jitter,
   * Retry-After honoured, no retry of a 4xx other than 408/409/429.
   * `reference`: as the reference implementation, every failure is retried
   * after a fixed 5 s, 3 tries in all (`retries`, `backoffS` and Retry-After
   * are ignored).
   */
  retryPolicy?: RetryPolicy;
  /** Custom fetch (default: `httpFetch`, node:http with keep-alive). */
  fetch?: typeof fetch;
}

/** Statuses that stop the run at once: the endpoint will not serve it (key refused, unknown model or route). */
const FATAL_STATUSES = new Set([401, 403, 404]);

export type RetryPolicy = "evoalloc" | "reference";

/** The reference implementation's retries: 3 tries, a fixed wait of 5 s, whatever the failure. */
export const REFERENCE_RETRY = Object.freeze({ tries: 3, waitS: 5 });

/** Statuses worth another try: timeouts, connection errors, 408/409/429, 5xx, garbled bodies. */
function retryable(err: unknown): boolean {
  if (err instanceof APIError && typeof err.status === "number") {
    return err.status === 408 || err.status === 409 || err.status === 429 || err.status >= 500;
  }
  return true;
}

/** The server's requested wait in ms (Retry-After seconds or HTTP date, or retry-after-ms), else null. */
export function retryAfterMs(err: unknown, nowMs: number = Date.now()): number | null {
  if (!(err instanceof APIError) || !err.headers) return null;
  const ms = err.headers.get("retry-after-ms");
  if (ms !== null && Number.isFinite(Number.parseFloat(ms))) return Math.max(0, Number.parseFloat(ms));
  const ra = err.headers.get("retry-after");
  if (ra === null) return null;
  const s = Number(ra.trim());
  if (ra.trim() !== "" && Number.isFinite(s)) return Math.max(0, s * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A `ChatClient` over one or more OpenAI-compatible endpoints.
 * @throws RangeError when `endpoints` is empty or `retries` is negative.
 */
export function createOpenAIClient(opts: OpenAIClientOptions): ChatClient {
  if (opts.endpoints.length === 0)
    throw new RangeError("createOpenAIClient: at least one endpoint is needed");
  const reference = opts.retryPolicy === "reference";
  const retries = reference ? REFERENCE_RETRY.tries - 1 : (opts.retries ?? 2);
  if (!Number.isInteger(retries) || retries < 0)
    throw new RangeError(`retries must be a non-negative integer, got ${retries}`);
  const backoffMs = (opts.backoffS ?? 1) * 1000;
  const maxWaitMs = (opts.maxWaitS ?? 120) * 1000;
  const sleep = opts.sleep ?? abortableSleep;
  const jitter = rng(opts.jitterSeed ?? 0, 0x6a17);
  const sdks = opts.endpoints.map(
    (e) =>
      new OpenAI({
        baseURL: e.baseURL,
        apiKey: e.apiKey || "EMPTY",
        maxRetries: 0,
        fetch: opts.fetch ?? (httpFetch as typeof fetch),
      }),
  );
  let turn = 0;

  return {
    preflight: () =>
      preflight({
        model: opts.model,
        endpoints: opts.endpoints,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      }),
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const attempts: Attempt[] = [];
      // calls take turns over the endpoints; a call's retries move on to the next ones
      const first = turn++ % sdks.length;
      for (let i = 0; ; i++) {
        if (req.signal?.aborted) throw req.signal.reason;
        const which = (first + i) % sdks.length;
        const { rec, content, err } = await tryOnce(
          sdks[which]!,
          opts.model,
          opts.endpoints[which]!.baseURL,
          req,
          i,
        );
        attempts.push(rec);
        if (err === undefined) return { content, attempts };
        // under the reference's policy every failure is retried, 401/403/404 included
        if (
          !reference &&
          err instanceof APIError &&
          typeof err.status === "number" &&
          FATAL_STATUSES.has(err.status)
        )
          throw new EndpointError(`${rec.endpoint}: ${rec.error ?? `HTTP ${err.status}`}; the run stops`);
        if (i >= retries || !(reference || retryable(err))) return { content: null, attempts };
        const wait = reference
          ? REFERENCE_RETRY.waitS * 1000
          : (retryAfterMs(err) ?? backoffMs * 2 ** i * (0.5 + jitter.next()));
        await sleep(Math.min(wait, maxWaitMs), req.signal);
      }
    },
  };
}

/** A model has no endpoint: no `--api-base`, neither of its variables set. */
export class NoEndpointError extends Error {
  override name = "NoEndpointError";
}

/**
 * Where a model's calls go: `--api-base` URLs, else the model's variable
 * (`api_base_env`, LLM_API_BASE for the built-in models), else
 * OPENAI_BASE_URL; the key: `api_key_env`, else OPENAI_API_KEY, else "EMPTY".
 * There is no default endpoint: a run never goes somewhere nobody asked for.
 * @throws NoEndpointError naming the flag and both variables.
 */
export function resolveEndpoints(
  model: ModelSpec,
  env: Record<string, string | undefined>,
  apiBases?: string[],
): Endpoint[] {
  const get = (k: string): string | undefined => (env[k] === "" ? undefined : env[k]);
  const apiKey = get(model.api_key_env) ?? get("OPENAI_API_KEY") ?? "EMPTY";
  const fromEnv = get(model.api_base_env) ?? get("OPENAI_BASE_URL");
  const bases = apiBases && apiBases.length > 0 ? apiBases : fromEnv !== undefined ? [fromEnv] : [];
  if (bases.length === 0)
    throw new NoEndpointError(
      `model "${model.key}" has no endpoint: pass --api-base URL, or set ${model.api_base_env}${model.api_base_env === "OPENAI_BASE_URL" ? "" : " or OPENAI_BASE_URL"}`,
    );
  return bases.map((baseURL) => ({ baseURL, apiKey }));
}
