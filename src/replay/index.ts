/**
 * Offline replay of allocation policies over logged per-seed curves, and the
 * T × N sweep at a fixed budget. Pure: the CLI reads the files.
 *
 *   runs ─> buildPools ─> replay(pool, opts)      policies vs uniform / single / oracle
 *   runs ─> sweep(runs, opts)                     final fitness per split T·N = C
 */
export {
  type BestPick,
  type BestVersus,
  holm,
  type PairedTest,
  type PickBestOptions,
  pairedTest,
  pickBest,
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
export { buildPools, type Pool } from "./pool.ts";
export {
  type Comparison,
  type Curve,
  type Distribution,
  FEW_ROUNDS_NOTE,
  type Interval,
  type IntervalMethod,
  type IntervalRow,
  type PolicySummary,
  type ReplayOptions,
  type ReplayResult,
  replay,
} from "./replay.ts";
export { meanStat, ratioStat, type SeedSums, seedSums } from "./seed-sums.ts";
export { expectedMaxOfK, iqm, mean, quantile, sd, summarize } from "./stats.ts";
export { StreamRng } from "./stream-rng.ts";
export { incompleteBeta, logGamma, tCdf, tQuantile, tTwoSidedP } from "./student-t.ts";
export {
  type SweepOptions,
  type SweepResult,
  type SweepSplit,
  splitStats,
  splitsOf,
  sweep,
} from "./sweep.ts";
export { type SyntheticRunSpec, syntheticGreedyRun, syntheticRecord } from "./synthetic.ts";
export { defaultThreads, replayThreaded, THREADED_MIN_WORK } from "./threaded.ts";
export { normalCdf, type WilcoxonResult, wilcoxonSignedRank } from "./wilcoxon.ts";
