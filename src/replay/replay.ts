/**
 * Replay of allocation policies over one pool of logged curves.
 *
 *   pool ─> instances ─> replay (each policy, common random numbers) ─┬─> summarise ─┐
 *                     └─> references (uniform, single, oracle) ───────┘              ├─> result
 *                                        bootstrap over seeds ─> intervals, curves ──┘
 *
 * Pure: no I/O, all randomness from `seed`.
 */
import { getPolicy, POLICIES, resolveParams } from "../policies/index.ts";
import type { PolicyParams } from "../policies/policy.ts";
import { percentileInterval, type Resample, seedBootstrap } from "./bootstrap.ts";
import { curveTable, type PolicyRun, references, runPolicy } from "./engine.ts";
import { ReplayError } from "./errors.ts";
import { binomial, disjointInstances, type Instances, makeInstances } from "./instances.ts";
import type { Pool } from "./pool.ts";
import { mean, summarize } from "./stats.ts";
import { StreamRng } from "./stream-rng.ts";
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
  /** Bootstrap resamples of the seed pool; 0 turns intervals off. Default 1000. */
  bootstrap?: number;
  /** Seed of every random choice (instance sample, policy streams, bootstrap). Default 0. */
  seed?: number;
  /** Instances (a seeded subsample) behind the bootstrap intervals. Default 20,000. */
  bootstrapInstances?: number;
  /** Instances (a seeded subsample of those) behind the curves' bootstrap bands. Default 1000. */
  curveInstances?: number;
  /** Resamples behind the curves' bands (at most `bootstrap`). Default 200. */
  curveReplicates?: number;
}

export type Interval = [number, number] | null;

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
  /** Mean of (Y − uniform)/(oracle − uniform) over instances with oracle > uniform; null when there are none. */
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
  /** Mean over instances of Y_a − Y_b, with its bootstrap interval. */
  mean_diff: number;
  ci95: Interval;
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
  bootstrap: number;
  /** Logged depth L over the pool's seeds. */
  depth: { min: number; max: number };
  /** Honest caveats: shallow logs, too few disjoint instances, empty resamples… */
  notes: string[];
  policies: Record<string, PolicySummary>;
  references: { uniform: Distribution; single: Distribution; oracle: Distribution };
  /** Instances with oracle > uniform (those behind normalized_mean). */
  n_normalized: number;
  intervals: IntervalRow[];
  comparisons: Comparison[];
  /** Per policy, mean running best after each round 1..G with a bootstrap band. */
  curves: Record<string, Curve>;
  /** Per policy: mean pull counts sorted in decreasing order, and by arm position. */
  pulls: Record<string, { sorted: number[]; by_arm: number[] }>;
  /** Per instance: pool indices of its arms (count × K, flat) and every outcome (policies and references). */
  instances: { arms: Int32Array; outcomes: Record<string, Float64Array> };
}

const STREAM_BOOT = 0x7fff0001;
const STREAM_CURVE_SAMPLE = 0x7fff0002;
const STREAM_BOOT_SAMPLE = 0x7fff0003;
const STREAM_DISJOINT = 0x40000000;

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

const dist = (x: Float64Array, ci: Interval): Distribution => ({ ...summarize(x), ci95: ci });

/**
 * Replays `opts.policies` on the instances of `pool` and summarises them.
 * O(instances·G·(K + policy cost)·policies + bootstrap·instances·K).
 * @throws ReplayError on bad K, rounds, subset, max instances or bootstrap;
 *   PolicyError on an unknown policy or parameter.
 */
