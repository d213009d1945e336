/**
 * `evoalloc serve`: an OpenAI-compatible dry-run endpoint whose model is the
 * built-in mutator, whatever model name a request gives. Any OpenAI client
 * (the openai package, curl, Python's openai) can run a whole pipeline
 * against it before paying for GPUs.
 *
 *   POST /v1/chat/completions   the mutated program of the last user message (mutator.ts extractProgram)
 *   GET  /v1/models             lists `mutator`;  GET /v1/models/{id}
 *   GET  /health                200
 *
 * A seeded answer is a function of the seed, the whole conversation and the
 * sampling parameters (`answerDraw`), as a seeded model's: a retry that gets
 * through returns what the first try would have, and a new prompt under the
 * same seed gets a new answer. Without a seed, fresh randomness. Faults follow
 * the seed and how many times it was asked before (faults.ts). Usage is counted
 * by `options.tokens` (tokens.ts: Qwen3's tokenizer, or 4 characters a token).
 * Node's http only; loopback unless told otherwise.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MUTATOR_DEFAULTS, type MutatorParams, mutatorReply } from "../mutator/mutator.ts";
import type { ChatMessage } from "../run/ports.ts";
import { version } from "../version.ts";
import { checkRates, drawFault, type Fault, type FaultRates, NO_FAULTS } from "./faults.ts";
import { PrefixCache } from "./prefix-cache.ts";
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

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const CREATED = 1_700_000_000;

/** An OpenAI-style error: `{ error: { message, type, param, code } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
  body(): unknown {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

const invalid = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, "invalid_request_error", param, code);

/** The validated part of a chat-completion request that the mutator uses. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  seed: number | null;
  maxTokens: number | null;
  n: number;
  stream: boolean;
  includeUsage: boolean;
  /** The sampling parameters as sent (null when absent): part of what a seeded answer depends on. */
  sampling: Record<string, unknown>;
}

/** Parameters that change what a seeded model samples. */
const SAMPLING_KEYS = [
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "presence_penalty",
  "frequency_penalty",
  "repetition_penalty",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "logit_bias",
] as const;

/**
 * Validates a parsed request body.
 * @throws ApiError 400 naming the offending parameter.
 */
export function parseChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw invalid("The request body must be a JSON object.");
  const b = body as Record<string, unknown>;
  if (b.messages === undefined)
    throw invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
  if (!Array.isArray(b.messages))
    throw invalid("Invalid type for 'messages': expected an array of objects.", "messages", "invalid_type");
  if (b.messages.length === 0)
    throw invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      "messages",
      "empty_array",
    );
  const messages = b.messages.map((m, i) => parseMessage(m, i));
  const model = b.model === undefined ? "mutator" : b.model;
  if (typeof model !== "string")
    throw invalid("Invalid type for 'model': expected a string.", "model", "invalid_type");
  const seed = optionalInt(b, "seed", -(2 ** 63), 2 ** 64);
  const maxTokens =
    optionalInt(b, "max_completion_tokens", 1, 2 ** 31) ?? optionalInt(b, "max_tokens", 1, 2 ** 31);
  const n = optionalInt(b, "n", 1, 128) ?? 1;
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== "boolean")
    throw invalid("Invalid type for 'stream': expected a boolean.", "stream", "invalid_type");
  const so = b.stream_options as Record<string, unknown> | null | undefined;
  return {
    model,
    messages,
    seed,
    maxTokens,
    n,
    stream: b.stream === true,
    includeUsage: typeof so === "object" && so !== null && so.include_usage === true,
    sampling: Object.fromEntries(SAMPLING_KEYS.map((k) => [k, b[k] ?? null])),
  };
}

function parseMessage(m: unknown, i: number): ChatMessage {
  if (m === null || typeof m !== "object" || Array.isArray(m))
    throw invalid(`Invalid type for 'messages[${i}]': expected an object.`, `messages[${i}]`, "invalid_type");
  const o = m as Record<string, unknown>;
  const roles = ["system", "developer", "user", "assistant", "tool"];
  if (typeof o.role !== "string" || !roles.includes(o.role))
    throw invalid(
      `Invalid value for 'messages[${i}].role': expected one of ${roles.join(", ")}.`,
      `messages[${i}].role`,
      "invalid_value",
    );
  let content: string;
  if (typeof o.content === "string") content = o.content;
  else if (o.content === null && o.role === "assistant") content = "";
  else if (Array.isArray(o.content)) {
    content = o.content
      .map((part) => {
        const p = part as Record<string, unknown> | null;
        return p !== null && typeof p === "object" && p.type === "text" && typeof p.text === "string"
          ? p.text
          : "";
      })
      .join("");
  } else
    throw invalid(
      `Invalid type for 'messages[${i}].content': expected a string or an array of content parts.`,
      `messages[${i}].content`,
      "invalid_type",
    );
  const role =
    o.role === "developer" ? "system" : o.role === "tool" ? "user" : (o.role as ChatMessage["role"]);
  return { role, content };
}

