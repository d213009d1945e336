/**
 * Before a run's first call: can the endpoint serve the model? Fails in
 * seconds with the URL and the cause instead of spending a run on errors.
 *
 *   GET <base>/models ─ the model is listed ────────────────────────> ok
 *          │ (route absent, model not listed: some servers list none)
 *          └─> POST <base>/chat/completions, max_tokens 1 ─ 2xx ────> ok
 *
 * A request whose connection was reset is asked once more (a kept-alive
 * connection that the server closed as it was reused). Then connection
 * refused or reset, DNS failure, 401/403, 404 (unknown model or route)
 * or another 4xx on the chat request throw `EndpointError` (with several
 * replicas: when none of them can serve; a replica that cannot is a
 * warning, the run's retries move on to the next one); a 5xx, 408,
 * 409, 429 or no answer in time is inconclusive (the run's retries deal with
 * passing trouble) and comes back as a warning.
 */
import { EndpointError } from "../errors.ts";
import { httpFetch } from "./http-fetch.ts";

export interface PreflightOptions {
  /** Sent as the API's `model`. */
  model: string;
  endpoints: { baseURL: string; apiKey: string }[];
  /** Per request (default 10 s). */
  timeoutS?: number;
  fetch?: typeof fetch;
}

/** The errno code of a network error (`fetch` puts it on the error's cause). */
function errorCode(err: unknown): string | undefined {
  const e = (err as { cause?: unknown })?.cause ?? err;
  return (e as NodeJS.ErrnoException)?.code;
}

/** "connection refused (ECONNREFUSED)" from a network error. */
function networkCause(err: unknown): string {
  const e = (err as { cause?: unknown })?.cause ?? err;
  const code = errorCode(err);
  if (code === "ECONNREFUSED") return "connection refused (ECONNREFUSED)";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `DNS: host not found (${code})`;
  if (code === "ECONNRESET") return "connection reset (ECONNRESET)";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `host unreachable (${code})`;
  if (code === "ERR_INVALID_URL") return "invalid URL";
  return e instanceof Error ? `${e.message}${code ? ` (${code})` : ""}` : String(e);
}

const isTimeout = (err: unknown): boolean =>
  err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");

/** The server's error message from a JSON error body, else the body's start. */
function serverMessage(body: string): string {
  try {
    const j = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      message?: unknown;
      detail?: unknown;
    };
    const m =
      typeof j.error === "string"
        ? j.error
        : (j.error?.message ?? j.message ?? (j.detail as string | undefined));
    if (typeof m === "string" && m !== "") return m.slice(0, 200);
  } catch {
    // not JSON
  }
  return body.slice(0, 200).replace(/\s+/g, " ").trim();
}

function refused(url: string, status: number, body: string): EndpointError {
  const msg = serverMessage(body);
  const what =
    status === 401 || status === 403
      ? "the API key was refused"
      : status === 404
        ? "unknown model or no such route"
        : "the request was refused";
  return new EndpointError(`${url}: HTTP ${status}, ${what}${msg ? ` (${msg})` : ""}`);
}

/**
 * Checks every endpoint. Resolves with warnings (inconclusive checks).
 * @throws EndpointError naming the URL and the cause.
 */
export async function preflight(o: PreflightOptions): Promise<string[]> {
  const f = o.fetch ?? (httpFetch as typeof fetch);
  const ms = (o.timeoutS ?? 10) * 1000;
  const warnings: string[] = [];
  const errors: EndpointError[] = [];
  for (const e of o.endpoints) {
    try {
      await checkOne(e);
    } catch (err) {
      if (!(err instanceof EndpointError)) throw err;
      errors.push(err);
    }
  }
  if (errors.length === o.endpoints.length && errors.length > 0) throw errors[0]!;
  for (const err of errors) warnings.push(`${err.message}; the other replicas serve the run`);
  return warnings;

  async function checkOne(e: { baseURL: string; apiKey: string }): Promise<void> {
    const base = e.baseURL.replace(/\/+$/, "");
    const headers = { authorization: `Bearer ${e.apiKey || "EMPTY"}`, "content-type": "application/json" };
    const ask = async (
      url: string,
      init: RequestInit,
      again = true,
    ): Promise<{ status: number; body: string } | null> => {
      try {
        const res = await f(url, { ...init, headers, signal: AbortSignal.timeout(ms) });
        return { status: res.status, body: await res.text() };
      } catch (err) {
        if (isTimeout(err)) {
          warnings.push(`${url}: no answer within ${ms / 1000} s; going on (the run's retries apply)`);
          return null;
        }
        // a kept-alive connection the server closed just as it was reused: once more, on a new one
        if (again && errorCode(err) === "ECONNRESET") return await ask(url, init, false);
        throw new EndpointError(`${url}: cannot connect: ${networkCause(err)}`);
      }
    };
    const models = await ask(`${base}/models`, { method: "GET" });
    if (models === null) return;
    if (models.status === 401 || models.status === 403)
      throw refused(`${base}/models`, models.status, models.body);
    if (models.status === 200 && listed(models.body, o.model)) return;
    const url = `${base}/chat/completions`;
    const chat = await ask(url, {
      method: "POST",
      body: JSON.stringify({
        model: o.model,
        messages: [{ role: "user", content: "Say OK." }],
        max_tokens: 1,
      }),
    });
    if (chat === null || (chat.status >= 200 && chat.status < 300)) return;
    const s = chat.status;
    if (s >= 500 || s === 408 || s === 409 || s === 429) {
      warnings.push(`${url}: HTTP ${s} on a 1-token request; going on (the run's retries apply)`);
      return;
    }
    throw refused(url, s, chat.body);
  }
}

/** Whether an OpenAI `GET /models` body lists `model`. */
function listed(body: string, model: string): boolean {
  try {
    const data = (JSON.parse(body) as { data?: unknown }).data;
    return Array.isArray(data) && data.some((m) => (m as { id?: unknown })?.id === model);
  } catch {
    return false;
  }
}
