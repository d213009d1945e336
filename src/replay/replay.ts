/**
 * Replay of allocation policies over one pool of logged curves.
 *
 *   pool ─> instances (arms in a seeded random order) ─┬─> replay (each policy, common random numbers) ─┐
 *                                                      └─> references (uniform, single, oracle) ─────────┤
 *        summarise <──────────────────────────────────────────────────────────────────────────────────┤
 *        intervals: leave-one-seed-out sums ─> jackknife-t ─> ci95, paired comparisons, best (Holm) <─┘
 *
 * Pure: no I/O, all randomness from `seed`.
 */
import { getPolicy, POLICIES, resolveParams } from "../policies/index.ts";
import type { PolicyParams, PolicySpec } from "../policies/policy.ts";
import type { RngKind } from "../policies/stream.ts";
import { type BestPick, pairedTest, pickBest } from "./compare.ts";
import {
  type CurveTable,
  curveTable,
  type PolicyRun,
  type PolicyRunOptions,
  references,
  runPolicy,
} from "./engine.ts";
import { ReplayError } from "./errors.ts";
import { binomial, disjointInstances, type Instances, makeInstances, shuffleArms } from "./instances.ts";
import { type Interval, jackknife, jackknifeSe, type SeedStat } from "./jackknife.ts";
import type { Pool } from "./pool.ts";
import { meanStat, seedSums } from "./seed-sums.ts";
import { summarize } from "./stats.ts";
import { StreamRng } from "./stream-rng.ts";
import { tQuantile } from "./student-t.ts";
import { type WilcoxonResult, wilcoxonSignedRank } from "./wilcoxon.ts";

export interface ReplayOptions {
  /** Arms per instance. */
  K: number;
  /** Rounds G (the budget, in generations of N calls). */
  rounds: number;
  /** Policy names, in report order. Default: every registered policy. */
  policies?: string[];
  /** Parameter overrides per policy (`--param POLICY.KEY=VALUE`). */
  params?: Record<string, PolicyParams>;
  /** Exactly one instance whose arms are these seeds, in this order. */
  subset?: number[];
  /** Enumerate every K-subset up to this many, else sample this many. Default 100,000. */
  maxInstances?: number;
  /**
   * Intervals on (> 0) or off (0). The intervals are delete-one-seed
   * jackknife-t intervals (see jackknife.ts); the number itself is kept for
   * the command's `--bootstrap B`, which it always accepted. Default 1000.
   */
  bootstrap?: number;
  /** Seed of every random choice (instance sample, arm order, policy streams). Default 0. */
  seed?: number;
  /**
   * Generator of the policy streams (src/policies/stream.ts): evoalloc's own
   * (default) or CPython's random.Random(seed + instance).
   */
  rng?: RngKind;
  /**
   * "jackknife-skew" (default): the jackknife-t interval widened on the side its skewness points to
   * (see `jackknife`); "jackknife-t": the symmetric one. `npm run bench:coverage -- --method` compares them.
   */
  intervalMethod?: IntervalMethod;
  /** Instances (a seeded subsample) behind the curves' bands. Default 2000. */
  curveInstances?: number;
}

export type { Interval };

export type IntervalMethod = "jackknife-t" | "jackknife-skew";

export interface Distribution {
  mean: number;
  median: number;
  iqm: number;
  q05: number;
  q95: number;
  ci95: Interval;
}

export interface PolicySummary extends Distribution {
  p_improve_vs_uniform: number;
  p_improve_vs_single: number;
  p_improve_vs_uniform_ci95: Interval;
  p_improve_vs_single_ci95: Interval;
  /**
   * (mean Y − mean uniform)/(mean oracle − mean uniform): the share of the gap between uniform and the
   * oracle that the policy closes; null when the oracle never beats uniform. (A ratio of means: the mean of
   * per-instance ratios has an unbounded tail where oracle ≈ uniform, and no interval on it covered.)
   */
  normalized_mean: number | null;
  normalized_ci95: Interval;
  /** Share of rounds whose pick was an exhausted arm (fallback, or after every arm ran out). */
  exhausted_rate: number;
  /** Share of instances where every arm ran out before G rounds. */
  stopped_rate: number;
  params: PolicyParams;
  /** With `subset`: the outcome and the arm (0-based, in subset order) pulled each round. */
  final?: number;
  selections?: number[];
}

