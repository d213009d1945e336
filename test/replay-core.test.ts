import assert from "node:assert/strict";
import { test } from "node:test";
import { createPolicy } from "../src/policies/index.ts";
import {
  buildPools,
  enumerateInstances,
  expectedMaxOfK,
  iqm,
  type Pool,
  quantile,
  ReplayError,
  replay,
  sampleInstances,
  syntheticRecord,
  wilcoxonSignedRank,
} from "../src/replay/index.ts";
import { rng } from "../src/util/rng.ts";
import { StreamRng } from "../src/util/stream-rng.ts";

const rec = (seed: number, curve: number[], N = 4, file?: string) =>
  syntheticRecord({ task: "t", model: "m", N, seed, curve }, file);

/** A pool straight from curves (seeds 0..S−1). */
function poolOf(curves: number[][]): Pool {
  return buildPools(curves.map((c, s) => rec(s, c)))[0]!;
}

/** Random non-decreasing curves of depth L. */
function randomCurves(s: number, depth: number, seed: number): number[][] {
  const r = rng(seed, 9);
  return Array.from({ length: s }, () => {
    let v = r.next() * 0.3;
    const rate = r.next() * 0.05;
    return Array.from({ length: depth + 1 }, (_, g) =>
      g === 0 ? v : (v = Math.max(v, v + rate * r.normal())),
    );
  });
}

test("buildPools: one curve per seed, the longest, ties to the first path; bandit runs ignored; N apart", () => {
  const runs = [
    rec(3, [0.1, 0.2], 4, "b/greedy_T1.json"),
    rec(3, [0.1, 0.2, 0.3], 4, "z/greedy_T2.json"),
    rec(3, [0.1, 0.2, 0.3], 4, "a/greedy_T2.json"),
    rec(1, [0.5], 4),
    rec(1, [0.5, 0.6], 8),
    rec(2, [0.1, 0.9], 4, "x/bad_prefix.json"),
    rec(2, [0.1, 0.2, 0.4], 4, "x/long.json"),
  ];
  const pools = buildPools(runs);
  assert.deepEqual(
    pools.map((p) => [p.N, p.seeds]),
    [
      [4, [1, 2, 3]],
      [8, [1]],
    ],
  );
  const p = pools[0]!;
  assert.deepEqual(p.depths, [0, 2, 2]);
  assert.equal(p.files[2], "a/greedy_T2.json");
  assert.deepEqual(Array.from(p.curves[2]!), [0.1, 0.2, 0.3]);
  assert.equal(p.warnings.length, 1);
  assert.match(p.warnings[0]!, /bad_prefix.json: seed 2 is not a prefix/);
});

test("instances: lexicographic enumeration and seeded samples of distinct ascending seeds", () => {
  assert.deepEqual(Array.from(enumerateInstances(4, 2).arms), [0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3]);
  assert.equal(enumerateInstances(10, 3).count, 120);
  const s = sampleInstances(40, 10, 500, 7);
  assert.deepEqual(s.arms, sampleInstances(40, 10, 500, 7).arms);
  for (let i = 0; i < s.count; i++) {
    const a = Array.from(s.arms.subarray(i * 10, i * 10 + 10));
    for (let j = 1; j < 10; j++) assert.ok(a[j]! > a[j - 1]!);
  }
});

test("known optimum: a single rising arm; leader finds it, references as worked out", () => {
  // arm 2 rises 0.01 per generation from 0.2; arms 0, 1, 3 stay at 0.1; G = 10, K = 4
  const flat = Array(11).fill(0.1);
  const rising = Array.from({ length: 11 }, (_, g) => 0.2 + 0.01 * g);
  const pool = poolOf([flat, flat, rising, flat]);
  // --subset keeps the arms in the order given (others take a seeded random order)
  const res = replay(pool, { K: 4, rounds: 10, policies: ["leader", "ucb"], subset: [0, 1, 2, 3] });
  assert.equal(res.n_instances, 1);
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(res.policies.leader!.mean, 0.2 + 0.01 * 7); // 4 probes, then 6 more pulls of arm 2 → f(7)
  close(res.references.oracle.mean, 0.3); // f_2(10)
  close(res.references.uniform.mean, 0.2 + 0.01 * 2); // shares 3,3,2,2 → arm 2 gets 2
  close(res.references.single.mean, (0.1 * 3 + 0.3) / 4);
  assert.equal(res.policies.leader!.p_improve_vs_uniform, 1);
  assert.equal(res.n_normalized, 1);
  close(res.policies.leader!.normalized_mean!, (0.27 - 0.22) / (0.3 - 0.22));
  assert.deepEqual(res.pulls.leader!.by_arm, [1, 1, 7, 1]); // 4 probes, then arm 2
  assert.equal(res.curves.leader!.mean.length, 10);
  close(res.curves.leader!.mean[9]!, res.policies.leader!.mean);
});

