/**
 * The Φ-model in the paper's form, per (task, model):
 *
 *   y = ln(1 − V/V*) = β0 + a·ln T + b·ln N + c·ln T·ln N
 *
 * V the fitness, V* the task's ceiling (task.json `ceiling`, default 1.0);
 * values at or above the ceiling are clipped to (1 − 1e-4)·V* and counted in
 * a note. One row per seed and split (exact runs and prefixes of deeper runs
 * with the same N, as `splitOutcomes` gives them). OLS estimates with OLS and
 * seed-clustered (CR1) standard errors; the budget-only model
 * y = β0 + β1·ln C and the F test of the bilinear model against it (nested:
 * a = b = β1, c = 0); and the geometry along each iso-budget line
 * ln N = ln C − ln T: the fitted optimum ln T* over [0, ln C], its regime and
 * the plateau half-width, with seed-cluster-bootstrap intervals.
 *
 * `response: "linear"` fits y = V itself (the optimum is then a maximum).
 * Pure: rows in, one JSON-ready block out.
 */
import { quantileSorted } from "simple-statistics";
import { rng } from "../util/rng.ts";
import { tCritical } from "../util/student-t.ts";
import { byTaskModel, MIN_SPLITS } from "./bilinear.ts";
import { clusteredInference, FitError, fTest, ols, solveWeighted } from "./ols.ts";
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