/** A tidy interval row, rliable style. */
export interface IntervalRow {
  policy: string;
  metric: string;
  point: number | null;
  lo: number | null;
  hi: number | null;
}

export interface Comparison {
  a: string;
  b: string;
  /** Mean over instances of Y_a − Y_b, with its paired jackknife-t interval and two-sided p-value. */
  mean_diff: number;
  ci95: Interval;
  p_value: number | null;
  /** Wilcoxon signed-rank on the disjoint instances (seeds in ascending order, groups of K). */
  wilcoxon: WilcoxonResult;
}

export interface Curve {
  mean: number[];
  lo: number[];
  hi: number[];
}

export interface ReplayResult {
  task: string;
  model: string;
  N: number;
  K: number;
  rounds: number;
  n_instances: number;
  /** The pool's seeds, ascending. */
  pool: number[];
  /** True when every K-subset was replayed; false for a sample or a --subset. */
  enumerated: boolean;
  seed: number;
  /** Generator of the policy streams. */
  rng: RngKind;
  bootstrap: number;
  /**
   * How ci95 intervals are computed: "jackknife-skew" (delete-one-seed jackknife, t on S − 1 df, widened
   * on the skewed side), "jackknife-t" (not widened), or "none".
   */
  interval_method: IntervalMethod | "none";
  /** G < K: fewer rounds than arms, no policy can try every arm; such a pool names no best policy. */
  few_rounds: boolean;
  /**
   * The best policy by mean against every other (paired jackknife t, Holm-adjusted), or null
   * (intervals off, one policy, G < K, or undefined intervals).
   */
  best: BestPick | null;
  /** Logged depth L over the pool's seeds. */
  depth: { min: number; max: number };
  /** Honest caveats: shallow logs, too few disjoint instances, empty resamples… */
  notes: string[];
  policies: Record<string, PolicySummary>;
  references: { uniform: Distribution; single: Distribution; oracle: Distribution };
  /** Instances with oracle > uniform (where normalized_mean's gap comes from). */
  n_normalized: number;
  intervals: IntervalRow[];
  comparisons: Comparison[];
  /** Per policy, mean running best after each round 1..G with a jackknife-t band (pointwise 95 %). */
  curves: Record<string, Curve>;
  /** Per policy: mean pull counts sorted in decreasing order, and by arm position. */
  pulls: Record<string, { sorted: number[]; by_arm: number[] }>;
  /** Per instance: pool indices of its arms (count × K, flat) and every outcome (policies and references). */
  instances: { arms: Int32Array; outcomes: Record<string, Float64Array> };
}

const STREAM_CURVE_SAMPLE = 0x7fff0002;
/** The arms' order in each instance (sampled and enumerated alike). */
const STREAM_ORDER = 0x7fff0004;
/** Policy streams of the disjoint instances start here (stream 0x40000000 of the evoalloc generator). */
const DISJOINT_INSTANCE = 0x3fffffff;
const STREAM_DISJOINT_ORDER = 0x7fff0005;

/** The note of a pool with fewer rounds than arms (kept out of any headline). */
export const FEW_ROUNDS_NOTE = "fewer rounds than arms: no policy can try every arm";

function checkOptions(pool: Pool, opts: ReplayOptions): void {
  const s = pool.seeds.length;
  if (!(Number.isInteger(opts.K) && opts.K >= 1))
    throw new ReplayError(`K must be an integer >= 1, got ${opts.K}`);
  if (!(Number.isInteger(opts.rounds) && opts.rounds >= 1))
    throw new ReplayError(`rounds must be an integer >= 1, got ${opts.rounds}`);
  if (opts.subset) {
    if (opts.subset.length !== opts.K)
      throw new ReplayError(`subset names ${opts.subset.length} seeds but K = ${opts.K}`);
    if (new Set(opts.subset).size !== opts.subset.length) throw new ReplayError("subset repeats a seed");
    for (const seed of opts.subset)
      if (!pool.seeds.includes(seed))
        throw new ReplayError(`seed ${seed} is not in the pool (available: ${pool.seeds.join(", ")})`);
  } else if (opts.K > s)
    throw new ReplayError(
      `too few seeds for K = ${opts.K}: the pool (${pool.task}, ${pool.model}, N=${pool.N}) has ${s} (${pool.seeds.join(", ")})`,
    );
  const mi = opts.maxInstances ?? 100_000;
  if (!(Number.isInteger(mi) && mi >= 1))
    throw new ReplayError(`max instances must be an integer >= 1, got ${mi}`);
  const b = opts.bootstrap ?? 1000;
  if (!(Number.isInteger(b) && b >= 0)) throw new ReplayError(`bootstrap must be an integer >= 0, got ${b}`);
  if (pool.curves.length !== s) throw new ReplayError("pool has a different number of curves and seeds");
}