test("deep logs: every policy lies between max f(0) and the oracle; K = 1 equals one run given G rounds", () => {
  const curves = randomCurves(8, 20, 1);
  const pool = poolOf(curves);
  const res = replay(pool, { K: 3, rounds: 20, bootstrap: 0 });
  assert.equal(res.n_instances, 56);
  for (const [name, out] of Object.entries(res.instances.outcomes)) {
    for (let i = 0; i < res.n_instances; i++) {
      const arms = Array.from(res.instances.arms.subarray(i * 3, i * 3 + 3));
      const f0 = Math.max(...arms.map((j) => curves[j]![0]!));
      assert.ok(out[i]! >= f0 - 1e-15, name);
      assert.ok(out[i]! <= res.instances.outcomes.oracle![i]! + 1e-15, name);
    }
    assert.equal(res.policies[name]?.exhausted_rate ?? 0, 0);
  }
  const one = replay(pool, { K: 1, rounds: 20, bootstrap: 0 });
  for (const p of Object.values(one.policies)) {
    assert.equal(p.mean, one.references.oracle.mean);
    assert.equal(p.mean, one.references.single.mean);
    assert.equal(p.mean, one.references.uniform.mean);
  }
});

test("--subset: the arms in the given order, selections and final match a hand replay", () => {
  const curves = randomCurves(6, 12, 2);
  const pool = poolOf(curves);
  const res = replay(pool, { K: 3, rounds: 12, subset: [4, 1, 5], policies: ["ucb", "thompson"], seed: 3 });
  assert.equal(res.n_instances, 1);
  assert.equal(res.bootstrap, 0);
  for (const name of ["ucb", "thompson"]) {
    const p = createPolicy(name, { nArms: 3, horizon: 12, rng: new StreamRng(3, 1) }); // replay: stream 1 + instance index
    const seeds = [4, 1, 5];
    const n = [0, 0, 0];
    let best = Math.max(...seeds.map((s) => curves[s]![0]!));
    const sel: number[] = [];
    for (let r = 0; r < 12; r++) {
      const a = p.select();
      n[a]!++;
      const y = curves[seeds[a]!]![n[a]!]!;
      p.update(a, y);
      best = Math.max(best, y);
      sel.push(a);
    }
    assert.deepEqual(res.policies[name]!.selections, sel);
    assert.equal(res.policies[name]!.final, best);
  }
});

test("exhausted-arm fallback: fewest pulls, lowest index; stop when every arm is exhausted", () => {
  // arm 0 is best but logged 2 deep; arm 1 and 2 are 5 deep
  const pool = poolOf([
    [0.9, 0.95, 0.99],
    [0.1, 0.2, 0.3, 0.4, 0.5],
    [0.1, 0.1, 0.1, 0.1, 0.1],
  ]);
  const res = replay(pool, { K: 3, rounds: 8, subset: [0, 1, 2], policies: ["leader"] });
  // leader: 0, 1, 2, then arm 0 (best) once more → exhausted → fallback to the fewest pulls (arm 1 has 1, arm 2 has 1 → arm 1)
  assert.deepEqual(res.policies.leader!.selections, [0, 1, 2, 0, 1, 2, 1, 2]);
  assert.equal(res.policies.leader!.exhausted_rate, 4 / 8);
  assert.ok(res.notes.some((n) => /shallower than G = 8/.test(n)));
  assert.equal(res.depth.min, 2);
  // 11 rounds cannot all be spent: 2 + 4 + 4 = 10 pulls, then the replay stops
  const stop = replay(pool, { K: 3, rounds: 11, subset: [0, 1, 2], policies: ["ucb"] });
  assert.equal(stop.policies.ucb!.selections!.length, 10);
  assert.equal(stop.policies.ucb!.stopped_rate, 1);
  assert.equal(stop.policies.ucb!.final, 0.99);
  assert.equal(stop.curves.ucb!.mean.length, 11);
  assert.equal(stop.curves.ucb!.mean[10], 0.99);
});

