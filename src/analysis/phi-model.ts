/**
 * The Φ-model's form, per (task, model): y = ln(1 − V/V*) = β0 + a·ln T +
 * b·ln N + c·ln T·ln N (or y = V for the linear response), its result types
 * and the response of a fitness value. The fit is in phi.ts, the geometry
 * along an iso-budget line in phi-optimum.ts.
 */
import type { SplitOutcome } from "./splits.ts";

export type PhiResponse = "log" | "linear";
export const PHI_RESPONSES: readonly PhiResponse[] = ["log", "linear"];
export type PhiRegime = "corner-depth" | "corner-breadth" | "interior";

export type PhiRow = Pick<SplitOutcome, "task" | "model" | "C" | "T" | "N" | "seed" | "fitness">;

export interface PhiOptions {
  /** V*, the task's ceiling (default 1). */
  ceiling?: number;
  /** Where the ceiling came from (stated in the block). */
  ceilingSource?: string;
  response?: PhiResponse;
  /** Seed-cluster bootstrap resamples (default 1000; 0 = none). */
  bootstrap?: number;
  /** Seed of the bootstrap's random stream (default 0). */
  seed?: number;
  /** Plateau: the ln T range whose fitted V is within this of the optimum (default 0.01). */
  plateauTolerance?: number;
}

export interface PhiCoefficient {
  estimate: number;
  /** Seed-clustered (CR1) standard error; the interval lo..hi uses it with t(G − 1). */
  se: number;
  se_ols: number;
  lo: number;
  hi: number;
  /** OLS 95% interval, t(n − 4). */
  lo_ols: number;
  hi_ols: number;
  /** Seed-cluster-bootstrap percentile 95% interval (null without bootstrap). */
  ci95_bootstrap: [number, number] | null;
}

export interface PhiOptimum {
  C: number;
  ln_T_star: number;
  T_star: number;
  /**
   * 95% interval of T*: at an interior optimum, the delta method on the seed-clustered covariance
   * (ln T* ± t(seeds − 1)·se, clipped to [1, C]); at a corner, the seed-cluster-bootstrap percentile
   * interval (null without bootstrap). `T_star_ci95_method` says which.
   */
  T_star_ci95: [number, number] | null;
  T_star_ci95_method: "delta-t" | "bootstrap" | null;
  /** The seed-cluster-bootstrap percentile interval of T*, whatever the regime. */
  T_star_ci95_bootstrap: [number, number] | null;
  regime: PhiRegime;
  /** Share of bootstrap fits in each regime. */
  regime_share: Record<PhiRegime, number> | null;
  /** Half the width, in ln T, of the plateau around T* (fitted V within the tolerance of the optimum). */
  plateau_half_width: number;
  plateau_half_width_ci95: [number, number] | null;
  /** The plateau's ends as T values. */
  plateau_T: [number, number];
  /** Fitted V at T*. */
  V_star: number;
  /** The depths logged at this budget. */
  logged_T: [number, number];
}

export interface PhiBase {
  task: string;
  model: string;
  response: PhiResponse;
  ceiling: number;
  ceiling_source: string;
  n: number;
  n_seeds: number;
  n_splits: number;
  budgets: number[];
  notes: string[];
}

export interface PhiFit extends PhiBase {
  fittable: true;
  coefficients: { b0: PhiCoefficient; a: PhiCoefficient; b: PhiCoefficient; c: PhiCoefficient };
  /** Seed-clustered covariance of (b0, a, b, c), for predictions. */
  vcov: number[][];
  /** Residual standard deviation of one row. */
  sigma: number;
  r2: number;
  adj_r2: number;
  budget_only_r2: number;
  f_vs_budget_only: { F: number; df1: number; df2: number; p: number };
  optimum: PhiOptimum[];
  bootstrap: { B: number; seed: number; failed: number } | null;
}

export interface PhiNotFittable extends PhiBase {
  fittable: false;
  reason: string;
}

export type PhiCell = PhiFit | PhiNotFittable;

/** Clipped values sit this far below the ceiling (relative). */
export const CEILING_CLIP = 1e-4;
export const TERMS = ["b0", "a", "b", "c"] as const;
/** Number of coefficients. */
export const P = TERMS.length;

/** The response of one fitness value: ln(1 − V/V*) (clipped below the ceiling) or V. */
export function phiResponse(
  v: number,
  ceiling: number,
  response: PhiResponse,
): { y: number; clipped: boolean } {
  if (response === "linear") return { y: v, clipped: false };
  const clipped = v >= ceiling;
  const r = clipped ? 1 - CEILING_CLIP : v / ceiling;
  return { y: Math.log(1 - r), clipped };
}

/** V from a fitted response (the inverse of `phiResponse`). */
export function phiValue(y: number, ceiling: number, response: PhiResponse): number {
  return response === "linear" ? y : ceiling * (1 - Math.exp(y));
}

/** The Φ-model design row (1, ln T, ln N, ln T·ln N) of a split. */
export const design = (T: number, N: number) => {
  const u = Math.log(T);
  const z = Math.log(N);
  return [1, u, z, u * z];
};