/**
 * Replays `opts.policies` on the instances of `pool` and summarises them.
 * O(instances·G·(K + policy cost)·policies + instances·K·policies) — the
 * intervals cost one pass of sums, far less than the replay.
 * @throws ReplayError on bad K, rounds, subset, max instances or bootstrap;
 *   PolicyError on an unknown policy or parameter.
 */
export function replay(pool: Pool, opts: ReplayOptions): ReplayResult {
  const plan = planReplay(pool, opts);
  return summarise(
    plan,
    kernelOptions(plan).map((o) => runPolicy(plan.table, plan.inst, o)),
  );
}

/** Everything decided before the policies run: instances, their order, curve slots, notes. */
export interface ReplayPlan {
  pool: Pool;
  opts: ReplayOptions;
  names: string[];
  specs: PolicySpec[];
  params: PolicyParams[];
  k: number;
  g: number;
  seed: number;
  s: number;
  table: CurveTable;
  notes: string[];
  inst: Instances;
  single: boolean;
  bootstrap: number;
  fewRounds: boolean;
  minDepth: number;
  maxDepth: number;
  curveN: number;
  curveIdx: Int32Array;
  curveSlot: Int32Array;
  intervalsAsked: boolean;
}

/**
 * The first stage of `replay`: checks the options and lays out the instances.
 * @throws as `replay`.
 */
export function planReplay(pool: Pool, opts: ReplayOptions): ReplayPlan {
  checkOptions(pool, opts);
  const names = opts.policies ?? Object.keys(POLICIES);
  if (names.length === 0)
    throw new ReplayError(`no policy to replay (available: ${Object.keys(POLICIES).join(", ")})`);
  if (new Set(names).size !== names.length)
    throw new ReplayError(`a policy is listed twice: ${names.join(", ")}`);
  const specs = names.map((name) => getPolicy(name));
  for (const name of Object.keys(opts.params ?? {})) if (!names.includes(name)) getPolicy(name); // unknown names throw; known but unused ones are ignored
  const params = names.map((name) => resolveParams(name, opts.params?.[name] ?? {}));
  const k = opts.K;
  const g = opts.rounds;
  const seed = opts.seed ?? 0;
  const s = pool.seeds.length;
  const table = curveTable(pool);
  const notes: string[] = [...pool.warnings];

  // instances; --subset keeps the order given, the others take a seeded random order
  let inst: Instances;
  if (opts.subset) {
    const arms = Int32Array.from(opts.subset, (sd) => pool.seeds.indexOf(sd));
    inst = { k, count: 1, arms, enumerated: false };
  } else inst = shuffleArms(makeInstances(s, k, opts.maxInstances ?? 100_000, seed), seed, STREAM_ORDER);
  const single = opts.subset !== undefined;
  const bootstrap = single ? 0 : (opts.bootstrap ?? 1000);
  if (!single && !inst.enumerated)
    notes.push(`${binomial(s, k)} subsets of ${s} seeds: replayed a seeded sample of ${inst.count}`);
  const fewRounds = g < k;
  if (fewRounds) notes.push(`G = ${g} < K = ${k}: ${FEW_ROUNDS_NOTE}`);

  // logged depth
  const used = new Set<number>(inst.arms);
  let minDepth = Number.POSITIVE_INFINITY;
  let maxDepth = 0;
  let shallow = 0;
  for (const j of used) {
    const d = pool.depths[j]!;
    minDepth = Math.min(minDepth, d);
    maxDepth = Math.max(maxDepth, d);
    if (d < g) shallow++;
  }
  if (shallow > 0)
    notes.push(
      `logs shallower than G = ${g}: ${shallow} of ${used.size} seeds have L < G (min L = ${minDepth}); ` +
        "arms exhaust (fallback) and references are capped at L, so outcomes are not exact counterfactuals",
    );

  // the curves' bands come from a seeded subsample of the instances
  const intervalsAsked = bootstrap > 0;
  const curveIdx = intervalsAsked
    ? subsample(inst.count, opts.curveInstances ?? 2000, seed, STREAM_CURVE_SAMPLE)
    : new Int32Array(0);
  const curveN = curveIdx.length;
  const curveSlot = new Int32Array(inst.count).fill(-1);
  curveIdx.forEach((i, slot) => {
    curveSlot[i] = slot;
  });

  return {
    pool,
    opts,
    names,
    specs,
    params,
    k,
    g,
    seed,
    s,
    table,
    notes,
    inst,
    single,
    bootstrap,
    fewRounds,
    minDepth,
    maxDepth,
    curveN,
    curveIdx,
    curveSlot,
    intervalsAsked,
  };
}

