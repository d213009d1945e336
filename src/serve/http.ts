/**
 * The dry-run endpoint over HTTP (Node's http only; loopback unless told
 * otherwise), OpenAI's routes and error shapes:
 *
 *   POST /v1/chat/completions   the mutated program of the last user message (endpoint.ts)
 *   GET  /v1/models             lists `mutator`;  GET /v1/models/{id}
 *   GET  /health                200
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Completion, MutatorEndpoint, type ServeOptions } from "./endpoint.ts";
import { ApiError, invalid } from "./request.ts";

const MAX_BODY_BYTES = 32 * 1024 * 1024;

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
