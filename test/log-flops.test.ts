import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attemptKind, boundedTokens, generationFlops, runFlops } from "../src/log/flops.ts";
import { attempt, child, greedyRun } from "./log-fixtures.ts";

const P = 10;

// Worked by hand (P = 10):
//  gen 1: child 0 ok prompt 100 cached 30 completion 50      -> 2·10·(70 + 50)   = 2400
//         child 1 ok prompt 100, no prompt_tokens_details, 20 -> 2·10·(100 + 20)  = 2400
//         child 2 error then retry ok (prompt 40, completion 10) -> 0 + 2·10·50  = 1000
//  gen 2: child 0 timeout (timed_out) est 1000 -> worst 20000, bounded 2·10·350 = 7000
//         child 1 status "timeout" only, est 500 -> worst 10000, bounded 7000
//         child 2 ok finish "length" completion 300 (prompt 100)   -> 2·10·400 = 8000
//  gen 3: child 0 ok finish "length" completion 401 (prompt 100)   -> 2·10·501 = 10020
//         child 1 ok usage null -> 0, not counted;  child 2 usage {} -> 0, not counted
//  B = trunc(median(300, 401)) = trunc(350.5) = 350
const run = greedyRun(
  [
    [
      child(0, 0.2, [
        attempt({
          usage: { prompt_tokens: 100, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 30 } },
        }),
      ]),
      child(1, 0.3, [attempt({ usage: { prompt_tokens: 100, completion_tokens: 20 } })]),
      child(2, 0.1, [
        attempt({ status: "error:APIError", usage: null, finish_reason: null, error: "500" }),
        attempt({
          attempt_idx: 1,
          usage: { prompt_tokens: 40, completion_tokens: 10, prompt_tokens_details: null },
        }),
      ]),
    ],
    [
      child(0, null, [
        attempt({
          status: "timeout",
          timed_out: true,
          usage: null,
          finish_reason: null,
          estimated_output_tokens: 1000,
        }),
      ]),
      child(1, null, [
        attempt({
          status: "timeout",
          timed_out: false,
          usage: null,
          finish_reason: null,
          estimated_output_tokens: 500,
        }),
      ]),
      child(2, 0.25, [
        attempt({ finish_reason: "length", usage: { prompt_tokens: 100, completion_tokens: 300 } }),
      ]),
    ],
    [
      child(0, 0.35, [
        attempt({ finish_reason: "length", usage: { prompt_tokens: 100, completion_tokens: 401 } }),
      ]),
      child(1, 0.1, [attempt({ usage: null })]),
      child(2, 0.1, [attempt({ usage: {} })]),
    ],
  ],
  { params: P },
);

describe("FLOPs accounting", () => {
  it("classifies timeouts before errors", () => {
    assert.equal(attemptKind(attempt({ status: "error:APITimeoutError", timed_out: true })), "timeout");
    assert.equal(attemptKind(attempt({ status: "timeout", timed_out: false })), "timeout");
    assert.equal(attemptKind(attempt({ status: "error:RateLimitError" })), "error");
    assert.equal(attemptKind(attempt({})), "ok");
  });

  it("takes B as the truncated median of length completions", () => {
    assert.equal(boundedTokens(run.trajectory), 350);
    assert.equal(boundedTokens(run.trajectory.slice(0, 2)), 0);
  });

  it("totals each timeout policy", () => {
    const f = runFlops(run, P);
    const ok = 2400 + 2400 + 1000 + 8000 + 10020;
    assert.equal(f.exclude.total_flops, ok);
    assert.equal(f.worst_case.total_flops, ok + 20000 + 10000);
    assert.equal(f.worst_case.timeout_flops, 30000);
    assert.equal(f.bounded.total_flops, ok + 2 * 7000);
    assert.equal(f.bounded.timeout_flops, 14000);
    for (const p of [f.worst_case, f.exclude, f.bounded]) {
      assert.equal(p.n_ok, 5);
      assert.equal(p.n_timeout, 2);
      assert.equal(p.n_error, 1);
      assert.equal(p.sum_prompt_tokens, 100 + 100 + 40 + 100 + 100);
      assert.equal(p.sum_completion_tokens, 50 + 20 + 10 + 300 + 401);
      assert.equal(p.sum_cached_prompt_tokens, 30);
      assert.equal(p.prefix_cache_hit_rate, 30 / 440);
    }
  });

  it("splits FLOPs per generation (generation 0 costs nothing)", () => {
    assert.deepEqual(generationFlops(run, P, "worst_case"), [5800, 38000, 10020]);
    assert.deepEqual(generationFlops(run, P, "exclude"), [5800, 8000, 10020]);
    assert.deepEqual(generationFlops(run, P, "bounded"), [5800, 22000, 10020]);
  });

  it("clamps cached tokens above the prompt at zero", () => {
    const r = greedyRun([
      [
        child(0, 0.2, [
          attempt({
            usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 40 } },
          }),
        ]),
      ],
    ]);
    assert.equal(runFlops(r, P).worst_case.total_flops, 2 * P * 5);
  });

  it("costs nothing for an empty run", () => {
    const r = greedyRun([]);
    const f = runFlops(r, P);
    assert.equal(f.worst_case.total_flops, 0);
    assert.equal(f.worst_case.prefix_cache_hit_rate, 0);
  });
});