/** The kernel options of each policy (same instances and streams: common random numbers). */
export function kernelOptions(plan: ReplayPlan): PolicyRunOptions[] {
  return plan.specs.map((spec, p) => ({
    spec,
    params: plan.params[p]!,
    rounds: plan.g,
    seed: plan.seed,
    firstInstance: 0,
    rng: plan.opts.rng,
    recordSelections: plan.single,
    curveSlot: plan.curveSlot,
    curveSlots: plan.curveN,
  }));
}

/** The last stage of `replay`: references, summaries, intervals, comparisons, the best policy. */
export function summarise(plan: ReplayPlan, runs: PolicyRun[]): ReplayResult {
  const { pool, opts, names, specs, params, k, g, seed, s, table, notes, inst, single, bootstrap } = plan;
  const { fewRounds, minDepth, maxDepth, curveN, curveIdx, intervalsAsked } = plan;
  const refs = references(table, inst, g);

  // per-instance scores, one row per instance:
  // P outcomes, uniform, single, oracle, P·[beats uniform], P·[beats single], [oracle > uniform]
  const n = inst.count;
  const P = names.length;
  const J = 3 * P + 4;
  const cImpU = P + 3;
  const cImpS = 2 * P + 3;
  const cOk = 3 * P + 3;
  const rows = new Float64Array(n * J);
  fillRows(
    rows,
    runs.map((r) => r.outcomes),
    refs.uniform,
    refs.single,
    refs.oracle,
  );
  const sums = seedSums(inst, s, rows, J);
  const nNorm = sums.total[cOk]!;

  // intervals: delete-one-seed jackknife, t on S − 1 df
  const statsOf = (j: number) => meanStat(sums, j);
  const meanStats = Array.from({ length: P + 3 }, (_, j) => statsOf(j));
  const intervalsOn = intervalsAsked && s >= 2 && !meanStats[0]!.loo.some(Number.isNaN);
  if (intervalsAsked && !intervalsOn)
    notes.push(
      `no intervals: with ${s} seeds and K = ${k}, leaving a seed out leaves no instance ` +
        "(the delete-one-seed jackknife needs K < S)",
    );
  const method = opts.intervalMethod ?? "jackknife-skew";
  const jk = { skew: method === "jackknife-skew" };
  const ci = (st: SeedStat): Interval => (intervalsOn ? jackknife(st, jk).ci95 : null);

  // summaries
  const policies: Record<string, PolicySummary> = {};
  const intervals: IntervalRow[] = [];
  const outcomes: Record<string, Float64Array> = {};
  const curves: Record<string, Curve> = {};
  const pulls: Record<string, { sorted: number[]; by_arm: number[] }> = {};
  const curveInst: Instances = { k, count: curveN, arms: new Int32Array(curveN * k), enumerated: false };
  for (let t = 0; t < curveN; t++)
    curveInst.arms.set(inst.arms.subarray(curveIdx[t]! * k, curveIdx[t]! * k + k), t * k);
  const tq = intervalsOn ? tQuantile(0.975, s - 1) : 0;
  for (let p = 0; p < P; p++) {
    const name = names[p]!;
    const run = runs[p]!;
    const norm = gapShare(meanStats[p]!, meanStats[P]!, meanStats[P + 2]!);
    const summary: PolicySummary = {
      ...summarize(run.outcomes),
      ci95: ci(meanStats[p]!),
      p_improve_vs_uniform: sums.total[cImpU + p]! / n,
      p_improve_vs_single: sums.total[cImpS + p]! / n,
      p_improve_vs_uniform_ci95: ci(statsOf(cImpU + p)),
      p_improve_vs_single_ci95: ci(statsOf(cImpS + p)),
      normalized_mean: Number.isNaN(norm.point) ? null : norm.point,
      normalized_ci95: Number.isNaN(norm.point) ? null : ci(norm),
      exhausted_rate: run.exhaustedPicks / (n * g),
      stopped_rate: run.stopped / n,
      params: params[p]!,
    };
    if (single) {
      summary.final = run.outcomes[0]!;
      summary.selections = run.selections;
    }
    policies[name] = summary;
    outcomes[name] = run.outcomes;
    intervals.push(
      row(name, "mean", summary.mean, summary.ci95),
      row(name, "p_improve_vs_uniform", summary.p_improve_vs_uniform, summary.p_improve_vs_uniform_ci95),
      row(name, "p_improve_vs_single", summary.p_improve_vs_single, summary.p_improve_vs_single_ci95),
      row(name, "normalized_mean", summary.normalized_mean, summary.normalized_ci95),
    );
    const meanCurve = Array.from(run.curveSum, (v) => v / n);
    const se = intervalsOn ? curveSe(curveInst, s, run.curveStore, g) : null;
    curves[name] = {
      mean: meanCurve,
      lo: meanCurve.map((m, r) => (se ? m - tq * se[r]! : m)),
      hi: meanCurve.map((m, r) => (se ? m + tq * se[r]! : m)),
    };
    pulls[name] = {
      sorted: Array.from(run.sortedPullSum, (v) => v / n),
      by_arm: Array.from(run.pullSum, (v) => v / n),
    };
  }
  const refNames = ["uniform", "single", "oracle"] as const;
  const refArrays = [refs.uniform, refs.single, refs.oracle];
  const refDist = refArrays.map((x, j) => ({ ...summarize(x), ci95: ci(meanStats[P + j]!) }));
  refNames.forEach((name, j) => {
    outcomes[name] = refArrays[j]!;
    intervals.push(row(name, "mean", refDist[j]!.mean, refDist[j]!.ci95));
  });

  const flat = intervals.filter((r) => intervalsOn && r.point !== null && r.lo === null);
  if (flat.length > 0)
    notes.push(
      `no interval for ${flat.length} statistic(s) that no seed left out changes (nothing varies to measure), ` +
        `e.g. ${flat[0]!.policy} ${flat[0]!.metric} = ${flat[0]!.point}`,
    );

  // paired comparisons: every pair of policies, and each policy against the references
  const comparisons: Comparison[] = [];
  const disjoint = single ? null : shuffleArms(disjointInstances(s, k), seed, STREAM_DISJOINT_ORDER);
  const disjointOut = disjoint
    ? specs.map(
        (spec, p) =>
          runPolicy(table, disjoint, {
            spec,
            params: params[p]!,
            rounds: g,
            seed,
            firstInstance: DISJOINT_INSTANCE,
            rng: opts.rng,
          }).outcomes,
      )
    : [];
  const disjointRefs = disjoint ? references(table, disjoint, g) : null;
  if (disjoint && disjoint.count < 6)
    notes.push(
      `only ${disjoint.count} disjoint instance(s) of K = ${k} in ${s} seeds: the Wilcoxon tests have little power`,
    );
  const allNames = [...names, ...refNames];
  const disjointAll = disjointRefs
    ? [...disjointOut, disjointRefs.uniform, disjointRefs.single, disjointRefs.oracle]
    : [];
  const compare = (a: number, b: number) => {
    const test = intervalsOn ? pairedTest(meanStats[a]!, meanStats[b]!, jk) : null;
    const da = disjointAll[a];
    const db = disjointAll[b];
    const dd = new Float64Array(da?.length ?? 0);
    for (let i = 0; i < dd.length; i++) dd[i] = da![i]! - db![i]!;
    comparisons.push({
      a: allNames[a]!,
      b: allNames[b]!,
      mean_diff: meanStats[a]!.point - meanStats[b]!.point,
      ci95: test?.ci95 ?? null,
      p_value: test?.p_value ?? null,
      wilcoxon: wilcoxonSignedRank(dd),
    });
  };
  for (let p = 0; p < P; p++) {
    for (let q = p + 1; q < P; q++) compare(p, q);
    for (let j = 0; j < 3; j++) compare(p, P + j);
  }

  // the best policy, only where it is told apart from the others
  let best: BestPick | null = null;
  if (intervalsOn && P >= 2 && !fewRounds)
    best = pickBest(Object.fromEntries(names.map((name, p) => [name, meanStats[p]!])), jk);

  return {
    task: pool.task,
    model: pool.model,
    N: pool.N,
    K: k,
    rounds: g,
    n_instances: n,
    pool: [...pool.seeds],
    enumerated: inst.enumerated,
    seed,
    rng: opts.rng ?? "evoalloc",
    bootstrap,
    interval_method: intervalsOn ? method : "none",
    few_rounds: fewRounds,
    best,
    depth: { min: minDepth, max: maxDepth },
    notes,
    policies,
    references: { uniform: refDist[0]!, single: refDist[1]!, oracle: refDist[2]! },
    n_normalized: nNorm,
    intervals,
    comparisons,
    curves,
    pulls,
    instances: { arms: inst.arms, outcomes },
  };
}

