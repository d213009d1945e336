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
import { clusteredInference, FitError, fitOrError, fTest, ols, solveWeighted } from "./ols.ts";
import {
  CEILING_CLIP,
  design,
  P,
  type PhiBase,
  type PhiCell,
  type PhiCoefficient,
  type PhiFit,
  type PhiNotFittable,
  type PhiOptimum,
  type PhiOptions,
  type PhiRegime,
  type PhiResponse,
  type PhiRow,
  phiResponse,
  phiValue,
  TERMS,
} from "./phi-model.ts";
import { deltaInterval, isoOptimum } from "./phi-optimum.ts";

export * from "./phi-model.ts";
export { type IsoOptimum, isoOptimum } from "./phi-optimum.ts";

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
  const tol = opts.plateauTolerance ?? 0.01;
  const { base, usable, seeds, budgets } = phiBase(rows, opts, ceiling, response);
  const notes = base.notes;
  const no = (reason: string): PhiNotFittable => ({ ...base, fittable: false, reason });
  if (!(ceiling > 0)) return no(`ceiling ${ceiling} is not positive`);
  if (budgets.length < 2)
    return no(
      `one budget C (${budgets.join(", ") || "none"}): at one C, ln N = ln C − ln T, so depth and breadth cannot be separated`,
    );
  if (base.n_splits < MIN_SPLITS)
    return no(`${base.n_splits} distinct (T, N) splits; at least ${MIN_SPLITS} needed`);
  if (seeds.length < 2) return no(`${seeds.length} seed: seed-clustered errors need at least 2`);

  const { X, y, cluster } = phiDesign(usable, ceiling, response, notes);
  const fits = fitOrError(() => {
    const full = ols(X, y);
    const budgetOnly = ols(
      usable.map((r) => [1, Math.log(r.C)]),
      y,
    );
    return { full, budgetOnly, clus: clusteredInference(X, y, cluster, full) };
  });
  if (fits instanceof FitError) return no(fits.message);
  const { full, budgetOnly, clus } = fits;
  const boot = seedBootstrap(X, y, cluster, seeds, budgets, {
    B,
    seed: opts.seed ?? 0,
    ceiling,
    response,
    tol,
  });
  if (boot.failed > 0)
    notes.push(`${boot.failed} of ${B} bootstrap resamples had a singular design and were dropped`);
  const ok = B > 0 && B - boot.failed >= 2;
  const pct = (xs: number[]): [number, number] | null => (ok ? percentile95(xs) : null);
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
  const loggedT = new Map<number, number[]>();
  for (const r of usable) {
    const ts = loggedT.get(r.C) ?? [];
    ts.push(r.T);
    loggedT.set(r.C, ts);
  }
  const optimum = budgets.map((C, k): PhiOptimum => {
    const o = isoOptimum(full.beta, C, ceiling, response, tol);
    const ts = loggedT.get(C)!;
    const logged: [number, number] = [Math.min(...ts), Math.max(...ts)];
    const tStar = Math.exp(o.u);
    if (tStar < logged[0] * (1 - 1e-9) || tStar > logged[1] * (1 + 1e-9))
      notes.push(
        `C = ${C}: T* = ${fmt(tStar)} lies outside the logged depths T ∈ [${logged[0]}, ${logged[1]}] (an extrapolation of the fitted surface)`,
      );
    const kept = B - boot.failed;
    const bootT = pct(boot.T[k]!);
    const delta =
      o.regime === "interior"
        ? deltaInterval(full.beta, clus.vcov, C, tCritical(0.95, seeds.length - 1))
        : null;
    const regimes = boot.regime[k]!;
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
            "corner-depth": regimes["corner-depth"] / kept,
            "corner-breadth": regimes["corner-breadth"] / kept,
            interior: regimes.interior / kept,
          }
        : null,
      plateau_half_width: o.halfWidth,
      plateau_half_width_ci95: pct(boot.half[k]!),
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
    bootstrap: B > 0 ? { B, seed: opts.seed ?? 0, failed: boot.failed } : null,
  };
}

/** What a cell holds before any fit: the usable rows, its seeds, budgets and splits. */
function phiBase(rows: readonly PhiRow[], opts: PhiOptions, ceiling: number, response: PhiResponse) {
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
  return { base, usable, seeds, budgets };
}

/** The design rows, responses and seed clusters; notes how many values were clipped at the ceiling. */
function phiDesign(usable: readonly PhiRow[], ceiling: number, response: PhiResponse, notes: string[]) {
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
  return { X, y, cluster };
}

interface SeedBootstrap {
  /** Per coefficient, its B − failed resampled estimates. */
  coef: number[][];
  /** Per budget: resampled T*, plateau half-widths and regime counts. */
  T: number[][];
  half: number[][];
  regime: Record<PhiRegime, number>[];
  failed: number;
}

/**
 * The seed-cluster bootstrap: a resample is a multiplicity per seed, i.e. a
 * weighted OLS over per-seed XᵀX and Xᵀy; each refit gives the coefficients
 * and the optimum at every budget. O(n + B·(seeds + budgets)).
 */
function seedBootstrap(
  X: readonly number[][],
  y: readonly number[],
  cluster: readonly number[],
  seeds: readonly number[],
  budgets: readonly number[],
  o: { B: number; seed: number; ceiling: number; response: PhiResponse; tol: number },
): SeedBootstrap {
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
  const boot: SeedBootstrap = {
    coef: TERMS.map(() => [] as number[]),
    T: budgets.map(() => [] as number[]),
    half: budgets.map(() => [] as number[]),
    regime: budgets.map(() => ({ "corner-depth": 0, "corner-breadth": 0, interior: 0 })),
    failed: 0,
  };
  if (o.B <= 0) return boot;
  const r = rng(o.seed, 0x9f1);
  const w = new Float64Array(G);
  for (let b = 0; b < o.B; b++) {
    w.fill(0);
    for (let i = 0; i < G; i++) w[r.int(G)]! += 1;
    const beta = solveWeighted(xtx, xty, w, P);
    if (!beta?.every(Number.isFinite)) {
      boot.failed++;
      continue;
    }
    for (let j = 0; j < P; j++) boot.coef[j]!.push(beta[j]!);
    budgets.forEach((C, k) => {
      const opt = isoOptimum(beta, C, o.ceiling, o.response, o.tol);
      boot.T[k]!.push(Math.exp(opt.u));
      boot.half[k]!.push(opt.halfWidth);
      boot.regime[k]![opt.regime]++;
    });
  }
  return boot;
}

/** The percentile 95% interval (2.5% and 97.5% quantiles, simple-statistics' quantileSorted). */
function percentile95(xs: readonly number[]): [number, number] {
  const s = Float64Array.from(xs).sort() as unknown as number[];
  return [quantileSorted(s, 0.025), quantileSorted(s, 0.975)];
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
