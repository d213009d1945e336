/**
 * A minimal `fetch` over node:http/https with keep-alive agents, handed to
 * the openai SDK. Node's built-in fetch (undici with WHATWG streams) costs
 * about a third more CPU per call; on a small machine driving a large
 * cluster that overhead caps the runner's call rate.
 *
 * Supports what the SDK uses: method, headers, a string/bytes body, an
 * AbortSignal (aborting also cuts a response whose body never ends). The
 * response body is buffered whole (chat completions are small), then
 * wrapped in a standard `Response`.
 */
import http from "node:http";
import https from "node:https";

const agents = {
  "http:": new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000 }),
  "https:": new https.Agent({ keepAlive: true, keepAliveMsecs: 10_000 }),
};

function toHeaderRecord(h: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === undefined) return out;
  new Headers(h).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

function bodyBytes(body: RequestInit["body"]): string | Uint8Array | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError(`httpFetch: unsupported body type ${Object.prototype.toString.call(body)}`);
}

/** `fetch`-compatible request over node:http(s); rejects on network errors and aborts. */
export function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  const lib = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (lib === null) return Promise.reject(new TypeError(`httpFetch: unsupported protocol ${url.protocol}`));
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException("aborted", "AbortError"));
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const req = lib.request(
      url,
      {
        method: init.method ?? "GET",
        headers: toHeaderRecord(init.headers),
        agent: agents[url.protocol as "http:" | "https:"],
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", fail);
        res.on("close", () => {
          if (!res.complete)
            fail(signal?.aborted ? signal.reason : new Error("the connection closed mid-response"));
        });
        res.on("end", () => {
          if (settled) return;
          settled = true;
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
          }
          const status = res.statusCode ?? 0;
          // a Response cannot carry a body with these statuses
          const body = status === 204 || status === 205 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, statusText: res.statusMessage ?? "", headers }));
        });
      },
    );
    req.on("error", (err) => fail(signal?.aborted ? (signal.reason ?? err) : err));
    req.end(bodyBytes(init.body));
  });
}