function optionalInt(b: Record<string, unknown>, key: string, min: number, max: number): number | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v))
    throw invalid(`Invalid type for '${key}': expected an integer.`, key, "invalid_type");
  if (v < min || v > max)
    throw invalid(`Invalid value for '${key}': must be in [${min}, ${max}].`, key, "invalid_value");
  return v;
}

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
    const log = (entry: Partial<RequestLogEntry> & { status: number }) =>
      this.options.onRequest?.({
        time: new Date().toISOString(),
        model: req.model,
        seed: req.seed,
        count,
        fault: fault.kind,
        ...entry,
      });
    if (fault.kind === "fail") {
      log({ status: 500 });
      const e = new ApiError(
        500,
        "The server had an error while processing your request (injected fault).",
        "server_error",
      );
      return { status: 500, headers: {}, body: e.body() };
    }
    if (fault.kind === "rate_limit") {
      log({ status: 429 });
      const e = new ApiError(
        429,
        "Rate limit reached for requests (injected fault). Please try again later.",
        "requests",
        null,
        "rate_limit_exceeded",
      );
      const s = this.options.retryAfterS;
      return {
        status: 429,
        headers: { "retry-after": String(s), "retry-after-ms": String(Math.round(s * 1000)) },
        body: e.body(),
      };
    }
    if (fault.kind === "timeout") {
      log({ status: 0 });
      return { status: 0, headers: {}, body: null };
    }

    const tok = this.options.tokens;
    const prompt = tok.promptTokens(req.messages);
    const { blocks, blockTokens } = tok.promptBlocks(req.messages);
    const cached = this.cache.lookupBlocks(blocks, blockTokens, prompt);
    let completionTotal = 0;
    const choices = [];
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
    log({
      status: 200,
      prompt_tokens: prompt,
      completion_tokens: completionTotal,
      cached_tokens: cached,
      finish_reason: firstFinish,
      ...(firstSha ? { code_sha256: firstSha } : {}),
    });
    const id = `chatcmpl-${seed.toString(16).padStart(8, "0")}-${count}`;
    const created = Math.floor(Date.now() / 1000);
    const fingerprint = `evoalloc-${version}`;
    if (!req.stream) {
      return {
        status: 200,
        headers: {},
        body: {
          id,
          object: "chat.completion",
          created,
          model: req.model,
          system_fingerprint: fingerprint,
          choices,
          usage,
        },
      };
    }
    const chunk = (delta: unknown, index: number, finish: string | null, extra: object = {}) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model: req.model,
      system_fingerprint: fingerprint,
      choices: [{ index, delta, logprobs: null, finish_reason: finish }],
      ...extra,
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
    if (req.includeUsage)
      events.push({ id, object: "chat.completion.chunk", created, model: req.model, choices: [], usage });
    return { status: 200, headers: {}, body: null, events };
  }
}

export interface RunningServer {
  /** Base URL of the API, e.g. http://127.0.0.1:8000/v1 */
  url: string;
  host: string;
  port: number;
  endpoint: MutatorEndpoint;
  /** Stops listening and drops every open connection (hanging requests included). */
  close(): Promise<void>;
}

/** Starts the endpoint on `host:port`. Rejects when the port cannot be bound. */
export async function startServer(options: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const endpoint = new MutatorEndpoint(options);
  const opts = endpoint.options;
  const server: Server = createServer((req, res) => {
    handle(endpoint, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, new ApiError(500, String(err), "server_error").body());
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0; // a hanging answer (timeout fault) must outlast any client timeout
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${hostForUrl}:${addr.port}/v1`,
    host: addr.address,
    port: addr.port,
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(endpoint: MutatorEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "");
  const method = req.method ?? "GET";
  const { latencyMs } = endpoint.options;

  if (path === "/v1/chat/completions" || path === "/chat/completions") {
    if (method !== "POST") return sendError(res, methodNotAllowed(method, url.pathname, "POST"));
    let text: string;
    try {
      text = await readBody(req);
    } catch (err) {
      return sendError(res, err instanceof ApiError ? err : invalid(String(err)));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendError(
        res,
        invalid(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        ),
      );
    }
    let out: Completion;
    try {
      out = endpoint.chat(body);
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err);
      throw err;
    }
    if (latencyMs > 0) await sleep(latencyMs, res);
    if (res.destroyed) return;
    if (out.status === 0) return; // hang: the client times out and closes; close() drops the rest
    if (out.events) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (const e of out.events) res.write(`data: ${JSON.stringify(e)}\n\n`);
      res.end("data: [DONE]\n\n");
      return;
    }
    return sendJson(res, out.status, out.body, out.headers);
  }
  if (path === "/v1/models" || path === "/models") {
    if (method !== "GET") return sendError(res, methodNotAllowed(method, url.pathname, "GET"));
    return sendJson(res, 200, endpoint.models());
  }
  const m = /^\/v1\/models\/(.+)$/.exec(path);
  if (m) {
    if (method !== "GET") return sendError(res, methodNotAllowed(method, url.pathname, "GET"));
    return sendJson(res, 200, endpoint.model(decodeURIComponent(m[1]!)));
  }
  if (path === "/health" || path === "") {
    if (method !== "GET" && method !== "HEAD")
      return sendError(res, methodNotAllowed(method, url.pathname, "GET"));
    return sendJson(res, 200, { status: "ok", model: "mutator" });
  }
  return sendError(
    res,
    new ApiError(
      404,
      `Unknown request URL: ${method} ${url.pathname}.`,
      "invalid_request_error",
      null,
      "unknown_url",
    ),
  );
}

function methodNotAllowed(method: string, path: string, allowed: string): ApiError {
  return new ApiError(
    405,
    `Method ${method} not allowed for ${path}; use ${allowed}.`,
    "invalid_request_error",
    null,
    "method_not_allowed",
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new ApiError(413, `Request body larger than ${MAX_BODY_BYTES} bytes.`, "invalid_request_error"),
        );
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, err.body());
}

function sleep(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    res.once("close", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
