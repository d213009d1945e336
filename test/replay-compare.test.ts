import assert from "node:assert/strict";
import { test } from "node:test";
import type { Worker } from "node:worker_threads";
import { claimChunks } from "../src/replay/chunks.ts";
import { curveTable, runPolicy } from "../src/replay/engine.ts";
import {
  buildPools,
  difference,
  holm,
  jackknife,
  type Pool,
  pairedTest,
  pickBest,
  replay,
  replayThreaded,
  replayThreads,
  seedMean,
  startKernelWorkers,
  syntheticRecord,
  tQuantile,
} from "../src/replay/index.ts";
import { policyKernels } from "../src/replay/kernels.ts";
import { kernelOptions, planReplay } from "../src/replay/plan.ts";
import { rng } from "../src/util/rng.ts";

/** Resolves once `w` has exited (at once if it has). */
const exited = (w: Worker) =>
  new Promise<void>((done) => (w.threadId === -1 ? done() : w.once("exit", () => done())));
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("jackknife of a mean over seeds is the Student-t interval; df = S − 1", () => {
  const x = [0.31, 0.42, 0.28, 0.55, 0.47, 0.39];
  const frozen = [...x];
  const est = jackknife(seedMean(x));
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
  close(est.point, m);
  close(est.se, sd / Math.sqrt(x.length));
  assert.equal(est.df, 5);
  close(tQuantile(0.975, 5), 2.570581835636314, 1e-9);
  const h = 2.570581835636314 * (sd / Math.sqrt(x.length));
  close(est.ci95![0], m - h, 1e-9);
  close(est.ci95![1], m + h, 1e-9);
  assert.deepEqual(x, frozen);
  // one seed: no interval; a NaN leave-one-out value: no interval
  assert.equal(jackknife(seedMean([1])).ci95, null);
  assert.equal(jackknife({ point: 1, loo: Float64Array.from([1, Number.NaN, 2]) }).ci95, null);
});

test("paired test: the paired Student t test on per-seed values; zero se", () => {
  const a = [1.0, 2.0, 3.0, 4.0, 5.0];
  const b = [0.8, 2.1, 2.5, 3.9, 4.6];
  const d = a.map((v, i) => v - b[i]!);
  const t = pairedTest(seedMean(a), seedMean(b));
  const direct = jackknife(seedMean(d));
  close(t.diff, direct.point);
  close(t.se, direct.se);
  // scipy.stats.ttest_rel(a, b): t = 2.0604887854797265, p = 0.10839243802227387
  close(t.diff / t.se, 2.0604887854797265, 1e-9);
  close(t.p_value!, 0.10839243802227387, 1e-7);
  assert.equal(pairedTest(seedMean(a), seedMean(a)).p_value, 1);
  const shifted = pairedTest(seedMean(a), seedMean(a.map((v) => v - 1)));
  assert.equal(shifted.p_value, 0);
  assert.throws(() => difference(seedMean([1, 2]), seedMean([1, 2, 3])), /paired difference/);
});

test("Holm: step-down adjusted p-values, monotone, nulls kept out of m", () => {
  assert.deepEqual(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06]);
  assert.deepEqual(holm([0.5, null, 0.01]), [0.5, null, 0.02]);
  assert.deepEqual(holm([]), []);
  assert.deepEqual(holm([0.9, 0.8]), [1, 1]);
  assert.deepEqual(holm([0.2, 0.01]), [0.2, 0.02]);
});

test("pickBest: a clear winner only when it beats every other after Holm; else the tied ones", () => {
  const r = rng(4);
  const base = Array.from({ length: 12 }, () => r.next());
  const noise = () => base.map((v) => v + 0.001 * r.normal());
  const clear = pickBest({
    low: seedMean(noise()),
    high: seedMean(base.map((v) => v + 0.1)),
    mid: seedMean(base.map((v) => v + 0.05)),
  });
  assert.equal(clear.best, "high");
  assert.equal(clear.runner_up, "mid");
  assert.equal(clear.clear, true);
  assert.equal(clear.statement, "high");
  assert.equal(clear.versus[0]!.other, "mid");
  assert.ok(clear.versus[0]!.ci95![0] > 0);
  const tied = pickBest({
    a: seedMean(noise()),
    b: seedMean(noise()),
    c: seedMean(base.map((v) => v - 0.2)),
  });
  assert.equal(tied.clear, false);
  assert.deepEqual(tied.tied.length, 1);
  assert.match(tied.statement, /^no clear winner: [ab], [ab]$/);
  assert.ok(tied.versus.find((v) => v.other === "c")!.p_holm! < 0.05);
  // the Holm-adjusted p-values are never below the raw ones
  for (const v of tied.versus) assert.ok(v.p_holm! >= v.p_value!);
  assert.equal(pickBest({ only: seedMean([1, 2]) }).statement, "only");
  assert.equal(
    pickBest({ lo: seedMean([1, 2, 3]), hi: seedMean([2, 3, 4]) }, { lowerIsBetter: true }).best,
    "lo",
  );
  assert.throws(() => pickBest({}), /no candidate/);
});

