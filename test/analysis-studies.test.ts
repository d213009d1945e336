import assert from "node:assert/strict";
import { test } from "node:test";
import { ablationKs, effects, pairedDiff } from "../src/analysis/effects.ts";
import { poolStudies } from "../src/analysis/studies.ts";
import {
  bootstrapMeanCurves,
  defaultTaus,
  earliestReach,
  reachRows,
  replayMeanCurves,
} from "../src/analysis/threshold.ts";
import { buildPools, expectedMaxOfK, type Pool, replay, syntheticRecord } from "../src/replay/index.ts";
import { StreamRng } from "../src/util/stream-rng.ts";

const step = (at: number, depth: number, lo = 0, hi = 1) =>
  Array.from({ length: depth + 1 }, (_, g) => (g >= at ? hi : lo));

function poolOf(curves: number[][], N = 4): Pool {
  return buildPools(
    curves.map((c, s) => syntheticRecord({ task: "t", model: "m", N, seed: s, curve: c })),
  )[0]!;
}

test("earliestReach: the first step whose lower bound is at or above τ; NaN never counts", () => {
  const c = { steps: 4, lower: Float64Array.from([Number.NaN, 0.5, 1, 0.9]) };
  assert.equal(earliestReach(c, 0.5), 1);
  assert.equal(earliestReach(c, 1), 2);
  assert.equal(earliestReach(c, -1), 1);
  assert.equal(earliestReach(c, 3), null);
  assert.equal(earliestReach({ steps: 0, lower: new Float64Array() }, 0), null);
});

test("bootstrapMeanCurves: reached exactly where at least 90% of the resampled means reach τ", () => {
  // the same resamples by hand (same stream): the share reaching τ at each step decides
  const curves = [step(2, 8), step(5, 8), step(3, 8, 0, 0.6), step(6, 8, 0.1, 0.8), step(1, 8, 0, 0.3)];
  const B = 200;
  const boot = bootstrapMeanCurves(curves, B, 3);
  const r = new StreamRng(3, 0x7ffe0001);
  const means: number[][] = [];
  for (let b = 0; b < B; b++) {
    const m = new Array(5).fill(0);
    for (let i = 0; i < 5; i++) m[r.int(5)]++;
    means.push(Array.from({ length: 9 }, (_, t) => curves.reduce((acc, c, j) => acc + m[j] * c[t]!, 0) / 5));
  }
  for (const tau of [0.1, 0.25, 0.4, 0.55, 0.7, 0.9]) {
    let expected: number | null = null;
    for (let t = 0; t < 9 && expected === null; t++)
      if (means.filter((m) => m[t]! >= tau - 1e-12).length >= 0.9 * B) expected = t;
    assert.equal(earliestReach(boot, tau), expected, `tau ${tau}`);
  }
});

test("threshold-reaching on curves with a known crossing: half the seeds step at 3, half at 7", () => {
  // mean curve 0 → 0.5 (g = 3..6) → 1 (g ≥ 7). A resample's mean at g = 3..6 is the share X/10 of
  // early seeds drawn: P(X ≥ 3) = 0.945 ≥ 0.9, P(X ≥ 5) = 0.62 < 0.9, so τ = 0.25 is reached at 3,
  // τ = 0.45 and τ = 0.9 only at 7 (every resample is 1 there), τ = 1.5 never.
  const curves = [
    ...Array.from({ length: 5 }, () => step(3, 12)),
    ...Array.from({ length: 5 }, () => step(7, 12)),
  ];
  const boot = bootstrapMeanCurves(curves, 1000, 1);
  assert.equal(boot.steps, 13);
  assert.equal(earliestReach(boot, 0.25), 3);
  assert.equal(earliestReach(boot, 0.45), 7);
  assert.equal(earliestReach(boot, 0.9), 7);
  assert.equal(earliestReach(boot, 1.5), null);
  const rows = reachRows(
    {
      task: "t",
      model: "m",
      kind: "greedy",
      method: "greedy N=4",
      policy: null,
      N: 4,
      K: null,
      units: 10,
      curves: boot,
    },
    [
      { tau: 0.25, level: null },
      { tau: 1.5, level: null },
    ],
  );
  assert.deepEqual(
    rows.map((r) => [r.generation, r.calls, r.budget_generations, r.budget_calls]),
    [
      [3, 12, 12, 48],
      [null, null, 12, 48],
    ],
  );
  // curves of unequal depth are cut at the shortest
  assert.equal(bootstrapMeanCurves([step(1, 5), step(1, 3)], 10, 0).steps, 4);
  assert.throws(() => bootstrapMeanCurves([], 10, 0), /no curves/);
});

test("defaultTaus: 50/75/90% of the best seen per task, or the given τ", () => {
  const t = defaultTaus(new Map([["cp", 0.8]]));
  assert.deepEqual(
    t.get("cp")!.map((x) => [Number(x.tau.toFixed(10)), x.level]),
    [
      [0.4, 0.5],
      [0.6, 0.75],
      [0.72, 0.9],
    ],
  );
  assert.deepEqual(defaultTaus(new Map([["cp", 0.8]]), [0.3]).get("cp"), [{ tau: 0.3, level: null }]);
});

