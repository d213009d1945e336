import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BUILTIN_MODELS } from "../src/log/models.ts";
import { createOpenAIClient, resolveEndpoints, retryAfterMs } from "../src/run/llm/client.ts";
import type { CompletionRequest, CompletionResult } from "../src/run/ports.ts";
import { type LlmServer, type Reply, startLlmServer } from "./run-llm-server.ts";

const req = (seed: number, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  messages: [
    { role: "system", content: "sys" },
    { role: "user", content: "hi" },
  ],
  seed,
  maxTokens: 321,
  temperature: 0.4,
  topP: 0.95,
  timeoutS: 5,
  ...extra,
});

/** Per seed, the replies of successive tries. */
const plan: Record<number, Reply[]> = {
  1: [
    {
      kind: "ok",
      content: "```python\nx = 1\n```",
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, extra_field: 1 },
    },
  ],
  2: [
    { kind: "status", status: 500 },
    { kind: "ok", content: "second" },
  ],
  3: [
    { kind: "status", status: 429, headers: { "retry-after": "2" } },
    { kind: "ok", content: "after 429" },
  ],
  4: [{ kind: "malformed" }, { kind: "empty" }, { kind: "ok", content: "third time" }],
  5: [{ kind: "ok", content: "cut", finish_reason: "length" }],
  6: [{ kind: "hang" }, { kind: "hang" }, { kind: "hang" }],
  7: [{ kind: "status", status: 400 }],
  8: [{ kind: "drop" }, { kind: "status", status: 503 }, { kind: "status", status: 500 }],
  9: [{ kind: "hang" }],
  15: [{ kind: "hangBody" }, { kind: "ok", content: "after a stalled body" }],
  // a reasoning model cut by max_tokens: no text, but 16,500 tokens served
  116: [
    {
      kind: "ok",
      content: null,
      reasoning_content: "Let me think. ```python\nx = 2\n```",
      finish_reason: "length",
      usage: { prompt_tokens: 500, completion_tokens: 16000, total_tokens: 16500 },
    },
    { kind: "ok", content: "not asked for" },
  ],
  117: [
    { kind: "ok", content: "", finish_reason: "length", usage: { prompt_tokens: 5, completion_tokens: 9 } },
  ],
  118: [
    { kind: "empty", usage: { prompt_tokens: 5, completion_tokens: 0 } },
    { kind: "ok", content: "no" },
  ],
  // the reference's retry policy: every failure, a fixed 5 s, 3 tries
  130: [
    { kind: "status", status: 400 },
    { kind: "status", status: 404 },
    { kind: "ok", content: "third" },
  ],
  131: [
    { kind: "status", status: 429, headers: { "retry-after": "2" } },
    { kind: "ok", content: "after 5 s" },
  ],
  132: [
    { kind: "status", status: 500 },
    { kind: "status", status: 500 },
    { kind: "status", status: 500 },
    { kind: "ok", content: "4th" },
  ],
  119: [{ kind: "ok", content: "```python\nx = 3\n```", reasoning_content: "abcde" }],
};