interface PhiBase {
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
const TERMS = ["b0", "a", "b", "c"] as const;
const P = TERMS.length;

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

export interface IsoOptimum {
  u: number;
  regime: PhiRegime;
  /** Fitted response and V at the optimum. */
  y: number;
  V: number;
  /** Plateau [lo, hi] in ln T and its half-width. */
  plateau: [number, number];
  halfWidth: number;
}

/**
 * The optimum of the fitted surface β = (b0, a, b, c) along the iso-budget
 * line ln N = ln C − ln T, over ln T ∈ [uMin, uMax] (default [0, ln C]): the
 * minimum of y for the log response (maximum V), the maximum for linear. Along
 * the line y(u) = b0 + b·L + (a − b + c·L)·u − c·u², L = ln C, so c < 0 makes
 * it convex (an interior optimum is possible) and c ≥ 0 puts it at a corner.
 * The plateau is the connected ln T range around the optimum whose fitted V
 * is within `tol` of the optimum's. O(1).
 *
 * @example isoOptimum([-0.3, -0.3, -0.3, -0.1], 256, 1, "log").u // => ln 16 (T* = √C when a = b)
 */
export function isoOptimum(
  beta: readonly number[],
  C: number,
  ceiling: number,
  response: PhiResponse,
  tol = 0.01,
  range?: [number, number],
): IsoOptimum {
  const [b0, a, b, c] = beta as [number, number, number, number];
  const L = Math.log(C);
  const [lo, hi] = range ?? [0, L];
  // loss(u) = s·y(u) = s·(A + B·u + D·u²), minimised
  const s = response === "log" ? 1 : -1;
  const A = b0 + b * L;
  const B = a - b + c * L;
  const D = -c;
  const y = (u: number) => A + B * u + D * u * u;
  const candidates = [lo, hi];
  if (s * D > 0) {
    const u = -B / (2 * D);
    if (u > lo && u < hi) candidates.push(u);
  }
  let u = candidates[0]!;
  for (const v of candidates) if (s * y(v) < s * y(u)) u = v;
  const eps = 1e-9 * Math.max(1, L);
  const regime: PhiRegime = u >= L - eps ? "corner-depth" : u <= eps ? "corner-breadth" : "interior";
  const yStar = y(u);
  const vStar = phiValue(yStar, ceiling, response);
  // plateau: s·y(u) ≤ s·yThr, yThr the response at V* − tol
  const vThr = vStar - tol;
  const yThr = response === "log" ? Math.log(1 - vThr / ceiling) : vThr;
  // g(u) = s·(y(u) − yThr) = s·(A − yThr) + s·B·u + s·D·u²; g(u*) < 0
  const roots = quadraticRoots(s * D, s * B, s * (A - yThr));
  let pLo = lo;
  let pHi = hi;
  for (const r of roots) {
    if (r < u && r > pLo) pLo = r;
    if (r > u && r < pHi) pHi = r;
  }
  return { u, regime, y: yStar, V: vStar, plateau: [pLo, pHi], halfWidth: (pHi - pLo) / 2 };
}

/** Real roots of q2·x² + q1·x + q0 (linear when q2 = 0). */
function quadraticRoots(q2: number, q1: number, q0: number): number[] {
  if (Math.abs(q2) < 1e-300) return q1 !== 0 ? [-q0 / q1] : [];
  const disc = q1 * q1 - 4 * q2 * q0;
  if (disc < 0) return [];
  const sq = Math.sqrt(disc);
  // the numerically stable pair
  const q = -0.5 * (q1 + Math.sign(q1 || 1) * sq);
  const out = [q / q2];
  if (q !== 0) out.push(q0 / q);
  return out;
}

/**
 * The Φ-model of one (task, model) cell (every row shares task and model).
 * Not fittable, with the reason, when the rows span one budget C (ln N is
 * then ln C − ln T), fewer than 5 splits or fewer than 2 seeds.
 * O(n + B·(seeds + budgets)).
 *
 * @example fitPhi(splitOutcomes(tables).filter(o => o.task === "mmd")).optimum[0].regime
 */
export function fitPhi(rows: readonly PhiRow[], opts: PhiOptions = {}): PhiCell {
  const ceiling = opts.ceiling ?? 1;
  const response = opts.response ?? "log";
  const B = opts.bootstrap ?? 1000;
  const bootSeed = opts.seed ?? 0;
  const tol = opts.plateauTolerance ?? 0.01;
  const notes: string[] = [];
  const usable = rows.filter((r) => Number.isFinite(r.fitness));
  if (usable.length < rows.length)
    notes.push(`${rows.length - usable.length} row(s) with a non-finite fitness left out`);
  const splits = new Set(usable.map((r) => `${r.T}x${r.N}`));
  const budgets = [...new Set(usable.map((r) => r.C))].sort((x, y) => x - y);
  const seeds = [...new Set(usable.map((r) => r.seed))].sort((x, y) => x - y);
  const base: PhiBase = {
    task: rows[0]?.task ?? "",
    model: rows[0]?.model ?? "",
    response,
    ceiling,
    ceiling_source: opts.ceilingSource ?? (opts.ceiling === undefined ? "default 1.0" : "given"),
    n: usable.length,
    n_seeds: seeds.length,
    n_splits: splits.size,
    budgets,
    notes,
  };
  const no = (reason: string): PhiNotFittable => ({ ...base, fittable: false, reason });
  if (!(ceiling > 0)) return no(`ceiling ${ceiling} is not positive`);
  if (budgets.length < 2)
    return no(
      `one budget C (${budgets.join(", ") || "none"}): at one C, ln N = ln C − ln T, so depth and breadth cannot be separated`,
    );
  if (splits.size < MIN_SPLITS)
    return no(`${splits.size} distinct (T, N) splits; at least ${MIN_SPLITS} needed`);
  if (seeds.length < 2) return no(`${seeds.length} seed: seed-clustered errors need at least 2`);

  let nClipped = 0;
  const X: number[][] = [];
  const y: number[] = [];
  const cluster: number[] = [];
  for (const r of usable) {
    const v = phiResponse(r.fitness, ceiling, response);
    if (v.clipped) nClipped++;
    X.push(design(r.T, r.N));
    y.push(v.y);
    cluster.push(r.seed);
  }
  if (nClipped > 0)
    notes.push(
      `${nClipped} of ${usable.length} value(s) at or above the ceiling V* = ${ceiling} clipped to (1 − ${CEILING_CLIP})·V*`,
    );
  let full: ReturnType<typeof ols>;
  let budgetOnly: ReturnType<typeof ols>;
  let clus: ReturnType<typeof clusteredInference>;
  try {
    full = ols(X, y);
    budgetOnly = ols(
      usable.map((r) => [1, Math.log(r.C)]),
      y,
    );
    clus = clusteredInference(X, y, cluster, full);
  } catch (err) {
    if (err instanceof FitError) return no(err.message);
    throw err;
  }

  // seed-cluster bootstrap: a resample is a multiplicity per seed, i.e. weighted OLS
  const G = seeds.length;
  const index = new Map(seeds.map((s, i) => [s, i]));
  const xtx = seeds.map(() => new Float64Array(P * P));
  const xty = seeds.map(() => new Float64Array(P));
  for (let i = 0; i < X.length; i++) {
    const g = index.get(cluster[i]!)!;
    const row = X[i]!;
    for (let j = 0; j < P; j++) {
      xty[g]![j]! += row[j]! * y[i]!;
      for (let k = 0; k < P; k++) xtx[g]![j * P + k]! += row[j]! * row[k]!;
    }
  }
  const loggedT = new Map<number, number[]>();
  for (const r of usable) {
    const ts = loggedT.get(r.C) ?? [];
    ts.push(r.T);
    loggedT.set(r.C, ts);
  }
  const boot = { coef: TERMS.map(() => [] as number[]), T: budgets.map(() => [] as number[]) };
  const bootHalf = budgets.map(() => [] as number[]);
  const bootRegime = budgets.map(() => ({ "corner-depth": 0, "corner-breadth": 0, interior: 0 }));
  let failed = 0;
  if (B > 0) {
    const r = rng(bootSeed, 0x9f1);
    const w = new Float64Array(G);
    for (let b = 0; b < B; b++) {
      w.fill(0);
      for (let i = 0; i < G; i++) w[r.int(G)]! += 1;
      const beta = solveWeighted(xtx, xty, w, P);
      if (!beta?.every(Number.isFinite)) {
        failed++;
        continue;
      }
      for (let j = 0; j < P; j++) boot.coef[j]!.push(beta[j]!);
      budgets.forEach((C, k) => {
        const o = isoOptimum(beta, C, ceiling, response, tol);
        boot.T[k]!.push(Math.exp(o.u));
        bootHalf[k]!.push(o.halfWidth);
        bootRegime[k]![o.regime]++;
      });
    }
    if (failed > 0)
      notes.push(`${failed} of ${B} bootstrap resamples had a singular design and were dropped`);
  }
  const ok = B > 0 && B - failed >= 2;
  const pct = (xs: number[]): [number, number] | null => {
    if (!ok) return null;
    const s = Float64Array.from(xs).sort() as unknown as number[];
    return [quantileSorted(s, 0.025), quantileSorted(s, 0.975)];
  };
  const coef = (j: number): PhiCoefficient => ({
    estimate: full.beta[j]!,
    se: clus.se[j]!,
    se_ols: full.se[j]!,
    lo: clus.lo[j]!,
    hi: clus.hi[j]!,
    lo_ols: full.lo[j]!,
    hi_ols: full.hi[j]!,
    ci95_bootstrap: pct(boot.coef[j]!),
  });
  const optimum = budgets.map((C, k): PhiOptimum => {
    const o = isoOptimum(full.beta, C, ceiling, response, tol);
    const ts = loggedT.get(C)!;
    const logged: [number, number] = [Math.min(...ts), Math.max(...ts)];
    const tStar = Math.exp(o.u);
    if (tStar < logged[0] * (1 - 1e-9) || tStar > logged[1] * (1 + 1e-9))
      notes.push(
        `C = ${C}: T* = ${fmt(tStar)} lies outside the logged depths T ∈ [${logged[0]}, ${logged[1]}] (an extrapolation of the fitted surface)`,
      );
    const kept = B - failed;
    const bootT = pct(boot.T[k]!);
    const delta =
      o.regime === "interior" ? deltaInterval(full.beta, clus.vcov, C, tCritical(0.95, G - 1)) : null;
    return {
      C,
      ln_T_star: o.u,
      T_star: tStar,
      T_star_ci95: delta ?? bootT,
      T_star_ci95_method: delta ? "delta-t" : bootT ? "bootstrap" : null,
      T_star_ci95_bootstrap: bootT,
      regime: o.regime,
      regime_share: ok
        ? {
            "corner-depth": bootRegime[k]!["corner-depth"] / kept,
            "corner-breadth": bootRegime[k]!["corner-breadth"] / kept,
            interior: bootRegime[k]!.interior / kept,
          }
        : null,
      plateau_half_width: o.halfWidth,
      plateau_half_width_ci95: pct(bootHalf[k]!),
      plateau_T: [Math.exp(o.plateau[0]), Math.exp(o.plateau[1])],
      V_star: o.V,
      logged_T: logged,
    };
  });
  return {
    ...base,
    fittable: true,
    coefficients: { b0: coef(0), a: coef(1), b: coef(2), c: coef(3) },
    vcov: clus.vcov,
    sigma: full.sigma,
    r2: full.r2,
    adj_r2: full.adjR2,
    budget_only_r2: budgetOnly.r2,
    f_vs_budget_only: fTest(budgetOnly.rss, budgetOnly.df, full.rss, full.df),
    optimum,
    bootstrap: B > 0 ? { B, seed: bootSeed, failed } : null,
  };
}

/**
 * The delta-method interval of an interior optimum T*: ln T* = (a − b + c·ln C)/(2c),
 * gradient (0, 1/(2c), −1/(2c), −(a − b)/(2c²)), ln T* ± q·se clipped to [0, ln C].
 */
function deltaInterval(beta: number[], vcov: number[][], C: number, q: number): [number, number] | null {
  const [, a, b, c] = beta as [number, number, number, number];
  if (c === 0) return null;
  const L = Math.log(C);
  const u = (a - b + c * L) / (2 * c);
  const g = [0, 1 / (2 * c), -1 / (2 * c), -(a - b) / (2 * c * c)];
  let v = 0;
  for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) v += g[j]! * vcov[j]![k]! * g[k]!;
  if (!(v >= 0)) return null;
  const h = q * Math.sqrt(v);
  return [Math.exp(Math.max(0, u - h)), Math.exp(Math.min(L, u + h))];
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/**
 * The fitted V at a split (T, N) with a 95% interval for the mean (from the
 * seed-clustered covariance, t with seeds − 1 df, mapped through the
 * response). For a fittable cell.
 *
 * @example phiPredict(fit, 16, 16) // => { y, V, V_lo, V_hi, se_y }
 */
export function phiPredict(
  fit: PhiFit,
  T: number,
  N: number,
  level = 0.95,
): { y: number; se_y: number; V: number; V_lo: number; V_hi: number } {
  const q = tCritical(level, fit.n_seeds - 1);
  const x = design(T, N);
  const beta = TERMS.map((t) => fit.coefficients[t].estimate);
  const yHat = x.reduce((s, v, j) => s + v * beta[j]!, 0);
  let v = 0;
  for (let j = 0; j < P; j++) for (let k = 0; k < P; k++) v += x[j]! * fit.vcov[j]![k]! * x[k]!;
  const se = Math.sqrt(Math.max(0, v));
  const a = phiValue(yHat - q * se, fit.ceiling, fit.response);
  const b = phiValue(yHat + q * se, fit.ceiling, fit.response);
  return {
    y: yHat,
    se_y: se,
    V: phiValue(yHat, fit.ceiling, fit.response),
    V_lo: Math.min(a, b),
    V_hi: Math.max(a, b),
  };
}

/**
 * One Φ-model per (task, model) in the outcomes, sorted by task then model;
 * `ceilings` maps a task to its V* (missing: 1.0).
 */
export function phiFits(
  outcomes: readonly PhiRow[],
  opts: Omit<PhiOptions, "ceiling" | "ceilingSource"> & {
    ceilings?: ReadonlyMap<string, { ceiling: number; source: string }>;
  } = {},
): PhiCell[] {
  return byTaskModel(outcomes).map((rows) => {
    const c = opts.ceilings?.get(rows[0]!.task);
    return fitPhi(rows, { ...opts, ...(c ? { ceiling: c.ceiling, ceilingSource: c.source } : {}) });
  });
}
