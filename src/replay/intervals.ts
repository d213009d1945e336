/**
 * Interval estimates of replay metrics, the rliable way: a metric is a pure
 * function of the per-instance scores, and one function puts an interval on
 * any of them.
 *
 *   outcomes per instance ─> scoreTable (one row per instance, summed by seed in one pass)
 *                         ─> intervalEstimates(table, metric, ctx) ─> {point, ci95, stat}
 *
 * The fast path stays fused: every score column is summed by seed once
 * (seed-sums.ts), and a metric reads each column as a `SeedStat` — its mean
 * over the instances and its S leave-one-seed-out means — and combines them
 * seed by seed (a difference, a ratio of gaps). The interval itself comes
 * from `seedInterval` (seed-interval.ts), the one place a method is chosen.
 */
import type { Instances } from "./instances.ts";
import { difference, type Interval, jackknifeSe, type SeedStat } from "./jackknife.ts";
import { type IntervalContext, seedInterval } from "./seed-interval.ts";
import { meanStat, type SeedSums, seedSums } from "./seed-sums.ts";

/**
 * Per-instance scores of P policies on the same instances, summed by seed. Columns, per instance:
 * the P policy outcomes, uniform, single, oracle; per policy 1/½/0 for beating/tying/losing to
 * uniform, the same against single; last 1 where oracle > uniform.
 */
export interface ScoreTable {
  policies: number;
  sums: SeedSums;
}

/** The references every policy is scored against, in column order after the policies. */
export const REFERENCE_NAMES = ["uniform", "single", "oracle"] as const;
export type ReferenceName = (typeof REFERENCE_NAMES)[number];

/**
 * The score table of `outcomes` (one array per policy) and the references on `inst`, over `nSeeds`
 * seeds. O(instances·K·P).
 */
export function scoreTable(
  inst: Instances,
  nSeeds: number,
  outcomes: Float64Array[],
  refs: Record<ReferenceName, Float64Array>,
): ScoreTable {
  const P = outcomes.length;
  const cols = 3 * P + 4;
  const rows = new Float64Array(inst.count * cols);
  fillRows(rows, outcomes, refs.uniform, refs.single, refs.oracle);
  return { policies: P, sums: seedSums(inst, nSeeds, rows, cols) };
}

/**
 * One row per instance, as `ScoreTable` lays them out. A top-level function
 * with explicit arguments: V8 optimises it reliably, unlike a large closure.
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

/** An allocation of a score table: policy p (0-based) or a reference. */
export type Allocation = number | ReferenceName;

/** A metric: a statistic of the seed pool, from the score table. */
export type Metric = (table: ScoreTable) => SeedStat;

const column = (t: ScoreTable, a: Allocation): number =>
  typeof a === "number" ? a : t.policies + REFERENCE_NAMES.indexOf(a);

/** The mean outcome of an allocation over the instances. */
export const meanOf =
  (a: Allocation): Metric =>
  (t) =>
    meanStat(t.sums, column(t, a));

/** P(policy p beats `ref` on an instance), a tie counting ½. */
export const pImprove =
  (p: number, ref: "uniform" | "single"): Metric =>
  (t) =>
    meanStat(t.sums, (ref === "uniform" ? 1 : 2) * t.policies + 3 + p);

/** The number of instances where the oracle beats uniform (where the normalised score's gap comes from). */
export const oracleBeatsUniform = (t: ScoreTable): number => t.sums.total[3 * t.policies + 3]!;

/**
 * (mean Y − mean uniform)/(mean oracle − mean uniform): the share of the gap between uniform and the
 * oracle that policy p closes; NaN (seed by seed) where the oracle does not beat uniform. A ratio of
 * means: the mean of per-instance ratios has an unbounded tail where oracle ≈ uniform.
 */
export const normalised =
  (p: number): Metric =>
  (t) =>
    gapShare(meanOf(p)(t), meanOf("uniform")(t), meanOf("oracle")(t));

/** a − b, paired: both on the same instances, seed by seed. */
export const diff =
  (a: Metric, b: Metric): Metric =>
  (t) =>
    difference(a(t), b(t));

function gapShare(y: SeedStat, u: SeedStat, o: SeedStat): SeedStat {
  const share = (a: number, b: number, c: number) => (c > b ? (a - b) / (c - b) : Number.NaN);
  return {
    point: share(y.point, u.point, o.point),
    loo: y.loo.map((v, s) => share(v, u.loo[s]!, o.loo[s]!)),
  };
}

export interface IntervalEstimate {
  point: number;
  /** null when intervals are off or undefined for this statistic. */
  ci95: Interval;
  /** The statistic with its leave-one-seed-out values (for paired comparisons). */
  stat: SeedStat;
}

/**
 * The point value of `metric` on `table` and its interval by `ctx` (null ctx: no interval). O(S)
 * beyond the metric.
 */
export function intervalEstimates(
  table: ScoreTable,
  metric: Metric,
  ctx: IntervalContext | null,
): IntervalEstimate {
  const stat = metric(table);
  return { point: stat.point, ci95: ctx ? seedInterval(stat, ctx) : null, stat };
}

/**
 * The pointwise band of a mean curve: mean ± tq·se per round, se the jackknife standard error over
 * the curve instances (`store` holds one curve of G values per instance of `curveInst`); with no
 * `tq`, the band is the mean itself.
 */
export function curveBand(
  mean: number[],
  curveInst: Instances,
  nSeeds: number,
  store: Float32Array,
  tq: number | null,
): { lo: number[]; hi: number[] } {
  if (tq === null) return { lo: mean.slice(), hi: mean.slice() };
  const g = mean.length;
  const sums = seedSums(curveInst, nSeeds, Float64Array.from(store), g);
  const se = new Float64Array(g);
  for (let r = 0; r < g; r++) {
    const st = meanStat(sums, r);
    se[r] = st.loo.some(Number.isNaN) ? 0 : jackknifeSe(st.loo);
  }
  return { lo: mean.map((m, r) => m - tq * se[r]!), hi: mean.map((m, r) => m + tq * se[r]!) };
}
