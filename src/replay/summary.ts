/**
 * The summaries of a replay: each policy's and reference's distribution of
 * outcomes with its intervals, the tidy interval rows, the mean running-best
 * curves and the pull counts. Pure; takes the kernel's runs and the score table.
 */
import type { PolicyParams } from "../policies/policy.ts";
import type { PolicyRun, References } from "./engine.ts";
import type { Instances } from "./instances.ts";
import {
  curveBand,
  type IntervalEstimate,
  intervalEstimates,
  meanOf,
  normalised,
  pImprove,
  REFERENCE_NAMES,
  type ReferenceName,
  type ScoreTable,
} from "./intervals.ts";
import type { Interval } from "./jackknife.ts";
import type { IntervalContext, StatKind } from "./seed-interval.ts";
import { summarize } from "./stats.ts";

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

export interface Curve {
  mean: number[];
  lo: number[];
  hi: number[];
}

export interface Pulls {
  sorted: number[];
  by_arm: number[];
}

/** What every policy's summary needs besides its own run. */
export interface SummaryContext {
  table: ScoreTable;
  /** Interval method, or null when intervals are off. */
  intervals: IntervalContext | null;
  rounds: number;
  /** A single instance (--subset): record its outcome and selections. */
  single: boolean;
}

/** Policy p's summary: its distribution, P(improve) and normalised score with intervals, exhaustion. */
export function policySummary(
  p: number,
  run: PolicyRun,
  params: PolicyParams,
  ctx: SummaryContext,
): PolicySummary {
  const est = (m: Parameters<typeof intervalEstimates>[1], kind: StatKind = "mean"): IntervalEstimate =>
    intervalEstimates(ctx.table, m, ctx.intervals && { ...ctx.intervals, kind });
  const n = run.outcomes.length;
  const vsU = est(pImprove(p, "uniform"), "proportion");
  const vsS = est(pImprove(p, "single"), "proportion");
  const norm = est(normalised(p), "ratio");
  const defined = !Number.isNaN(norm.point);
  const summary: PolicySummary = {
    ...summarize(run.outcomes),
    ci95: est(meanOf(p)).ci95,
    p_improve_vs_uniform: vsU.point,
    p_improve_vs_single: vsS.point,
    p_improve_vs_uniform_ci95: vsU.ci95,
    p_improve_vs_single_ci95: vsS.ci95,
    normalized_mean: defined ? norm.point : null,
    normalized_ci95: defined ? norm.ci95 : null,
    exhausted_rate: run.exhaustedPicks / (n * ctx.rounds),
    stopped_rate: run.stopped / n,
    params,
  };
  if (ctx.single) {
    summary.final = run.outcomes[0]!;
    summary.selections = run.selections;
  }
  return summary;
}

/** The distribution of each reference's outcomes, with the interval of its mean. */
export function referenceSummaries(
  refs: References,
  ctx: SummaryContext,
): Record<ReferenceName, Distribution> {
  const dist = (name: ReferenceName): Distribution => ({
    ...summarize(refs[name]),
    ci95: intervalEstimates(ctx.table, meanOf(name), ctx.intervals).ci95,
  });
  return { uniform: dist("uniform"), single: dist("single"), oracle: dist("oracle") };
}

/** The tidy rows of every interval: per policy its mean, P(improve) ×2, normalised; then each reference's mean. */
export function intervalRows(
  policies: Record<string, PolicySummary>,
  refs: Record<ReferenceName, Distribution>,
): IntervalRow[] {
  const rows: IntervalRow[] = [];
  for (const [name, s] of Object.entries(policies))
    rows.push(
      row(name, "mean", s.mean, s.ci95),
      row(name, "p_improve_vs_uniform", s.p_improve_vs_uniform, s.p_improve_vs_uniform_ci95),
      row(name, "p_improve_vs_single", s.p_improve_vs_single, s.p_improve_vs_single_ci95),
      row(name, "normalized_mean", s.normalized_mean, s.normalized_ci95),
    );
  for (const name of REFERENCE_NAMES) rows.push(row(name, "mean", refs[name].mean, refs[name].ci95));
  return rows;
}

function row(policy: string, metric: string, point: number | null, ci: Interval): IntervalRow {
  return { policy, metric, point, lo: ci?.[0] ?? null, hi: ci?.[1] ?? null };
}

/** The note on statistics that no seed left out changes, or null (intervals on only). */
export function flatNote(rows: IntervalRow[]): string | null {
  const flat = rows.filter((r) => r.point !== null && r.lo === null);
  if (flat.length === 0) return null;
  return (
    `no interval for ${flat.length} statistic(s) that no seed left out changes (nothing varies to measure), ` +
    `e.g. ${flat[0]!.policy} ${flat[0]!.metric} = ${flat[0]!.point}`
  );
}

/**
 * A policy's mean running best after each round, with its pointwise band (t quantile `tq` times the
 * jackknife se over the curve instances; no band when `tq` is null), and its mean pull counts.
 */
export function curveAndPulls(
  run: PolicyRun,
  curveInst: Instances,
  nSeeds: number,
  tq: number | null,
): { curve: Curve; pulls: Pulls } {
  const n = run.outcomes.length;
  const mean = Array.from(run.curveSum, (v) => v / n);
  return {
    curve: { mean, ...curveBand(mean, curveInst, nSeeds, run.curveStore, tq) },
    pulls: {
      sorted: Array.from(run.sortedPullSum, (v) => v / n),
      by_arm: Array.from(run.pullSum, (v) => v / n),
    },
  };
}
