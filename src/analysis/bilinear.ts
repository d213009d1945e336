/**
 * The bilinear depth–breadth fit per (task, model):
 *
 *   y = b0 + bT·log2 T + bN·log2 N + bTN·log2 T·log2 N
 *
 * by OLS over split outcomes (exact runs and prefixes of deeper runs, one
 * row per seed and split), with the F test of the interaction term against
 * the additive model. Standard errors: OLS, and clustered by seed beside them
 * (a seed's splits are prefixes of one run, so its rows are correlated). At a single budget C, log2 N = log2 C − log2 T, so
 * depth and breadth cannot be separated: such cells are reported as not
 * fittable, with the reason.
 */
import { mean } from "../util/stats.ts";
import { clusteredInference, FitError, fitOrError, fTest, ols } from "./ols.ts";
import type { SplitOutcome } from "./splits.ts";

export const BILINEAR_TERMS = ["b0", "bT", "bN", "bTN"] as const;
export type BilinearTerm = (typeof BILINEAR_TERMS)[number];

export interface Coefficient {
  term: BilinearTerm;
  estimate: number;
  se: number;
  t: number;
  p: number;
  lo: number;
  hi: number;
  /** Seed-clustered (CR1) standard error and 95% interval (t with seeds − 1 df); null with one seed. */
  se_clustered: number | null;
  lo_clustered: number | null;
  hi_clustered: number | null;
}

interface CellBase {
  task: string;
  model: string;
  n: number;
  /** Distinct (T, N) splits and budgets C among the observations. */
  n_splits: number;
  budgets: number[];
}

export interface BilinearFit extends CellBase {
  fittable: true;
  coefficients: Coefficient[];
  r2: number;
  adj_r2: number;
  sigma: number;
  df: number;
  /** F test of bTN = 0 (the additive model nested in the bilinear one). */
  interaction: { F: number; df1: number; df2: number; p: number };
  /** Observed split means beside the fitted surface (for the observed-vs-fitted figure). */
  points: { T: number; N: number; C: number; n: number; observed: number; fitted: number }[];
}

export interface NotFittable extends CellBase {
  fittable: false;
  reason: string;
}

export type BilinearCell = BilinearFit | NotFittable;

/** Minimum distinct splits: 4 coefficients need 4 points of the surface, plus one to test them. */
export const MIN_SPLITS = 5;

const predict = (b: number[], x: number, z: number) => b[0]! + b[1]! * x + b[2]! * z + b[3]! * x * z;

/**
 * Fits one cell's outcomes (all rows share task and model).
 *
 * @example fitBilinear(outcomesAtTwoBudgets).coefficients[3].estimate // => bTN
 */
export function fitBilinear(rows: readonly SplitOutcome[]): BilinearCell {
  const first = rows[0];
  const splits = new Map<string, { T: number; N: number; C: number; ys: number[] }>();
  for (const r of rows) {
    const k = `${r.T}x${r.N}`;
    if (!splits.has(k)) splits.set(k, { T: r.T, N: r.N, C: r.C, ys: [] });
    splits.get(k)!.ys.push(r.fitness);
  }
  const budgets = [...new Set(rows.map((r) => r.C))].sort((a, b) => a - b);
  const base: CellBase = {
    task: first?.task ?? "",
    model: first?.model ?? "",
    n: rows.length,
    n_splits: splits.size,
    budgets,
  };
  const no = (reason: string): NotFittable => ({ ...base, fittable: false, reason });
  if (budgets.length < 2)
    return no(
      `one budget C (${budgets.join(", ") || "none"}): at one C, log2 N = log2 C − log2 T, so depth and breadth cannot be separated`,
    );
  if (splits.size < MIN_SPLITS)
    return no(`${splits.size} distinct (T, N) splits; at least ${MIN_SPLITS} needed`);
  const X = rows.map((r) => {
    const x = Math.log2(r.T);
    const z = Math.log2(r.N);
    return [1, x, z, x * z];
  });
  const y = rows.map((r) => r.fitness);
  const seeds = rows.map((r) => r.seed);
  const fits = fitOrError(() => ({
    full: ols(X, y),
    additive: ols(
      X.map((row) => row.slice(0, 3)),
      y,
    ),
  }));
  if (fits instanceof FitError) return no(fits.message);
  const { full, additive } = fits;
  if (full.df < 1) return no("no residual degrees of freedom");
  const clus = new Set(seeds).size >= 2 ? clusteredInference(X, y, seeds, full) : null;
  const coefficients = BILINEAR_TERMS.map((term, j) => ({
    term,
    estimate: full.beta[j]!,
    se: full.se[j]!,
    t: full.t[j]!,
    p: full.p[j]!,
    lo: full.lo[j]!,
    hi: full.hi[j]!,
    se_clustered: clus ? clus.se[j]! : null,
    lo_clustered: clus ? clus.lo[j]! : null,
    hi_clustered: clus ? clus.hi[j]! : null,
  }));
  const points = [...splits.values()]
    .sort((a, b) => a.C - b.C || a.T - b.T)
    .map((s) => ({
      T: s.T,
      N: s.N,
      C: s.C,
      n: s.ys.length,
      observed: mean(s.ys),
      fitted: predict(full.beta, Math.log2(s.T), Math.log2(s.N)),
    }));
  return {
    ...base,
    fittable: true,
    coefficients,
    r2: full.r2,
    adj_r2: full.adjR2,
    sigma: full.sigma,
    df: full.df,
    interaction: fTest(additive.rss, additive.df, full.rss, full.df),
    points,
  };
}

/** Rows grouped by (task, model), the groups in task then model order. */
export function byTaskModel<R extends { task: string; model: string }>(rows: readonly R[]): R[][] {
  const cells = new Map<string, R[]>();
  for (const o of rows) {
    const k = `${o.task}\u0000${o.model}`;
    if (!cells.has(k)) cells.set(k, []);
    cells.get(k)!.push(o);
  }
  return [...cells.keys()].sort().map((k) => cells.get(k)!);
}

/** One fit per (task, model) present in the outcomes, sorted by task then model. */
export function bilinearFits(outcomes: readonly SplitOutcome[]): BilinearCell[] {
  return byTaskModel(outcomes).map(fitBilinear);
}