const rec = (seed: number, curve: number[]) => syntheticRecord({ task: "t", model: "m", N: 4, seed, curve });

test("fair arm order: relabelling the seeds changes no mean by more than its Monte Carlo error", () => {
  // G = 2 < K = 4: uniform gives one round to 2 of the 4 arms; seed j's curve reaches j/12, so
  // with arms in ascending seed order (the old rule) uniform always fed the two lowest seeds
  const curves = Array.from({ length: 12 }, (_, j) => [0, j / 12, j / 12]);
  const poolOf = (label: (j: number) => number): Pool =>
    buildPools(curves.map((c, j) => rec(label(j), c)))[0]!;
  const a = replay(
    poolOf((j) => j),
    { K: 4, rounds: 2, policies: ["ucb", "random", "halving"], bootstrap: 0 },
  );
  const b = replay(
    poolOf((j) => 100 - j),
    { K: 4, rounds: 2, policies: ["ucb", "random", "halving"], bootstrap: 0 },
  );
  assert.equal(a.n_instances, 495);
  for (const name of ["ucb", "random", "halving", "uniform"]) {
    const ya = a.instances.outcomes[name]!;
    const yb = b.instances.outcomes[name]!;
    const v = (y: Float64Array) => {
      const m = y.reduce((s, x) => s + x, 0) / y.length;
      return y.reduce((s, x) => s + (x - m) ** 2, 0) / (y.length - 1) / y.length;
    };
    const ma = ya.reduce((s, x) => s + x, 0) / ya.length;
    const mb = yb.reduce((s, x) => s + x, 0) / yb.length;
    const mcError = Math.sqrt(v(ya) + v(yb));
    assert.ok(Math.abs(ma - mb) <= 4 * mcError, `${name}: ${ma} vs ${mb} (MC error ${mcError})`);
  }
  // fewer rounds than arms: a note, and no best policy named
  assert.equal(a.few_rounds, true);
  assert.ok(a.notes.some((n) => /fewer rounds than arms: no policy can try every arm/.test(n)));
  const withCi = replay(
    poolOf((j) => j),
    { K: 4, rounds: 2, policies: ["ucb", "random"], bootstrap: 1 },
  );
  assert.equal(withCi.best, null);
});

test("replay names a best policy only with its paired comparisons; arms of an instance are a random order", () => {
  const r = rng(9);
  const curves = Array.from({ length: 10 }, () => {
    let v = 0.2;
    const rate = r.next() * 0.05;
    return Array.from({ length: 13 }, (_, g) => (g === 0 ? v : (v = Math.max(v, v + rate * r.normal()))));
  });
  const pool = buildPools(curves.map((c, j) => rec(j, c)))[0]!;
  const res = replay(pool, { K: 3, rounds: 12, policies: ["ucb", "random", "leader"], seed: 2 });
  assert.equal(res.interval_method, "jackknife-pseudo");
  const best = res.best!;
  assert.equal(best.versus.length, 2);
  assert.equal(best.best, Object.entries(res.policies).sort((x, y) => y[1].mean - x[1].mean)[0]![0]);
  assert.equal(
    best.clear,
    best.versus.every((v) => v.p_holm! < 0.05),
  );
  const c = res.comparisons.find((x) => x.a === "ucb" && x.b === "random")!;
  close(c.mean_diff, res.policies.ucb!.mean - res.policies.random!.mean, 1e-12);
  assert.ok(c.p_value! >= 0 && c.p_value! <= 1);
  // not every instance lists its seeds in ascending order any more
  let ascending = 0;
  for (let i = 0; i < res.n_instances; i++) {
    const arms = res.instances.arms.subarray(i * 3, i * 3 + 3);
    if (arms[0]! < arms[1]! && arms[1]! < arms[2]!) ascending++;
  }
  assert.ok(ascending > 0 && ascending < res.n_instances / 2, `${ascending} of ${res.n_instances}`);
});

