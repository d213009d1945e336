/**
 * A loopback OpenAI-compatible chat server for the runner's tests: scripted
 * answers and injected faults (HTTP status with headers, malformed body,
 * empty choices, hang past the client's timeout, dropped connection), and a
 * log of every request it received.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BUILTIN_MODELS } from "../src/log/models.ts";

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  seed?: number;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
}

export type Reply =
  | {
      kind: "ok";
      /** null: `content: null` (a reasoning model cut by max_tokens). */
      content: string | null;
      /** Sent as `message.reasoning_content` (vLLM's reasoning parser). */
      reasoning_content?: string;
      finish_reason?: string;
      usage?: Record<string, unknown> | null;
      delayMs?: number;
    }
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "malformed" }
  /** `choices: []`, with `usage` when given (default: no usage block). */
  | { kind: "empty"; usage?: Record<string, unknown> }
  | { kind: "hang" }
  /** Headers, then a body that never ends. */
  | { kind: "hangBody" }
  | { kind: "drop" };

export interface LoggedRequest {
  n: number;
  seed: number | undefined;
  body: ChatBody;
  /** The request body as received, byte for byte. */
  raw: string;
  /** The reply kind served. */
  kind: Reply["kind"];
}

export interface LlmServer {
  url: string;
  port: number;
  requests: LoggedRequest[];
  /** GET /models requests (the preflight). */
  modelRequests: string[];
  close(): Promise<void>;
}

/** The names of the built-in models: what the server lists by default. */
const SERVED = Object.values(BUILTIN_MODELS).map((m) => m.name);

export const DEFAULT_USAGE = {
  prompt_tokens: 100,
  completion_tokens: 40,
  total_tokens: 140,
  prompt_tokens_details: { cached_tokens: 16 },
};

/** Starts a server on 127.0.0.1 (a free port); `script` decides each reply. */
export async function startLlmServer(
  script: (body: ChatBody, n: number) => Reply | Promise<Reply>,
  opts: {
    port?: number;
    /** What GET /models answers: the models listed (default: every built-in model), null: 404, a number: that status. */
    models?: string[] | null | number;
  } = {},
): Promise<LlmServer> {
  const requests: LoggedRequest[] = [];
  const modelRequests: string[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && /\/models$/.test(req.url ?? "")) {
      modelRequests.push(req.url ?? "");
      if (opts.models === null) res.writeHead(404).end('{"error":{"message":"no such route"}}');
      else if (typeof opts.models === "number")
        res.writeHead(opts.models).end('{"error":{"message":"injected"}}');
      else
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            object: "list",
            data: (opts.models ?? SERVED).map((id) => ({ id, object: "model" })),
          }),
        );
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: ChatBody;
    const raw = Buffer.concat(chunks).toString("utf8");
    try {
      body = JSON.parse(raw) as ChatBody;
    } catch {
      res.writeHead(400).end('{"error":{"message":"bad json"}}');
      return;
    }
    const n = requests.length;
    const reply = await script(body, n);
    requests.push({ n, seed: body.seed, body, raw, kind: reply.kind });
    const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(value));
    };
    switch (reply.kind) {
      case "ok": {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        json(200, {
          id: `chatcmpl-${n}`,
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [
            {
              index: 0,
              message: {
                role: "assistant",
                content: reply.content,
                ...(reply.reasoning_content !== undefined
                  ? { reasoning_content: reply.reasoning_content }
                  : {}),
              },
              finish_reason: reply.finish_reason ?? "stop",
            },
          ],
          usage: reply.usage === undefined ? DEFAULT_USAGE : reply.usage,
        });
        return;
      }
      case "status":
        res.writeHead(reply.status, { "content-type": "application/json", ...(reply.headers ?? {}) });
        res.end(reply.body ?? JSON.stringify({ error: { message: `injected ${reply.status}` } }));
        return;
      case "malformed":
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"id": "x", "choices": [');
        return;
      case "empty":
        json(200, {
          id: "x",
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [],
          ...(reply.usage !== undefined ? { usage: reply.usage } : {}),
        });
        return;
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "hangBody":
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"id": "x", ');
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "drop":
        req.socket.destroy();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    modelRequests,
    async close() {
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The program of the last user message (the runner's prompt), or "". */
export function promptProgram(body: ChatBody): string {
  const user = [...body.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  return /```python\n([\s\S]*?)```/.exec(user)?.[1] ?? "";
}
