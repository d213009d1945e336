/** The shapes of `advise`: its input, options and the advice for one budget C. */
import type { Pool } from "../replay/index.ts";
import type { Interval } from "./advise-compare.ts";
import type { EffectsRow } from "./effects.ts";
import type { PhiCell } from "./phi.ts";
import type { Curve, SplitOutcome } from "./splits.ts";
import type { ReachRow } from "./threshold.ts";

export interface SplitAdvice {
  T: number;
  N: number;
  /** Seeds logged at this split (exact runs and prefixes of deeper runs). */
  n_seeds: number;
  observed: number | null;
  /** Student-t interval of the mean over seeds. */
  observed_ci95: Interval;
  predicted: number | null;
  predicted_ci95: Interval;
}

export interface SplitComparison {
  T: number;
  N: number;
  /** best − this split (paired by seed where seeds are shared, else Welch). */
  difference: number;
  ci95: Interval;
  p: number | null;
  p_holm: number | null;
  paired: boolean;
}

export interface ParallelAdvice {
  K: number;
  policy: string;
  N: number;
  /** Rounds of N calls: G = C/N. */
  G: number;
  gain_vs_single: number;
  ci95: Interval;
  p_holm: number | null;
  pool_effect: number;
  pool_ci95: Interval;
  allocation_effect: number;
  allocation_ci95: Interval;
}

export interface ThresholdAdvice {
  tau: number;
  tau_level: number | null;
  method: string;
  /** Calls (≤ C) at which the mean curve reaches τ with 90% confidence (analysis/threshold.ts); null: not within C. */
  calls: number | null;
}

export interface Advice {
  task: string;
  model: string;
  C: number;
  /** "observed": splits logged at C; "predicted": the Φ-model only (C not logged). */
  basis: "observed" | "predicted" | "none";
  recommended: SplitAdvice | null;
  runner_up: SplitAdvice | null;
  /** recommended − runner-up. */
  difference: number | null;
  difference_ci95: Interval;
  /** True when the recommended split beats every other by a Holm-adjusted p < 0.05. */
  clear_winner: boolean;
  /** Splits not distinguishable from the recommended one (Holm p ≥ 0.05), best first. */
  tied: { T: number; N: number }[];
  splits: SplitAdvice[];
  comparisons: SplitComparison[];
  /** The best K arms under a policy when it beats one run at C (Holm p < 0.05), else null. */
  parallel: ParallelAdvice | null;
  /** The best (K, policy) tried, clear or not; null when no pool was deep enough. */
  parallel_best_tried: ParallelAdvice | null;
  threshold: ThresholdAdvice[];
  data_gaps: string[];
  notes: string[];
}

export interface AdviseInput {
  task: string;
  model: string;
  C: number;
  /** Split outcomes of this (task, model), every budget. */
  outcomes: readonly SplitOutcome[];
  /** Longest curve per seed of this (task, model). */
  curves: readonly Curve[];
  /** The Φ-model of this (task, model), if any. */
  phi: PhiCell | null;
  /** Greedy pools of this (task, model). */
  pools: readonly Pool[];
  /** Online threshold rows of this (task, model) (from `onlineReach`). */
  online: readonly ReachRow[];
  taus: readonly { tau: number; level: number | null }[];
}

export interface AdviseOptions {
  /** Bootstrap resamples and instances of each replay. Defaults 200 and 500. */
  bootstrap?: number;
  maxInstances?: number;
  /** Resamples behind threshold-reaching. Default 1000. */
  reachReplicates?: number;
  seed?: number;
  /** Significance level of "clear". Default 0.05. */
  alpha?: number;
  /**
   * Effects already replayed (the report's K ablation): parallel arms are read
   * from the rows at G = C/N instead of replaying. Absent: replay here.
   */
  effects?: readonly EffectsRow[];
}
