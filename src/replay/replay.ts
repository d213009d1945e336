/**
 * Replay of allocation policies over one pool of logged curves.
 *
 *   options ─> plan: instances (arms in a seeded random order), curve subsample ─┐
 *   ┌────────────────────────────────────────────────────────────────────────────┘
 *   ├─> kernel: each policy on every instance (common random numbers)  ─┐
 *   └─> references: uniform, single, oracle on the same instances ──────┤
 *       scores: one row per instance, summed by seed (intervals.ts) <───┘
 *         ├─> summary: distributions, P(improve), normalised, curves, pulls, each with intervalEstimates
 *         └─> compare: paired differences, Wilcoxon on disjoint instances, the best policy (Holm)
 *
 * Pure: no I/O, all randomness from `seed`. `replayThreaded` (threaded.ts)
 * runs the same stages with the kernel spread over worker threads.
 */
import type { RngKind } from "../policies/stream.ts";
import { tQuantile } from "../util/student-t.ts";
import {
  type BestPick,
  type Comparison,
  type PairedOptions,
  pickBest,
  replayComparisons,
} from "./compare.ts";
import { type CurveTable, type PolicyRun, references, runPolicy } from "./engine.ts";
import type { Instances } from "./instances.ts";
import { meanOf, oracleBeatsUniform, type ScoreTable, scoreTable } from "./intervals.ts";
import { DEFAULT_INTERVAL_METHOD, type ReplayOptions } from "./options.ts";
import { kernelOptions, planReplay, type ReplayPlan } from "./plan.ts";
import type { Pool } from "./pool.ts";
import { type IntervalContext, type IntervalMethod, seedInterval, seedPValue } from "./seed-interval.ts";
import {
  type Curve,
  curveAndPulls,
  type Distribution,
  flatNote,
  type IntervalRow,
  intervalRows,
  type PolicySummary,
  type Pulls,
  policySummary,
  referenceSummaries,
  type SummaryContext,
} from "./summary.ts";

export type { Interval } from "./jackknife.ts";

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
  /** How ci95 intervals are computed (seed-interval.ts), or "none". */
  interval_method: IntervalMethod | "none";
  /** G < K: fewer rounds than arms, no policy can try every arm; such a pool names no best policy. */
  few_rounds: boolean;
  /**
   * The best policy by mean against every other (paired, Holm-adjusted), or null
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
  pulls: Record<string, Pulls>;
  /** Per instance: pool indices of its arms (count × K, flat) and every outcome (policies and references). */
  instances: { arms: Int32Array; outcomes: Record<string, Float64Array> };
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

/** The last stage of `replay`: references, scores, summaries with intervals, comparisons, the best policy. */
export function summarise(plan: ReplayPlan, runs: PolicyRun[]): ReplayResult {
  const { pool, opts, names, k, g, s, inst, notes } = plan;
  const refs = references(plan.table, inst, g);
  const scores = scoreTable(
    inst,
    s,
    runs.map((r) => r.outcomes),
    refs,
  );
  const intervals = intervalContext(plan, scores);
  const ctx: SummaryContext = { table: scores, intervals, rounds: g, single: plan.single };

  const policies: Record<string, PolicySummary> = {};
  const curves: Record<string, Curve> = {};
  const pulls: Record<string, Pulls> = {};
  const outcomes: Record<string, Float64Array> = {};
  const curveInst = curveInstances(inst, plan.curves.index);
  const tq = intervals ? tQuantile(0.975, s - 1) : null;
  names.forEach((name, p) => {
    const run = runs[p]!;
    policies[name] = policySummary(p, run, plan.params[p]!, ctx);
    outcomes[name] = run.outcomes;
    const cp = curveAndPulls(run, curveInst, s, tq);
    curves[name] = cp.curve;
    pulls[name] = cp.pulls;
  });
  const refDist = referenceSummaries(refs, ctx);
  Object.assign(outcomes, refs);
  const rows = intervalRows(policies, refDist);
  const flat = intervals ? flatNote(rows) : null;
  if (flat) notes.push(flat);

  const diffCtx: IntervalContext | null = intervals && { ...intervals, kind: "difference" };
  const paired: PairedOptions | null = diffCtx
    ? { interval: (d) => seedInterval(d, diffCtx), pValue: (d) => seedPValue(d, diffCtx) }
    : null;
  const compared = replayComparisons({ ...plan, nSeeds: s, rounds: g, rng: opts.rng, scores, paired });
  notes.push(...compared.notes);
  const best =
    paired && names.length >= 2 && !plan.fewRounds
      ? pickBest(Object.fromEntries(names.map((name, p) => [name, meanOf(p)(scores)])), paired)
      : null;

  return {
    task: pool.task,
    model: pool.model,
    N: pool.N,
    K: k,
    rounds: g,
    n_instances: inst.count,
    pool: [...pool.seeds],
    enumerated: inst.enumerated,
    seed: plan.seed,
    rng: opts.rng ?? "evoalloc",
    bootstrap: plan.bootstrap,
    interval_method: intervals ? intervals.method : "none",
    few_rounds: plan.fewRounds,
    best,
    depth: plan.depth,
    notes,
    policies,
    references: refDist,
    n_normalized: oracleBeatsUniform(scores),
    intervals: rows,
    comparisons: compared.comparisons,
    curves,
    pulls,
    instances: { arms: inst.arms, outcomes },
  };
}

/**
 * The interval context of a replay, or null when intervals are off or undefined: the delete-one-seed
 * jackknife needs K < S (with K = S, leaving a seed out leaves no instance) — noted. It carries K and
 * the range of each kind of statistic (jackknife-pseudo's pseudo-seed and rule of three): means between
 * the lowest and highest logged value of the pool up to G, P(improve) in [0, 1], paired differences
 * within ± that span, the normalised score in [−1, 1].
 */
function intervalContext(plan: ReplayPlan, scores: ScoreTable): IntervalContext | null {
  if (!plan.intervalsAsked) return null;
  if (plan.s >= 2 && !meanOf(0)(scores).loo.some(Number.isNaN)) {
    const [lo, hi] = curveRange(plan.table, plan.inst, plan.g);
    return {
      method: plan.opts.intervalMethod ?? DEFAULT_INTERVAL_METHOD,
      k: plan.k,
      ranges: { mean: [lo, hi], proportion: [0, 1], difference: [lo - hi, hi - lo], ratio: [-1, 1] },
    };
  }
  plan.notes.push(
    `no intervals: with ${plan.s} seeds and K = ${plan.k}, leaving a seed out leaves no instance ` +
      "(the delete-one-seed jackknife needs K < S)",
  );
  return null;
}

/**
 * The lowest and highest logged value over the instances' curves, up to G: the range of a mean outcome
 * (jackknife-pseudo's pseudo-seed and rule of three). O(seeds·G + instances·K).
 */
export function curveRange(table: CurveTable, inst: Instances, g: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const seen = new Uint8Array(table.depth.length);
  for (let a = 0; a < inst.arms.length; a++) {
    const j = inst.arms[a]!;
    if (seen[j]) continue;
    seen[j] = 1;
    const from = table.offset[j]!;
    const to = from + Math.min(g, table.depth[j]!);
    for (let i = from; i <= to; i++) {
      const v = table.flat[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** The instances of the curve sample, in sample order. */
function curveInstances(inst: Instances, index: Int32Array): Instances {
  const k = inst.k;
  const arms = new Int32Array(index.length * k);
  for (let t = 0; t < index.length; t++)
    arms.set(inst.arms.subarray(index[t]! * k, index[t]! * k + k), t * k);
  return { k, count: index.length, arms, enumerated: false };
}
