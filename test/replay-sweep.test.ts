import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedMaxOfK, splitsOf, sweep, syntheticRecord } from "../src/replay/index.ts";

const rec = (seed: number, n: number, curve: number[], file?: string) =>
  syntheticRecord({ task: "t", model: "m", N: n, seed, curve, tokens: 1000, paramsActive: 1e9 }, file);

test("splitsOf: every T·N = C", () => {
  assert.deepEqual(
    splitsOf(12).map((s) => s.T),
    [1, 2, 3, 4, 6, 12],
  );
  assert.deepEqual(splitsOf(1), [{ T: 1, N: 1 }]);
});

test("sweep: exact runs, prefixes of deeper runs (exact preferred, each seed once), statistics", () => {
  const runs = [
    rec(1, 2, [0.1, 0.2, 0.3]), // T=2, N=2 (C=4)
    rec(2, 2, [0.1, 0.15, 0.5]),
    rec(2, 2, [0.1, 0.15, 0.5, 0.6, 0.9], "z/deeper.json"), // T=4 with the same seed: a prefix source
    rec(3, 2, [0.2, 0.4, 0.4, 0.7, 0.8]), // T=4 only
    rec(4, 4, [0.3, 0.6]), // T=1, N=4
    syntheticRecord({ task: "other", model: "m", N: 2, seed: 9, curve: [0, 1, 1] }),
  ];
  const plain = sweep(runs, { task: "t", model: "m", C: 4, threshold: 0.35 });
  const s2 = plain.splits.find((s) => s.T === 2)!;
  assert.deepEqual(s2.seeds, [1, 2]);
  assert.deepEqual(s2.finals, [0.3, 0.5]);
  assert.equal(s2.mean, 0.4);
  assert.equal(s2.success_rate, 0.5);
  assert.ok(Math.abs(s2.sd! - Math.SQRT1_2 * 0.2) < 1e-12);
  assert.deepEqual(s2.expected_max, [0.4, 0.5]);
  assert.equal(s2.mean_flops, 2 * 2 * 1e9 * 1000); // 2 generations × 2·P·tokens
  const s1 = plain.splits.find((s) => s.T === 1)!;
  assert.deepEqual(s1.finals, [0.6]);
  assert.equal(s1.expected_max.length, 1);
  assert.equal(plain.splits.find((s) => s.T === 4)!.n_runs, 0);

  const withPrefix = sweep(runs, { task: "t", model: "m", C: 4, prefixes: true });
  const p2 = withPrefix.splits.find((s) => s.T === 2)!;
  assert.deepEqual(p2.seeds, [1, 2, 3]);
  assert.deepEqual(p2.finals, [0.3, 0.5, 0.4]);
  assert.equal(p2.n_prefix, 1);
  assert.equal(p2.mean_flops, 2 * 2 * 1e9 * 1000); // a prefix costs its first T generations
  assert.equal(p2.success_rate, null);
  assert.throws(() => sweep(runs, { task: "t", model: "m", C: 0 }), /C must be/);
});

test("sweep: expected max over 12 seeds is capped at k = 10 and rises with k", () => {
  const runs = Array.from({ length: 12 }, (_, s) => rec(s, 1, [0, ((s * 7) % 12) / 12]));
  const split = sweep(runs, { task: "t", model: "m", C: 1 }).splits[0]!;
  assert.equal(split.expected_max.length, 10);
  for (let k = 2; k <= 10; k++) assert.ok(split.expected_max[k - 1]! >= split.expected_max[k - 2]!);
  assert.equal(split.expected_max[9], expectedMaxOfK(split.finals, 10));
});