describe("run/client: OpenAI-compatible client against a loopback server", () => {
  let server: LlmServer;
  const tries = new Map<number, number>();
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => void sleeps.push(ms);

  before(async () => {
    server = await startLlmServer((body) => {
      const seed = body.seed ?? -1;
      const k = tries.get(seed) ?? 0;
      tries.set(seed, k + 1);
      return plan[seed]?.[k] ?? { kind: "ok", content: `seed ${seed}` };
    });
  });
  after(() => server.close());

  const client = () =>
    createOpenAIClient({ model: "m", endpoints: [{ baseURL: server.url, apiKey: "k" }], sleep });

  it("records one ok attempt with the usage as returned and sends the request parameters", async () => {
    const r = await client().complete(req(1));
    assert.equal(r.content, "```python\nx = 1\n```");
    assert.equal(r.attempts.length, 1);
    const a = r.attempts[0]!;
    assert.equal(a.status, "ok");
    assert.equal(a.attempt_idx, 0);
    assert.equal(a.finish_reason, "stop");
    assert.equal(a.timed_out, false);
    assert.deepEqual(a.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, extra_field: 1 });
    assert.equal(a.endpoint, server.url);
    assert.ok(a.latency_s >= 0);
    assert.ok(!("estimated_output_tokens" in a));
    const sent = server.requests.find((q) => q.seed === 1)!.body;
    assert.equal(sent.model, "m");
    assert.equal(sent.max_tokens, 321);
    assert.equal(sent.temperature, 0.4);
    assert.equal(sent.top_p, 0.95);
  });

  it("retries a 500 with backoff and records both tries", async () => {
    sleeps.length = 0;
    const r = await client().complete(req(2));
    assert.equal(r.content, "second");
    assert.deepEqual(
      r.attempts.map((a) => a.status),
      ["error:InternalServerError", "ok"],
    );
    assert.match(r.attempts[0]!.error!, /^HTTP 500/);
    assert.equal(r.attempts[0]!.usage, null);
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0]! >= 500 && sleeps[0]! <= 1500, `backoff ${sleeps[0]} ms`);
  });

  it("honours Retry-After on 429", async () => {
    sleeps.length = 0;
    const r = await client().complete(req(3));
    assert.deepEqual(
      r.attempts.map((a) => a.status),
      ["error:RateLimitError", "ok"],
    );
    assert.deepEqual(sleeps, [2000]);
  });

  it("records a malformed body and empty choices as errors, then succeeds", async () => {
    const r = await client().complete(req(4));
    assert.equal(r.content, "third time");
    assert.equal(r.attempts.length, 3);
    assert.match(r.attempts[0]!.status, /^error:/);
    assert.equal(r.attempts[1]!.status, "error:EmptyChoicesError");
    assert.deepEqual(
      r.attempts.map((a) => a.attempt_idx),
      [0, 1, 2],
    );
  });

  it("charges an answer with usage but null or empty content as one ok attempt, not retried", async () => {
    const first = new Map<number, CompletionResult>();
    for (const [seed, usage] of [
      [116, { prompt_tokens: 500, completion_tokens: 16000, total_tokens: 16500 }],
      [117, { prompt_tokens: 5, completion_tokens: 9 }],
      [118, { prompt_tokens: 5, completion_tokens: 0 }],
    ] as const) {
      const r = await client().complete(req(seed));
      first.set(seed, r);
      assert.equal(r.attempts.length, 1, `seed ${seed}`);
      assert.equal(r.attempts[0]!.status, "ok");
      assert.deepEqual(r.attempts[0]!.usage, usage);
      assert.equal(r.content, seed === 117 ? "" : null);
      assert.equal(tries.get(seed), 1);
    }
    const cut = first.get(116)!.attempts[0]!;
    assert.equal(cut.finish_reason, "length");
    // the reasoning text is measured, never parsed for code
    assert.equal(cut.reasoning_content_chars, "Let me think. ```python\nx = 2\n```".length);
    const both = await client().complete(req(119));
    assert.equal(both.content, "```python\nx = 3\n```");
    assert.equal(both.attempts[0]!.reasoning_content_chars, 5);
    assert.ok(!("reasoning_content_chars" in (await client().complete(req(1))).attempts[0]!));
  });

  it("--retry-policy reference: retries every failure (400 and 404 too) after a fixed 5 s, 3 tries in all", async () => {
    const ref = () =>
      createOpenAIClient({
        model: "m",
        endpoints: [{ baseURL: server.url, apiKey: "k" }],
        sleep,
        retries: 9, // ignored under the reference policy
        backoffS: 0.1,
        retryPolicy: "reference",
      });
    sleeps.length = 0;
    let r = await ref().complete(req(130));
    assert.equal(r.content, "third");
    assert.deepEqual(
      r.attempts.map((a) => a.status),
      ["error:BadRequestError", "error:NotFoundError", "ok"],
    );
    assert.deepEqual(sleeps, [5000, 5000]);
    sleeps.length = 0;
    r = await ref().complete(req(131));
    assert.equal(r.content, "after 5 s");
    assert.deepEqual(sleeps, [5000], "Retry-After is not honoured, as in the reference");
    sleeps.length = 0;
    r = await ref().complete(req(132));
    assert.equal(r.content, null);
    assert.equal(r.attempts.length, 3, "3 tries, then the call fails");
    assert.deepEqual(sleeps, [5000, 5000]);
  });

  it("keeps a truncated answer (finish_reason length) without retrying", async () => {
    const r = await client().complete(req(5));
    assert.equal(r.content, "cut");
    assert.equal(r.attempts.length, 1);
    assert.equal(r.attempts[0]!.finish_reason, "length");
    assert.equal(r.attempts[0]!.status, "ok");
  });

  it("times out each try that hangs, recording max_tokens as the estimated output", async () => {
    const r = await client().complete(req(6, { timeoutS: 0.15 }));
    assert.equal(r.content, null);
    assert.equal(r.attempts.length, 3);
    for (const a of r.attempts) {
      assert.equal(a.status, "timeout");
      assert.equal(a.timed_out, true);
      assert.equal(a.estimated_output_tokens, 321);
      assert.equal(a.usage, null);
    }
  });

  it("times out a response whose body stalls after the headers", async () => {
    const r = await client().complete(req(15, { timeoutS: 0.2 }));
    assert.equal(r.content, "after a stalled body");
    assert.deepEqual(
      r.attempts.map((a) => a.status),
      ["timeout", "ok"],
    );
  });

  it("works with the platform fetch too", async () => {
    const c = createOpenAIClient({
      model: "m",
      endpoints: [{ baseURL: server.url, apiKey: "k" }],
      sleep,
      fetch,
    });
    const r = await c.complete(req(16));
    assert.equal(r.content, "seed 16");
  });

  it("does not retry a 400", async () => {
    const r = await client().complete(req(7));
    assert.deepEqual(
      r.attempts.map((a) => a.status),
      ["error:BadRequestError"],
    );
  });

  it("records a dropped connection and server errors until the retries run out", async () => {
    const r = await client().complete(req(8));
    assert.equal(r.content, null);
    assert.equal(r.attempts.length, 3);
    assert.equal(r.attempts[0]!.status, "error:APIConnectionError");
    assert.equal(r.attempts[1]!.status, "error:InternalServerError");
  });

  it("records connection refused as an error attempt", async () => {
    const dead = await startLlmServer(() => ({ kind: "ok", content: "" }));
    const url = dead.url;
    await dead.close();
    const c = createOpenAIClient({
      model: "m",
      endpoints: [{ baseURL: url, apiKey: "k" }],
      sleep,
      retries: 1,
    });
    const r = await c.complete(req(10));
    assert.deepEqual(
      r.attempts.map((a) => a.status),
      ["error:APIConnectionError", "error:APIConnectionError"],
    );
    assert.match(r.attempts[0]!.error!, /ECONNREFUSED|fetch failed|Connection error/);
  });

  it("spreads tries over several endpoints, a retry going to the next one", async () => {
    const other = await startLlmServer(() => ({ kind: "ok", content: "other" }));
    try {
      const c = createOpenAIClient({
        model: "m",
        endpoints: [
          { baseURL: server.url, apiKey: "k" },
          { baseURL: other.url, apiKey: "k" },
        ],
        sleep,
      });
      const before = server.requests.length;
      const results = await Promise.all([11, 12, 13, 14].map((s) => c.complete(req(s))));
      assert.equal(server.requests.length - before, 2);
      assert.equal(other.requests.length, 2);
      assert.deepEqual(
        new Set(results.map((r) => r.attempts[0]!.endpoint)),
        new Set([server.url, other.url]),
      );
    } finally {
      await other.close();
    }
  });

  it("rejects on abort without recording the unfinished try", async () => {
    const ctl = new AbortController();
    const p = client().complete(req(9, { signal: ctl.signal }));
    setTimeout(() => ctl.abort(new Error("stop")), 50);
    await assert.rejects(p, /stop/);
  });

  it("parses Retry-After as seconds or an HTTP date", async () => {
    const { RateLimitError } = await import("openai");
    const mk = (v: string) => new RateLimitError(429, undefined, "x", new Headers({ "retry-after": v }));
    assert.equal(retryAfterMs(mk("3")), 3000);
    assert.equal(retryAfterMs(mk(new Date(10_000).toUTCString()), 4000), 6000);
    assert.equal(retryAfterMs(mk("soon")), null);
    assert.equal(retryAfterMs(new Error("x")), null);
  });

  it("resolves endpoints: --api-base, else the model's env vars, else OPENAI_*", () => {
    const m = BUILTIN_MODELS["qwen3-8b"]!;
    assert.deepEqual(resolveEndpoints(m, { LLM_API_BASE: "http://a/v1", LLM_API_KEY: "s" }), [
      { baseURL: "http://a/v1", apiKey: "s" },
    ]);
    assert.deepEqual(resolveEndpoints(m, { OPENAI_BASE_URL: "http://o/v1", OPENAI_API_KEY: "o" }), [
      { baseURL: "http://o/v1", apiKey: "o" },
    ]);
    assert.deepEqual(
      resolveEndpoints(m, { LLM_API_BASE: "http://a/v1" }, ["http://r1/v1", "http://r2/v1"]).map(
        (e) => e.baseURL,
      ),
      ["http://r1/v1", "http://r2/v1"],
    );
  });
});