test("replay on worker threads gives the same result as on one thread (curve means to rounding), whatever the thread count", async () => {
  const r = rng(21);
  const curves = Array.from({ length: 12 }, () => {
    let v = 0.1;
    return Array.from({ length: 11 }, (_, g) => (g === 0 ? v : (v = Math.max(v, v + 0.03 * r.normal()))));
  });
  const pool = buildPools(curves.map((c, j) => rec(j, c)))[0]!;
  const opts = { K: 4, rounds: 10, policies: ["ucb", "thompson", "random"], seed: 3, curveInstances: 100 };
  const one = replay(pool, opts);
  const three = await replayThreaded(pool, opts, 3, 0);
  assert.equal(three.n_instances, 495);
  // per-round curve sums add chunk totals in another order: equal to rounding, everything else bit for bit
  for (const [name, c] of Object.entries(one.curves))
    for (const key of ["mean", "lo", "hi"] as const)
      c[key].forEach((v, r) => {
        close(three.curves[name]![key][r]!, v, 1e-12);
      });
  assert.deepEqual({ ...three, curves: null }, { ...one, curves: null });
  // the chunks are fixed and merged in order, so the thread count changes nothing, curves included;
  // a worker started early (before the files are read, as the CLI does) runs as one started late
  const early = startKernelWorkers(1, opts.policies);
  assert.deepEqual(await replayThreaded(pool, opts, 2, 0, early), three);
  await exited(early[0]!);
  // one thread (--threads 1, a one-core machine) over the same work: the same chunks, the same bits
  assert.deepEqual(await replayThreaded(pool, opts, 1, 0), three);
});

test("each policy gets its own copy of the kernel, which replays exactly as runPolicy; threads claim every unit once", async () => {
  const r = rng(5);
  const curves = Array.from({ length: 9 }, () => {
    let v = 0.2;
    return Array.from({ length: 9 }, (_, g) => (g === 0 ? v : (v = Math.max(v, v + 0.05 * r.normal()))));
  });
  const pool = buildPools(curves.map((c, j) => rec(j, c)))[0]!;
  const plan = planReplay(pool, {
    K: 3,
    rounds: 8,
    policies: ["ucb", "exp3p", "thompson"],
    seed: 2,
    curveInstances: 20,
  });
  const kopts = kernelOptions(plan);
  const kernels = await policyKernels([...plan.names, "ucb"]);
  assert.equal(new Set(kernels).size, 3, "three policies, three copies; the same name, the same copy");
  assert.equal(kernels[3], kernels[0]);
  assert.ok(!kernels.includes(runPolicy));
  kopts.forEach((o, p) => {
    assert.deepEqual(kernels[p]!(plan.table, plan.inst, o), runPolicy(plan.table, plan.inst, o));
  });
  // two "threads" from different starting units share the flags: together they run each unit exactly once
  const chunks = 4;
  const n = plan.inst.count;
  const bounds = Int32Array.from({ length: chunks + 1 }, (_, c) => Math.round((c * n) / chunks));
  const claimed = new Int32Array(chunks * kopts.length);
  const table = curveTable(pool);
  const first = claimChunks(table, plan.inst, bounds, claimed, 7, kopts, kernels);
  assert.deepEqual(
    first.map(([u]) => u),
    [7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(claimChunks(table, plan.inst, bounds, claimed, 0, kopts, kernels), []);
  const half = new Int32Array(chunks * kopts.length).fill(1, 0, 6);
  assert.deepEqual(
    claimChunks(table, plan.inst, bounds, half, 9, kopts).map(([u]) => u),
    [9, 10, 11, 6, 7, 8],
  );
});

test("threads by work alone: chunked from minWork/2 policy-rounds up, one thread per minWork/2, at most one per instance", async () => {
  assert.deepEqual(replayThreads(5_120_000, 20_000, 4), { chunked: true, threads: 2 });
  assert.deepEqual(replayThreads(5_120_000, 20_000, 1), { chunked: true, threads: 1 });
  assert.deepEqual(replayThreads(1_999_999, 20_000, 4), { chunked: false, threads: 1 });
  assert.deepEqual(replayThreads(25_600_000, 100_000, 4), { chunked: true, threads: 4 });
  assert.deepEqual(replayThreads(100, 3, 8, 0), { chunked: true, threads: 3 });
  // an early worker that the replay does not need (too little work) is terminated all the same
  const pool = buildPools([0, 1, 2, 3].map((j) => rec(j, [0.1, 0.2 + 0.01 * j, 0.3])))[0]!;
  const spare = startKernelWorkers(1, ["ucb"]);
  const res = await replayThreaded(pool, { K: 2, rounds: 2, policies: ["ucb"] }, 2, undefined, spare);
  assert.equal(res.n_instances, 6);
  await exited(spare[0]!); // (the test would hang if it were left running)
});