test("common random numbers: a policy's outcomes do not depend on which others run", () => {
  const pool = poolOf(randomCurves(7, 10, 3));
  const alone = replay(pool, { K: 3, rounds: 10, policies: ["thompson"], bootstrap: 0, seed: 5 });
  const together = replay(pool, {
    K: 3,
    rounds: 10,
    policies: ["random", "exp3p", "thompson"],
    bootstrap: 0,
    seed: 5,
  });
  assert.deepEqual(alone.instances.outcomes.thompson, together.instances.outcomes.thompson);
  const other = replay(pool, { K: 3, rounds: 10, policies: ["thompson"], bootstrap: 0, seed: 6 });
  assert.notDeepEqual(alone.instances.outcomes.thompson, other.instances.outcomes.thompson);
});

test("sampled instances when C(S, K) exceeds the maximum; parameters are recorded", () => {
  const pool = poolOf(randomCurves(12, 8, 4));
  const res = replay(pool, {
    K: 6,
    rounds: 8,
    policies: ["ucb"],
    params: { ucb: { c: 0.5 } },
    maxInstances: 300,
    bootstrap: 50,
  });
  assert.equal(res.n_instances, 300);
  assert.equal(res.enumerated, false);
  assert.deepEqual(res.policies.ucb!.params, { c: 0.5 });
  const [lo, hi] = res.policies.ucb!.ci95!;
  assert.ok(lo <= res.policies.ucb!.mean && res.policies.ucb!.mean <= hi);
  const c = res.curves.ucb!;
  for (let r = 0; r < 8; r++) assert.ok(c.lo[r]! <= c.hi[r]!);
  assert.ok(res.comparisons.some((x) => x.a === "ucb" && x.b === "oracle" && x.mean_diff <= 0));
});

test("bad input is a ReplayError or PolicyError naming what is available", () => {
  const pool = poolOf(randomCurves(4, 5, 5));
  assert.throws(() => replay(pool, { K: 5, rounds: 5 }), /too few seeds for K = 5: .* has 4 \(0, 1, 2, 3\)/);
  assert.throws(() => replay(pool, { K: 2, rounds: 0 }), ReplayError);
  assert.throws(
    () => replay(pool, { K: 2, rounds: 5, subset: [0, 9] }),
    /seed 9 is not in the pool \(available: 0, 1, 2, 3\)/,
  );
  assert.throws(
    () => replay(pool, { K: 2, rounds: 5, policies: ["nope"] }),
    /unknown policy "nope" \(available: ucb/,
  );
  assert.throws(
    () => replay(pool, { K: 2, rounds: 5, policies: ["ucb"], params: { ucb: { x: 1 } } }),
    /ucb.x/,
  );
});

test("expected max of k: unbiased, equals brute force over all k-subsets", () => {
  const r = rng(11);
  const values = Array.from({ length: 9 }, () => Math.round(r.next() * 20) / 10); // with ties
  const frozen = [...values];
  for (let k = 1; k <= values.length; k++) {
    const subsets = enumerateInstances(values.length, k);
    let total = 0;
    for (let i = 0; i < subsets.count; i++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < k; a++) m = Math.max(m, values[subsets.arms[i * k + a]!]!);
      total += m;
    }
    assert.ok(Math.abs(expectedMaxOfK(values, k) - total / subsets.count) < 1e-12, `k=${k}`);
  }
  assert.deepEqual(values, frozen);
  assert.equal(expectedMaxOfK([1, 2, 3], 2), 8 / 3);
  assert.throws(() => expectedMaxOfK([1, 2], 3), ReplayError);
  assert.throws(() => expectedMaxOfK([], 1), ReplayError);
});

test("seed intervals cover the true value ~95% of the time (K = 1 mean, K = 2 expected max)", () => {
  // seeds with flat curves v_s ~ N(0.5, 0.1²): the K = 1 oracle is the sample mean (true 0.5);
  // the K = 2 oracle is the mean max of pairs (true 0.5 + 0.1/√π)
  const trials = 120;
  let cover1 = 0;
  let cover2 = 0;
  for (let t = 0; t < trials; t++) {
    const r = rng(1000 + t);
    const curves = Array.from({ length: 25 }, () => {
      const v = 0.5 + 0.1 * r.normal();
      return [v, v];
    });
    const pool = poolOf(curves);
    const a = replay(pool, {
      K: 1,
      rounds: 1,
      policies: ["random"],
      bootstrap: 200,
      seed: t,
    });
    const [lo1, hi1] = a.references.oracle.ci95!;
    if (lo1 <= 0.5 && 0.5 <= hi1) cover1++;
    const b = replay(pool, {
      K: 2,
      rounds: 1,
      policies: ["random"],
      bootstrap: 200,
      seed: t,
    });
    const truth = 0.5 + 0.1 / Math.sqrt(Math.PI);
    const [lo2, hi2] = b.references.oracle.ci95!;
    if (lo2 <= truth && truth <= hi2) cover2++;
  }
  assert.ok(cover1 / trials >= 0.86 && cover1 / trials <= 0.995, `K=1 coverage ${cover1 / trials}`);
  assert.ok(cover2 / trials >= 0.86 && cover2 / trials <= 0.995, `K=2 coverage ${cover2 / trials}`);
});

