/**
 * `serve` against the openai package: every fault kind, determinism by
 * (seed, times asked), a retry that gets through, prefix-cache usage,
 * streaming and the model list. Loopback only; each test starts its own server.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import OpenAI from "openai";
import { mutateProgram } from "../src/mutator/mutator.ts";
import { drawFault, type FaultRates, NO_FAULTS } from "../src/serve/faults.ts";
import {
  answerDraw,
  parseChatRequest,
  type RequestLogEntry,
  type RunningServer,
  startServer,
} from "../src/serve/index.ts";

const PROGRAM = "POINTS = [(0.1, 0.2), (0.3, 0.4)]\nSCALE = 1.5\n";
const SYSTEM = "You improve Python programs. ".repeat(20);
const messages = [
  { role: "system" as const, content: SYSTEM },
  { role: "user" as const, content: `Score 0.1\n\`\`\`python\n${PROGRAM}\`\`\`` },
];

/** The mutation seed serve draws for `messages` under `seed` (no sampling parameters sent). */
const drawFor = (seed: number): number => answerDraw(parseChatRequest({ messages, seed }));

const servers: RunningServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(
  faults: Partial<FaultRates> = {},
  extra: { latencyMs?: number; log?: RequestLogEntry[] } = {},
) {
  const s = await startServer({
    port: 0,
    faults: { ...NO_FAULTS, ...faults },
    latencyMs: extra.latencyMs ?? 0,
    retryAfterS: 0.05,
    ...(extra.log ? { onRequest: (e: RequestLogEntry) => extra.log!.push(e) } : {}),
  });
  servers.push(s);
  return s;
}

const client = (s: RunningServer, opts: { maxRetries?: number; timeout?: number } = {}) =>
  new OpenAI({
    baseURL: s.url,
    apiKey: "dry-run",
    maxRetries: opts.maxRetries ?? 0,
    timeout: opts.timeout ?? 10_000,
  });