test("replay threshold-reaching: identical seeds that step at 4 are reached at round 4 by a policy that commits to one arm", () => {
  const pool = poolOf(Array.from({ length: 6 }, () => step(4, 10)));
  // the round logic, where the bound is the point itself (jackknife-skew: no seed changes the mean, no spread)
  const curves = replayMeanCurves(pool, {
    K: 3,
    rounds: 10,
    policies: ["leader", "ucb"],
    intervalMethod: "jackknife-skew",
  });
  // leader: one pull each (rounds 1–3), then the leader: round 3 + 3 more pulls of it → 4 pulls at round 6
  assert.equal(earliestReach(curves.get("leader")!, 0.5), 6);
  // ucb spreads pulls round robin at first: an arm has 4 pulls at round 10 (3·3 + 1)
  assert.equal(earliestReach(curves.get("ucb")!, 0.5), 10);
  assert.equal(curves.get("ucb")!.steps, 11);
  // the default (jackknife-pseudo): six identical seeds do not show that every seed steps at 4 — the rule of
  // three leaves room for up to 46 % of seeds unlike them, so 0.5 is not reached with 97.5 % confidence
  const honest = replayMeanCurves(pool, { K: 3, rounds: 10, policies: ["leader"] });
  assert.equal(earliestReach(honest.get("leader")!, 0.5), null);
});

test("replay threshold-reaching bounds the mean curve as the replay's own interval does (same instances, streams, method)", () => {
  const curves = Array.from({ length: 9 }, (_, s) =>
    Array.from({ length: 13 }, (_, g) => Math.min(1, 0.05 * s * Math.sqrt(g) + (g > s ? 0.2 : 0))),
  );
  const pool = poolOf(curves);
  const opts = { K: 3, rounds: 12, policies: ["ucb", "thompson"], maxInstances: 60, seed: 5 };
  // a one-sided 97.5% bound is the lower end of the two-sided 95% interval of the final mean
  const bounds = replayMeanCurves(pool, { ...opts, level: 0.975 });
  const res = replay(pool, { ...opts, curveInstances: 60 });
  for (const p of opts.policies) {
    const lower = bounds.get(p)!.lower;
    assert.ok(res.policies[p]!.ci95 !== null);
    // the curves are stored in float32
    assert.ok(
      Math.abs(lower[12]! - res.policies[p]!.ci95![0]) < 1e-6,
      `${p}: ${lower[12]} vs ${res.policies[p]!.ci95![0]}`,
    );
    for (let r = 0; r <= 12; r++)
      assert.ok(lower[r]! <= res.curves[p]!.mean[Math.max(0, r - 1)]! + 1e-6 || r === 0);
  }
  // K = S: no seed can be left out, so no bound and τ is never reached
  const all = replayMeanCurves(poolOf(curves.slice(0, 3)), { K: 3, rounds: 12, policies: ["ucb"] });
  assert.equal(earliestReach(all.get("ucb")!, 0), null);
});

test("K ablation on a pool with a known answer: leader's gain over single is E[max of K] − mean", () => {
  // seed s reaches v_s after its first generation and stays there: one pull each, then any
  // choice keeps the best, so leader's outcome is the instance's max and single is the mean
  const v = [0.1, 0.35, 0.2, 0.9, 0.5, 0.45, 0.3, 0.7];
  const pool = poolOf(v.map((x) => [0, ...Array.from({ length: 12 }, () => x)]));
  assert.deepEqual(ablationKs(8), [2, 3, 5]);
  assert.deepEqual(ablationKs(3), [2]);
  assert.deepEqual(ablationKs(60), [2, 3, 5, 10, 20, 50]);
  const main = replay(pool, { K: 5, rounds: 12, policies: ["leader", "random", "ucb"], bootstrap: 100 });
  const s = poolStudies(pool, main, {
    taus: new Map([["t", [{ tau: 0.5, level: null }]]]),
    reachReplicates: 100,
    bootstrap: 100,
    maxInstances: 1000,
    seed: 0,
  });
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const gains = [2, 3, 5].map((K) => s.effects.find((e) => e.K === K && e.policy === "leader")!.total_effect);
  [2, 3, 5].forEach((K, i) => {
    assert.ok(Math.abs(gains[i]! - (expectedMaxOfK(v, K) - mean)) < 1e-12, `K=${K}`);
  });
  assert.ok(gains[0]! < gains[1]! && gains[1]! < gains[2]!);
  // ucb also tries every arm first (G ≥ K): the same outcome as leader
  const ucb5 = s.effects.find((e) => e.K === 5 && e.policy === "ucb")!;
  assert.ok(Math.abs(ucb5.total_effect - gains[2]!) < 1e-12);
  // the two steps add up: (random − single) + (policy − random) = policy − single
  for (const e of s.effects)
    assert.ok(Math.abs(e.pool_effect + e.allocation_effect - e.total_effect) < 1e-12);
  assert.ok(s.reach.length === 3 && s.reach.every((r) => r.kind === "replay" && r.K === 5));
});

test("effects and pairedDiff: sign flips with the order; no random policy, no effects", () => {
  const pool = poolOf(Array.from({ length: 5 }, (_, s) => step(1 + s, 8, 0, 0.1 * (s + 1))));
  const r = replay(pool, { K: 3, rounds: 8, policies: ["ucb", "random"], bootstrap: 50 });
  const ab = pairedDiff(r, "ucb", "random")!;
  const ba = pairedDiff(r, "random", "ucb")!;
  assert.equal(ab.diff, -ba.diff);
  assert.deepEqual(ab.ci95, ba.ci95 ? [-ba.ci95[1], -ba.ci95[0]] : null);
  assert.equal(pairedDiff(r, "ucb", "nope"), null);
  const e = effects(r)!;
  assert.equal(e.find((x) => x.policy === "random")!.allocation_effect, 0);
  assert.equal(effects(replay(pool, { K: 3, rounds: 8, policies: ["ucb"], bootstrap: 0 })), null);
});