test("statistics: quantiles (type 7), IQM, Wilcoxon signed-rank", () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([4, 1, 3, 2], 0.25), 1.75);
  assert.equal(iqm([1, 2, 3, 4, 100, 5, 6, 7]), 4.5);
  assert.deepEqual(wilcoxonSignedRank([1, 2, 3, 4, 5]), { n: 5, statistic: 15, p_value: 0.0625 });
  // scipy.stats.wilcoxon([1.5, -0.5, 2, 3, -1, 4, 0]) (zero dropped): W+ = 3+4+5+6 = 18 of 21, exact p = 0.15625
  const w = wilcoxonSignedRank([1.5, -0.5, 2, 3, -1, 4, 0]);
  assert.equal(w.n, 6);
  assert.equal(w.statistic, 18);
  assert.equal(w.p_value, 0.15625);
  assert.equal(wilcoxonSignedRank([0, 0]).p_value, null);
});

test("StreamRng: next and int reproduce rng(seed, stream) after any reseed; normal is standard normal", () => {
  const s = new StreamRng(123, 0);
  for (const [seed, stream] of [
    [0, 0],
    [7, 1],
    [-5, 99999],
    [2 ** 31 - 1, 3],
  ] as const) {
    s.normal();
    s.reseed(seed, stream);
    const ref = rng(seed, stream);
    for (let i = 0; i < 50; i++) {
      assert.equal(s.next(), ref.next());
      assert.equal(s.int(17), ref.int(17));
    }
  }
  // ziggurat normals: moments and tail frequencies of 400,000 draws (the tail beyond 3.44 takes its own path)
  const n = 400_000;
  s.reseed(42, 0);
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  let beyond196 = 0;
  let beyond35 = 0;
  let belowMinus1 = 0;
  for (let i = 0; i < n; i++) {
    const z = s.normal();
    m1 += z;
    m2 += z * z;
    m3 += z * z * z;
    if (Math.abs(z) > 1.959964) beyond196++;
    if (z > 3.5) beyond35++;
    if (z < -1) belowMinus1++;
  }
  const se = (p: number) => Math.sqrt((p * (1 - p)) / n);
  assert.ok(Math.abs(m1 / n) < 0.01, `mean ${m1 / n}`);
  assert.ok(Math.abs(m2 / n - 1) < 0.01, `variance ${m2 / n}`);
  assert.ok(Math.abs(m3 / n) < 0.03, `third moment ${m3 / n}`);
  assert.ok(Math.abs(beyond196 / n - 0.05) < 5 * se(0.05), `P(|z| > 1.96) ${beyond196 / n}`);
  assert.ok(Math.abs(beyond35 / n - 2.326e-4) < 5 * se(2.326e-4), `P(z > 3.5) ${beyond35 / n}`);
  assert.ok(Math.abs(belowMinus1 / n - 0.158655) < 5 * se(0.158655), `P(z < -1) ${belowMinus1 / n}`);
});

test("K = S leaves no instance when a seed is left out: no intervals, and a note says why", () => {
  const pool = poolOf(randomCurves(5, 6, 8));
  const res = replay(pool, { K: 5, rounds: 6, policies: ["ucb"], bootstrap: 200 });
  assert.equal(res.n_instances, 1);
  assert.equal(res.policies.ucb!.ci95, null);
  assert.equal(res.references.oracle.ci95, null);
  assert.equal(res.interval_method, "none");
  assert.ok(res.notes.some((n) => /jackknife needs K < S/.test(n)));
  const ok = replay(poolOf(randomCurves(12, 6, 8)), { K: 2, rounds: 6, policies: ["ucb"], bootstrap: 200 });
  assert.notEqual(ok.policies.ucb!.ci95, null);
});
