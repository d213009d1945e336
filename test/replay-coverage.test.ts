import assert from "node:assert/strict";
import { test } from "node:test";
import { getPolicy, resolveParams } from "../src/policies/index.ts";
import {
  curveTable,
  disjointInstances,
  jackknife,
  type Pool,
  pairedTest,
  references,
  replay,
  runPolicy,
  seedInterval,
  seedMean,
  seedPValue,
  tQuantile,
  unseenShare,
} from "../src/replay/index.ts";
import { rng } from "../src/util/rng.ts";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("jackknife-t and jackknife-skew through seedInterval are jackknife's intervals", () => {
  const st = seedMean([0.31, 0.42, 0.28, 0.55, 0.47, 0.39, 0.9]);
  assert.deepEqual(seedInterval(st, { method: "jackknife-t" }), jackknife(st).ci95);
  assert.deepEqual(seedInterval(st, { method: "jackknife-skew" }), jackknife(st, { skew: true }).ci95);
  // jackknife-pseudo without a range is jackknife-skew
  assert.deepEqual(seedInterval(st, { method: "jackknife-pseudo" }), jackknife(st, { skew: true }).ci95);
  // no seed changes the statistic: no interval from the jackknife
  const flat = seedMean([0.5, 0.5, 0.5, 0.5]);
  assert.equal(seedInterval(flat, { method: "jackknife-skew" }), null);
  assert.equal(seedInterval(flat, { method: "jackknife-pseudo" }), null);
});

test("jackknife-pseudo: a pseudo-seed at each edge of the range, K-scaled, by hand", () => {
  const x = [0.2, 0.4, 0.3, 0.5, 0.1];
  const st = seedMean(x);
  const s = x.length;
  const m = 0.3;
  const ss = x.reduce((a, v) => a + (v - m) ** 2, 0); // pseudo-values of a mean are the values
  const k = 3;
  const c = 0.2;
  const seHi = Math.sqrt((ss + c * (k * (1 - m)) ** 2) / (s * (s - 1)));
  const seLo = Math.sqrt((ss + c * (k * (m - 0)) ** 2) / (s * (s - 1)));
  const t = tQuantile(0.975, s - 1);
  // symmetric values: no skew widening
  const ci = seedInterval(st, { method: "jackknife-pseudo", range: [0, 2], k, kind: "mean" })!;
  const ciP = seedInterval(st, { method: "jackknife-pseudo", range: [0, 1], k, kind: "mean" })!;
  close(ciP[0], m - t * seLo);
  close(ciP[1], m + t * seHi);
  assert.ok(ci[1] > ciP[1] && Math.abs(ci[0] - ciP[0]) < 1e-12, "a wider range widens only its own side");
  // a proportion is clipped to [0, 1]
  const p = seedInterval(seedMean([1, 1, 1, 0.5, 1]), {
    method: "jackknife-pseudo",
    range: [0, 1],
    k: 5,
    kind: "proportion",
  })!;
  assert.ok(p[1] === 1 && p[0] < 0.9);
  // the p-value uses the standard error facing 0
  const d = seedMean([0.02, 0.01, 0.03, 0.0, 0.04]);
  const pv = seedPValue(d, { method: "jackknife-pseudo", range: [-1, 1], k: 2, kind: "difference" })!;
  const se = Math.sqrt(
    ([0.02, 0.01, 0.03, 0.0, 0.04].reduce((a, v) => a + (v - 0.02) ** 2, 0) + 0.1 * (2 * 1.02) ** 2) / 20,
  );
  const tp = pairedTest(seedMean([0, 0, 0, 0, 0]), seedMean([-0.02, -0.01, -0.03, 0, -0.04])).p_value!;
  assert.ok(pv > tp, `${pv} > ${tp}: the prior makes a difference harder to call`);
  close(pv, 2 * (1 - tcdf4(0.02 / se)), 1e-12);
});

/** Student t CDF on 4 degrees of freedom, closed form (independent of src). */
function tcdf4(t: number): number {
  const u = t / Math.sqrt(4 + t * t);
  return 0.5 + 0.75 * u * (1 - (u * u) / 3);
}

test("jackknife-pseudo: the rule of three where no seed changes the statistic", () => {
  const flat = seedMean(Array(10).fill(0.5));
  const f = unseenShare(10, 5);
  close(unseenShare(20, 1), 1 - 0.025 ** (1 / 20));
  close(f, 1 - (0.025 ** (1 / 10)) ** 5);
  const ci = seedInterval(flat, { method: "jackknife-pseudo", range: [0, 1], k: 5, kind: "proportion" })!;
  close(ci[0], 0.5 - f * 0.5);
  close(ci[1], 0.5 + f * 0.5);
  assert.equal(
    seedPValue(flat, { method: "jackknife-pseudo", range: [0, 1], k: 5, kind: "proportion" }),
    null,
  );
});

/**
 * Seeds that rarely improve: with probability 0.1 a seed jumps from 0.25 to 1 at its first generation, else
 * it never improves. A pool of 10 such seeds holds none in 0.9^10 = 35 % of draws: there every policy ties
 * with single, P(improve vs single) is ½ on every instance and no seed left out changes it.
 */
function rareCurves(n: number, seed: number): Float64Array[] {
  const r = rng(seed, 5);
  return Array.from({ length: n }, () => {
    const jump = r.next() < 0.1;
    return Float64Array.from({ length: 9 }, (_, g) => (jump && g >= 1 ? 1 : 0.25));
  });
}

function poolOf(curves: Float64Array[]): Pool {
  return {
    task: "rare",
    model: "m",
    N: 1,
    seeds: curves.map((_, i) => i),
    curves,
    depths: curves.map(() => 8),
    files: curves.map((_, i) => `s${i}`),
    warnings: [],
  };
}

test("a seeded simulation: rare improving seeds; jackknife-pseudo covers P(improve), jackknife-skew does not", () => {
  const S = 10;
  const K = 3;
  const G = 4;
  // the truth: P(random beats single), by Monte Carlo over 20,000 instances of K fresh seeds
  const m = 20_000;
  const table = curveTable(poolOf(rareCurves(m * K, 99)));
  const inst = disjointInstances(m * K, K);
  const y = runPolicy(table, inst, {
    spec: getPolicy("random"),
    params: resolveParams("random"),
    rounds: G,
    seed: 1,
    firstInstance: 0,
  }).outcomes;
  const single = references(table, inst, G).single;
  let wins = 0;
  for (let i = 0; i < m; i++) wins += y[i]! > single[i]! ? 1 : y[i] === single[i] ? 0.5 : 0;
  const truth = wins / m; // about 0.5 + 0.5·P(random finds a jumper single misses) ≈ 0.58
  const pools = 200;
  const hits = { "jackknife-pseudo": 0, "jackknife-skew": 0 };
  for (const method of ["jackknife-pseudo", "jackknife-skew"] as const)
    for (let i = 0; i < pools; i++) {
      const res = replay(poolOf(rareCurves(S, 4242 + i)), {
        K,
        rounds: G,
        policies: ["random"],
        seed: i,
        intervalMethod: method,
      });
      const ci = res.policies.random!.p_improve_vs_single_ci95;
      if (ci && ci[0] <= truth && truth <= ci[1]) hits[method]++;
    }
  const old = hits["jackknife-skew"] / pools;
  const now = hits["jackknife-pseudo"] / pools;
  assert.ok(old < 0.75, `jackknife-skew covers ${old} of pools (truth ${truth})`);
  assert.ok(now >= 0.9, `jackknife-pseudo covers ${now} of pools (truth ${truth})`);
});