export function replay(pool: Pool, opts: ReplayOptions): ReplayResult {
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

  // instances
  let inst: Instances;
  if (opts.subset) {
    const arms = Int32Array.from(opts.subset, (sd) => pool.seeds.indexOf(sd));
    inst = { k, count: 1, arms, enumerated: false };
  } else inst = makeInstances(s, k, opts.maxInstances ?? 100_000, seed);
  const single = opts.subset !== undefined;
  const bootstrap = single ? 0 : (opts.bootstrap ?? 1000);
  if (!single && !inst.enumerated)
    notes.push(`${binomial(s, k)} subsets of ${s} seeds: replayed a seeded sample of ${inst.count}`);

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

  // the bootstrap's instances: all of them, or a seeded subsample when there
  // are many (its Monte Carlo error is small next to the spread between seed
  // resamples); the curves' bands use a smaller subsample of those
  const bootN = bootstrap > 0 ? Math.min(inst.count, opts.bootstrapInstances ?? 20_000) : 0;
  const bootIdx = subsample(inst.count, bootN, seed, STREAM_BOOT_SAMPLE);
  const bootInst: Instances = { k, count: bootN, arms: new Int32Array(bootN * k), enumerated: false };
  for (let t = 0; t < bootN; t++)
    bootInst.arms.set(inst.arms.subarray(bootIdx[t]! * k, bootIdx[t]! * k + k), t * k);
  const curveN = Math.min(bootN, opts.curveInstances ?? 1000);
  const curveSlot = new Int32Array(inst.count).fill(-1); // by instance, for the kernel
  const bootSlot = new Int32Array(bootN).fill(-1); // by bootstrap row, for the resamples
  subsample(bootN, curveN, seed, STREAM_CURVE_SAMPLE).forEach((t, slot) => {
    bootSlot[t] = slot;
    curveSlot[bootIdx[t]!] = slot;
  });
  const curveSlots = curveN;

  // replay every policy on the same instances and streams
  const runs: PolicyRun[] = specs.map((spec, p) =>
    runPolicy(table, inst, {
      spec,
      params: params[p]!,
      rounds: g,
      seed,
      streamBase: 1,
      recordSelections: single,
      curveSlot,
      curveSlots,
    }),
  );
  const refs = references(table, inst, g);

  // per-instance derived scores
  const n = inst.count;
  const okNorm = new Uint8Array(n);
  let nNorm = 0;
  for (let i = 0; i < n; i++)
    if (refs.oracle[i]! > refs.uniform[i]!) {
      okNorm[i] = 1;
      nNorm++;
    }
  const improveU = runs.map((run) => improvement(run.outcomes, refs.uniform));
  const improveS = runs.map((run) => improvement(run.outcomes, refs.single));
  const normScore = runs.map((run) => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++)
      if (okNorm[i]) x[i] = (run.outcomes[i]! - refs.uniform[i]!) / (refs.oracle[i]! - refs.uniform[i]!);
    return x;
  });
  const normMask = Float64Array.from(okNorm);

  // bootstrap over seeds
  const P = names.length;
  const reps = {
    mean: runs.map(() => new Float64Array(bootstrap)),
    improveU: runs.map(() => new Float64Array(bootstrap)),
    norm: runs.map(() => new Float64Array(bootstrap)),
    refs: [0, 1, 2].map(() => new Float64Array(bootstrap)),
  };
  const curveReps = Math.min(bootstrap, opts.curveReplicates ?? 200);
  const curveRepVals = runs.map(() => Array.from({ length: g }, () => new Float64Array(curveReps)));
  let empty = 0;
  if (bootstrap > 0) {
    // each instance's outcomes (every policy, then uniform, single, oracle) side
    // by side, so a resample reads one short contiguous row per instance; the
    // derived scores (P(improve), normalised score) are computed from the row
    const J = P + 3;
    const rows = new Float64Array(bootN * J);
    for (let t = 0; t < bootN; t++) {
      const i = bootIdx[t]!;
      const base = t * J;
      for (let p = 0; p < P; p++) rows[base + p] = runs[p]!.outcomes[i]!;
      rows[base + P] = refs.uniform[i]!;
      rows[base + P + 1] = refs.single[i]!;
      rows[base + P + 2] = refs.oracle[i]!;
    }
    // per resample: Σw·y (P + 3), Σw·improve (P), Σw·norm (P), Σw over instances with oracle > uniform
    const sums = new Float64Array(J + 2 * P + 1);
    const acc = new Float64Array(g);
    seedBootstrap(bootInst, s, bootstrap, seed, STREAM_BOOT, (res, b) => {
      if (res.total === 0) empty++;
      resampleSums(res, rows, P, sums);
      const total = res.total;
      const den = sums[J + 2 * P]!;
      for (let p = 0; p < P; p++) {
        reps.mean[p]![b] = total > 0 ? sums[p]! / total : Number.NaN;
        reps.improveU[p]![b] = total > 0 ? sums[J + p]! / total : Number.NaN;
        reps.norm[p]![b] = den > 0 ? sums[J + P + p]! / den : Number.NaN;
      }
      for (let j = 0; j < 3; j++) reps.refs[j]![b] = total > 0 ? sums[P + j]! / total : Number.NaN;
      if (b < curveReps) {
        for (let p = 0; p < P; p++) {
          const wTotal = resampleCurve(res, bootSlot, runs[p]!.curveStore, g, acc);
          for (let r = 0; r < g; r++) curveRepVals[p]![r]![b] = wTotal > 0 ? acc[r]! / wTotal : Number.NaN;
        }
      }
    });
    if (2 * empty > bootstrap)
      notes.push(
        `${empty} of ${bootstrap} seed resamples left no instance of K distinct seeds: ` +
          `${s} seeds are too few for K = ${k} to bootstrap, so no intervals are given`,
      );
    else if (empty > 0)
      notes.push(
        `${empty} of ${bootstrap} seed resamples left no instance of K distinct seeds and were dropped`,
      );
  }
  // with most resamples empty, the few left all repeat the same instances: no honest interval
  const intervalsOn = bootstrap > 0 && 2 * empty <= bootstrap;
  const ci = (x: Float64Array): Interval => (intervalsOn ? percentileInterval(x) : null);

  // summaries
  const policies: Record<string, PolicySummary> = {};
  const intervals: IntervalRow[] = [];
  const outcomes: Record<string, Float64Array> = {};
  const curves: Record<string, Curve> = {};
  const pulls: Record<string, { sorted: number[]; by_arm: number[] }> = {};
  for (let p = 0; p < P; p++) {
    const name = names[p]!;
    const run = runs[p]!;
    const base = dist(run.outcomes, ci(reps.mean[p]!));
    let normSum = 0;
    for (let i = 0; i < n; i++) if (okNorm[i]) normSum += normScore[p]![i]!;
    const summary: PolicySummary = {
      ...base,
      p_improve_vs_uniform: mean(improveU[p]!),
      p_improve_vs_single: mean(improveS[p]!),
      p_improve_vs_uniform_ci95: ci(reps.improveU[p]!),
      normalized_mean: nNorm > 0 ? normSum / nNorm : null,
      normalized_ci95: nNorm > 0 ? ci(reps.norm[p]!) : null,
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
      row(name, "normalized_mean", summary.normalized_mean, summary.normalized_ci95),
    );
    const meanCurve = Array.from(run.curveSum, (v) => v / n);
    const band = curveRepVals[p]!.map((vals) =>
      curveReps > 0 && intervalsOn ? percentileInterval(vals) : null,
    );
    curves[name] = {
      mean: meanCurve,
      lo: band.map((b, r) => b?.[0] ?? meanCurve[r]!),
      hi: band.map((b, r) => b?.[1] ?? meanCurve[r]!),
    };
    pulls[name] = {
      sorted: Array.from(run.sortedPullSum, (v) => v / n),
      by_arm: Array.from(run.pullSum, (v) => v / n),
    };
  }
  const refNames = ["uniform", "single", "oracle"] as const;
  const refArrays = [refs.uniform, refs.single, refs.oracle];
  const refDist = refArrays.map((x, j) => dist(x, ci(reps.refs[j]!)));
  refNames.forEach((name, j) => {
    outcomes[name] = refArrays[j]!;
    intervals.push(row(name, "mean", refDist[j]!.mean, refDist[j]!.ci95));
  });

  // paired comparisons: every pair of policies, and each policy against the references
  const comparisons: Comparison[] = [];
  const disjoint = single ? null : disjointInstances(s, k);
  const disjointOut = disjoint
    ? specs.map(
        (spec, p) =>
          runPolicy(table, disjoint, {
            spec,
            params: params[p]!,
            rounds: g,
            seed,
            streamBase: STREAM_DISJOINT,
          }).outcomes,
      )
    : [];
  const disjointRefs = disjoint ? references(table, disjoint, g) : null;
  if (disjoint && disjoint.count < 6)
    notes.push(
      `only ${disjoint.count} disjoint instance(s) of K = ${k} in ${s} seeds: the Wilcoxon tests have little power`,
    );
  const compare = (
    a: string,
    b: string,
    ya: Float64Array,
    yb: Float64Array,
    ra: Float64Array,
    rb: Float64Array,
    da: Float64Array | undefined,
    db: Float64Array | undefined,
  ) => {
    let diff = 0;
    for (let i = 0; i < n; i++) diff += ya[i]! - yb[i]!;
    let interval: Interval = null;
    if (intervalsOn) {
      const d = new Float64Array(bootstrap);
      for (let t = 0; t < bootstrap; t++) d[t] = ra[t]! - rb[t]!;
      interval = percentileInterval(d);
    }
    const dd = new Float64Array(da?.length ?? 0);
    for (let i = 0; i < dd.length; i++) dd[i] = da![i]! - db![i]!;
    comparisons.push({ a, b, mean_diff: diff / n, ci95: interval, wilcoxon: wilcoxonSignedRank(dd) });
  };
  for (let p = 0; p < P; p++) {
    for (let q = p + 1; q < P; q++)
      compare(
        names[p]!,
        names[q]!,
        runs[p]!.outcomes,
        runs[q]!.outcomes,
        reps.mean[p]!,
        reps.mean[q]!,
        disjointOut[p],
        disjointOut[q],
      );
    refNames.forEach((ref, j) => {
      const dr = disjointRefs
        ? [disjointRefs.uniform, disjointRefs.single, disjointRefs.oracle][j]
        : undefined;
      compare(
        names[p]!,
        ref,
        runs[p]!.outcomes,
        refArrays[j]!,
        reps.mean[p]!,
        reps.refs[j]!,
        disjointOut[p],
        dr,
      );
    });
  }

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
    bootstrap,
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

