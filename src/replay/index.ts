/**
 * Offline replay of allocation policies over logged per-seed curves, and the
 * T × N sweep at a fixed budget. Pure: the CLI reads the files.
 *
 *   runs ─> buildPools ─> replay(pool, opts)      policies vs uniform / single / oracle
 *   runs ─> sweep(runs, opts)                     final fitness per split T·N = C
 */

export { incompleteBeta, logGamma, tCdf, tCritical, tQuantile, tTwoSidedP } from "../util/student-t.ts";
export {
  type BestPick,
  type BestVersus,
  type Comparison,
  holm,
  type PairedOptions,
  type PairedTest,
  type PickBestOptions,
  pairedTest,
  pickBest,
  replayComparisons,
} from "./compare.ts";
export {
  type CurveTable,
  curveTable,
  type PolicyRun,
  type References,
  references,
  runPolicy,
} from "./engine.ts";
export { ReplayError } from "./errors.ts";
export {
  binomial,
  disjointInstances,
  enumerateInstances,
  type Instances,
  makeInstances,
  sampleInstances,
  shuffleArms,
} from "./instances.ts";
export {
  type Allocation,
  diff,
  type IntervalEstimate,
  intervalEstimates,
  type Metric,
  meanOf,
  normalised,
  pImprove,
  REFERENCE_NAMES,
  type ScoreTable,
  scoreTable,
} from "./intervals.ts";
export {
  difference,
  type JackknifeEstimate,
  type JackknifeOptions,
  jackknife,
  jackknifeAcceleration,
  jackknifeSe,
  type SeedStat,
  seedMean,
} from "./jackknife.ts";
export { type ReplaySize, replayMemoryBytes } from "./memory.ts";
export type { ReplayOptions } from "./options.ts";
export { FEW_ROUNDS_NOTE, planReplay, type ReplayPlan } from "./plan.ts";
export { buildPools, type Pool } from "./pool.ts";
export { type Interval, type ReplayResult, replay } from "./replay.ts";
export {
  INTERVAL_METHODS,
  type IntervalContext,
  type IntervalMethod,
  PSEUDO_WEIGHT,
  type StatKind,
  seedInterval,
  seedPValue,
  unseenShare,
} from "./seed-interval.ts";
export { meanStat, type SeedSums, seedSums } from "./seed-sums.ts";
export { expectedMaxOfK, iqm, quantile, summarize } from "./stats.ts";
export { type CurveSample, curveSample, subsample } from "./subsample.ts";
export type { Curve, Distribution, IntervalRow, PolicySummary } from "./summary.ts";
export {
  type SweepOptions,
  type SweepResult,
  type SweepSplit,
  splitStats,
  splitsOf,
  sweep,
} from "./sweep.ts";
export { type SyntheticRunSpec, syntheticGreedyRun, syntheticRecord } from "./synthetic.ts";
export {
  defaultThreads,
  replayThreaded,
  replayThreads,
  startKernelWorkers,
  THREADED_MIN_WORK,
} from "./threaded.ts";
export { normalCdf, type WilcoxonResult, wilcoxonSignedRank } from "./wilcoxon.ts";