/** (y − u)/(o − u) of three statistics on the same seeds, seed by seed; NaN where o ≤ u. */
function gapShare(y: SeedStat, u: SeedStat, o: SeedStat): SeedStat {
  const share = (a: number, b: number, c: number) => (c > b ? (a - b) / (c - b) : Number.NaN);
  return {
    point: share(y.point, u.point, o.point),
    loo: y.loo.map((v, s) => share(v, u.loo[s]!, o.loo[s]!)),
  };
}

/**
 * One row per instance: the P policy outcomes, uniform, single, oracle; then
 * per policy 1/½/0 for beating/tying/losing to uniform, the same against
 * single; last 1 where oracle > uniform. A top-level function with explicit
 * arguments: V8 optimises it reliably, unlike a large closure.
 */
function fillRows(
  rows: Float64Array,
  ys: Float64Array[],
  uniform: Float64Array,
  single: Float64Array,
  oracle: Float64Array,
): void {
  const P = ys.length;
  const J = 3 * P + 4;
  const n = uniform.length;
  for (let i = 0; i < n; i++) {
    const base = i * J;
    const u = uniform[i]!;
    const sg = single[i]!;
    for (let p = 0; p < P; p++) {
      const y = ys[p]![i]!;
      rows[base + p] = y;
      rows[base + P + 3 + p] = y > u ? 1 : y === u ? 0.5 : 0;
      rows[base + 2 * P + 3 + p] = y > sg ? 1 : y === sg ? 0.5 : 0;
    }
    rows[base + P] = u;
    rows[base + P + 1] = sg;
    rows[base + P + 2] = oracle[i]!;
    rows[base + 3 * P + 3] = oracle[i]! > u ? 1 : 0;
  }
}

/** Jackknife standard error of the mean running best after each round, over the curve instances. */
function curveSe(curveInst: Instances, nSeeds: number, store: Float32Array, g: number): Float64Array {
  const sums = seedSums(curveInst, nSeeds, Float64Array.from(store), g);
  const se = new Float64Array(g);
  for (let r = 0; r < g; r++) {
    const st = meanStat(sums, r);
    se[r] = st.loo.some(Number.isNaN) ? 0 : jackknifeSe(st.loo);
  }
  return se;
}

/** `size` of 0..count−1, ascending, by selection sampling (Knuth's algorithm S); all when size ≥ count. */
function subsample(count: number, size: number, seed: number, stream: number): Int32Array {
  const out = new Int32Array(Math.min(count, size));
  if (out.length === count) {
    for (let i = 0; i < count; i++) out[i] = i;
    return out;
  }
  const r = new StreamRng(seed, stream);
  let filled = 0;
  for (let i = 0; i < count && filled < out.length; i++)
    if (r.next() * (count - i) < out.length - filled) out[filled++] = i;
  return out;
}

function row(policy: string, metric: string, point: number | null, ci: Interval): IntervalRow {
  return { policy, metric, point, lo: ci?.[0] ?? null, hi: ci?.[1] ?? null };
}