/**
 * One resample's weighted sums over instance rows (P outcomes, then uniform,
 * single, oracle): Σw·y for the P + 3 columns, then Σw·[y beats uniform, ties
 * ½] and Σw·(y − uniform)/(oracle − uniform) over oracle > uniform for each
 * policy, then Σw over oracle > uniform. A top-level function with explicit
 * arguments: V8 optimises it reliably, unlike a large closure.
 */
function resampleSums(res: Resample, rows: Float64Array, P: number, sums: Float64Array): void {
  const J = P + 3;
  sums.fill(0);
  for (let t = 0; t < res.n; t++) {
    const w = res.w[t]!;
    const base = res.idx[t]! * J;
    const u = rows[base + P]!;
    const span = rows[base + P + 2]! - u;
    for (let j = 0; j < J; j++) sums[j]! += w * rows[base + j]!;
    for (let p = 0; p < P; p++) {
      const y = rows[base + p]!;
      sums[J + p]! += y > u ? w : y === u ? 0.5 * w : 0;
    }
    if (span > 0) {
      const scale = w / span;
      for (let p = 0; p < P; p++) sums[J + P + p]! += scale * (rows[base + p]! - u);
      sums[J + 2 * P]! += w;
    }
  }
}

/** One resample's weighted running-best curve over the instances with a curve slot; returns Σw. */
function resampleCurve(
  res: Resample,
  slots: Int32Array,
  store: Float32Array,
  g: number,
  acc: Float64Array,
): number {
  acc.fill(0);
  let total = 0;
  for (let t = 0; t < res.n; t++) {
    const slot = slots[res.idx[t]!]!;
    if (slot < 0) continue;
    const w = res.w[t]!;
    total += w;
    const base = slot * g;
    for (let r = 0; r < g; r++) acc[r]! += w * store[base + r]!;
  }
  return total;
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

/** 1 where y > ref, ½ on ties, 0 otherwise. */
function improvement(y: Float64Array, ref: Float64Array): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i]! > ref[i]! ? 1 : y[i] === ref[i] ? 0.5 : 0;
  return out;
}

function row(policy: string, metric: string, point: number | null, ci: Interval): IntervalRow {
  return { policy, metric, point, lo: ci?.[0] ?? null, hi: ci?.[1] ?? null };
}
