// run/greedy against a loopback LLM server (starts a server; the rest of run/greedy: run-greedy.test.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runGreedy } from "../src/run/greedy.ts";
import { createLimiter } from "../src/run/limit.ts";
import { createOpenAIClient } from "../src/run/llm/client.ts";
import { deps, FakeEvaluator, model, request, task } from "./run-fakes.ts";
import { startLlmServer } from "./run-llm-server.ts";

describe("run/greedy: an answer with usage but no text (a reasoning model cut by max_tokens)", () => {
  it("is one ok attempt charged by its usage, and a child with fitness null", async () => {
    const server = await startLlmServer((_body, n) =>
      n === 0
        ? {
            kind: "ok",
            content: null,
            reasoning_content: "```python\nscore = 9\n```",
            finish_reason: "length",
            usage: { prompt_tokens: 500, completion_tokens: 16000, total_tokens: 16500 },
          }
        : { kind: "ok", content: "```python\nscore = 0.6\n```" },
    );
    try {
      const client = createOpenAIClient({
        model: "m",
        endpoints: [{ baseURL: server.url, apiKey: "k" }],
        sleep: async () => {},
      });
      const d = deps(client, new FakeEvaluator(), { llmLimit: createLimiter(1) });
      const run = await runGreedy({ task, model, T: 1, N: 2, seed: 1, request }, d);
      assert.equal(server.requests.length, 2, "not retried");
      const [cut, ok] = run.trajectory[1]!.children;
      assert.equal(cut!.fitness, null);
      assert.equal(cut!.valid, false);
      assert.equal(cut!.final_status, "ok");
      assert.equal(cut!.attempts.length, 1);
      assert.equal(cut!.attempts[0]!.reasoning_content_chars, "```python\nscore = 9\n```".length);
      assert.match(cut!.error!, /no text \(finish_reason length\)/);
      assert.equal(ok!.fitness, 0.6);
      assert.equal(run.trajectory[1]!.n_valid, 1);
      // 2 · P · tokens over both attempts (DEFAULT_USAGE: 100 prompt − 16 cached + 40)
      assert.equal(run.flops.worst_case.total_flops, 2 * 10 * (16500 + 124));
      assert.equal(run.flops.worst_case.n_ok, 2);
    } finally {
      await server.close();
    }
  });
});