describe("serve with the openai package", () => {
  it("answers any model name with the mutated program and a full usage object", async () => {
    const s = await serve();
    const r = await client(s).chat.completions.create({ model: "Qwen/Qwen3-8B", messages, seed: 7 });
    assert.equal(r.model, "Qwen/Qwen3-8B");
    assert.equal(r.object, "chat.completion");
    assert.equal(r.choices[0]!.finish_reason, "stop");
    assert.equal(
      r.choices[0]!.message.content,
      `\`\`\`python\n${mutateProgram(PROGRAM, drawFor(7)).code}\`\`\``,
    );
    const u = r.usage!;
    assert.ok(u.prompt_tokens > 100 && u.completion_tokens > 5);
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
    assert.equal(u.prompt_tokens_details?.cached_tokens, 0);
  });

  it("reports cached_tokens for a repeated prompt prefix, in whole blocks, never the whole prompt", async () => {
    const s = await serve();
    const c = client(s);
    await c.chat.completions.create({ model: "m", messages, seed: 1 });
    const other = [messages[0]!, { role: "user" as const, content: "```python\nX = 2.5\n```" }];
    const r = await c.chat.completions.create({ model: "m", messages: other, seed: 2 });
    const cached = r.usage!.prompt_tokens_details!.cached_tokens!;
    assert.ok(cached > 0 && cached % 16 === 0, `cached ${cached}`);
    assert.ok(cached < r.usage!.prompt_tokens);
    // the same prompt again: everything but the last block is cached
    const again = await c.chat.completions.create({ model: "m", messages: other, seed: 3 });
    assert.ok(again.usage!.prompt_tokens_details!.cached_tokens! >= cached);
    assert.ok(again.usage!.prompt_tokens_details!.cached_tokens! < again.usage!.prompt_tokens);
  });

  it("lists the mutator model", async () => {
    const s = await serve();
    const ids = [];
    for await (const m of client(s).models.list()) ids.push(m.id);
    assert.deepEqual(ids, ["mutator"]);
  });

  it("--fail-rate 1: HTTP 500 with an OpenAI error body", async () => {
    const s = await serve({ fail: 1 });
    await assert.rejects(
      client(s).chat.completions.create({ model: "m", messages, seed: 1 }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.InternalServerError);
        assert.equal(err.status, 500);
        assert.equal((err.error as { type: string }).type, "server_error");
        return true;
      },
    );
  });

  it("--rate-limit-rate 1: HTTP 429 with Retry-After", async () => {
    const s = await serve({ rateLimit: 1 });
    await assert.rejects(
      client(s).chat.completions.create({ model: "m", messages, seed: 1 }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.RateLimitError);
        assert.equal(err.headers.get("retry-after"), "0.05");
        assert.equal((err.error as { code: string }).code, "rate_limit_exceeded");
        return true;
      },
    );
  });

  it("--timeout-rate 1: hangs until the client's timeout", async () => {
    const log: RequestLogEntry[] = [];
    const s = await serve({ timeout: 1 }, { log });
    await assert.rejects(
      client(s, { timeout: 300 }).chat.completions.create({ model: "m", messages, seed: 1 }),
      (err: unknown) => err instanceof OpenAI.APIConnectionTimeoutError,
    );
    assert.equal(log[0]!.fault, "timeout");
  });

  it('--truncate-rate 1: content cut, finish_reason "length"', async () => {
    const s = await serve({ truncate: 1 });
    const r = await client(s).chat.completions.create({ model: "m", messages, seed: 5 });
    const full = `\`\`\`python\n${mutateProgram(PROGRAM, 5).code}\`\`\``;
    const content = r.choices[0]!.message.content!;
    assert.equal(r.choices[0]!.finish_reason, "length");
    assert.ok(content.length < full.length && full.startsWith(content));
    assert.equal(r.usage!.completion_tokens, Math.ceil(content.length / 4));
  });

  it("max_tokens cuts the answer like a model would", async () => {
    const s = await serve();
    const r = await client(s).chat.completions.create({ model: "m", messages, seed: 5, max_tokens: 3 });
    assert.equal(r.choices[0]!.finish_reason, "length");
    assert.equal(r.choices[0]!.message.content!.length, 12);
    assert.equal(r.usage!.completion_tokens, 3);
  });

  it("--latency-ms delays the answer", async () => {
    const log: RequestLogEntry[] = [];
    const s = await serve({}, { latencyMs: 50, log });
    const r = await client(s).chat.completions.create({ model: "m", messages, seed: 1 });
    assert.equal(r.choices[0]!.finish_reason, "stop");
    assert.equal(log.length, 1);
  });

  it("is deterministic by (seed, times asked), and a retry can get through", async () => {
    const rates = { ...NO_FAULTS, fail: 0.5 };
    // a seed whose first request fails and whose second does not
    let seed = 0;
    while (!(drawFault(seed, 0, rates).kind === "fail" && drawFault(seed, 1, rates).kind === "none")) seed++;
    const log: RequestLogEntry[] = [];
    const s = await serve({ fail: 0.5 }, { log });
    const r = await client(s, { maxRetries: 2 }).chat.completions.create({ model: "m", messages, seed });
    assert.deepEqual(
      log.map((e) => [e.seed, e.count, e.status]),
      [
        [seed, 0, 500],
        [seed, 1, 200],
      ],
    );
    // a fresh server replays the same sequence of outcomes and the same content
    const s2 = await serve({ fail: 0.5 });
    const c2 = client(s2);
    await assert.rejects(c2.chat.completions.create({ model: "m", messages, seed }));
    const r2 = await c2.chat.completions.create({ model: "m", messages, seed });
    assert.equal(r2.choices[0]!.message.content, r.choices[0]!.message.content);
  });

  it("streams with the openai package, usage in the last chunk", async () => {
    const s = await serve();
    const stream = await client(s).chat.completions.create({
      model: "m",
      messages,
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, `\`\`\`python\n${mutateProgram(PROGRAM, drawFor(7)).code}\`\`\``);
    assert.equal(finish, "stop");
    assert.ok(usage !== null && usage.completion_tokens > 0);
  });
});
