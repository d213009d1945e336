/**
 * Saturating learning curves f(t) = a − (a − f0)·exp(−t / τ) per
 * (task, model, N), fitted by Levenberg–Marquardt (ml-levenberg-marquardt,
 * analytical Jacobian) to the mean best-so-far curve over the seeds of the
 * pool, up to the depth every seed reaches.
 */
import { levenbergMarquardt } from "ml-levenberg-marquardt";
import { quantileSorted } from "simple-statistics";
import { rng } from "../util/rng.ts";
import { mean as meanOf } from "../util/stats.ts";
import type { Curve } from "./splits.ts";

export interface LearningFitOk {
  fittable: true;
  a: number;
  f0: number;
  tau: number;
  rmse: number;
  r2: number;
  iterations: number;
  /** Set when τ is long beside the logged depth: the asymptote a is then an extrapolation. */
  note?: string;
  /**
   * Parameters that ended at a bound of the fit (e.g. "τ at its lower bound 0.001"): the fit
   * is then degenerate (a jump, or no curvature) and its parameters are not estimates. Empty when none.
   */
  at_bound: string[];
  /** Seed-bootstrap percentile 95% intervals of a and τ (null without bootstrap). */
  a_ci95: [number, number] | null;
  tau_ci95: [number, number] | null;
  /** Resamples behind the intervals, and how many gave no fit. */
  bootstrap: { B: number; failed: number } | null;
}
export interface LearningFitNo {
  fittable: false;
  reason: string;
}
export type LearningFit = LearningFitOk | LearningFitNo;

export type LearningCell = LearningFit & {
  task: string;
  model: string;
  N: number;
  n_seeds: number;
  /** Generations fitted (0..depth). */
  depth: number;
  /** The mean curve fitted: t = generation, y = mean best fitness. */
  mean: number[];
};

/**
 * Least squares of f(t) = a − (a − f0)·exp(−t/τ) by variable projection: for
 * a fixed τ the model is linear in (a, f0) (regressors 1 − e, e with
 * e = exp(−t/τ)), so the residual sum of squares is profiled over ln τ on a
 * grid across [TAU_MIN, TAU_MAX] and refined by golden-section search. No
 * starting values, ~0.1 ms for 65 points: the bootstrap's refits.
 * Returns null when the curve is flat.
 */
export function profileFit(
  t: readonly number[],
  y: readonly number[],
): { a: number; f0: number; tau: number } | null {
  let yy = 0;
  for (const v of y) yy += v * v;
  // rss of the linear least squares at one τ, from e_i = exp(−t_i/τ): Σy² − βᵀXᵀy
  const solve = (e: ArrayLike<number>, tau: number) => {
    let s11 = 0;
    let s12 = 0;
    let s22 = 0;
    let r1 = 0;
    let r2 = 0;
    for (let i = 0; i < t.length; i++) {
      const u = 1 - e[i]!;
      s11 += u * u;
      s12 += u * e[i]!;
      s22 += e[i]! * e[i]!;
      r1 += u * y[i]!;
      r2 += e[i]! * y[i]!;
    }
    const det = s11 * s22 - s12 * s12;
    if (!(Math.abs(det) > 1e-12 * (s11 * s22 + 1e-300))) return null;
    const a = (r1 * s22 - r2 * s12) / det;
    const f0 = (s11 * r2 - s12 * r1) / det;
    return { a, f0, tau, rss: yy - a * r1 - f0 * r2 };
  };
  const expAt = (tau: number) => t.map((x) => Math.exp(-x / tau));
  const lo = Math.log(TAU_MIN);
  const hi = Math.log(TAU_MAX);
  const grid = profileGrid(t);
  let bestK = -1;
  let best: ReturnType<typeof solve> = null;
  grid.forEach((e, k) => {
    const r = solve(e, Math.exp(lo + ((hi - lo) * k) / PROFILE_GRID));
    if (r && (!best || r.rss < best.rss)) {
      best = r;
      bestK = k;
    }
  });
  if (!best) return null;
  const found = best as NonNullable<ReturnType<typeof solve>>;
  let x0 = lo + ((hi - lo) * Math.max(0, bestK - 1)) / PROFILE_GRID;
  let x1 = lo + ((hi - lo) * Math.min(PROFILE_GRID, bestK + 1)) / PROFILE_GRID;
  const g = (Math.sqrt(5) - 1) / 2;
  const at = (x: number) => solve(expAt(Math.exp(x)), Math.exp(x))?.rss ?? Number.POSITIVE_INFINITY;
  let c = x1 - g * (x1 - x0);
  let d = x0 + g * (x1 - x0);
  let fc = at(c);
  let fd = at(d);
  for (let i = 0; i < 30; i++) {
    if (fc < fd) {
      x1 = d;
      d = c;
      fd = fc;
      c = x1 - g * (x1 - x0);
      fc = at(c);
    } else {
      x0 = c;
      c = d;
      fc = fd;
      d = x0 + g * (x1 - x0);
      fd = at(d);
    }
  }
  const tau = Math.exp((x0 + x1) / 2);
  const r = solve(expAt(tau), tau);
  const out = r && r.rss <= found.rss ? r : found;
  return { a: out.a, f0: out.f0, tau: out.tau };
}

/** Grid points over ln τ of `profileFit`. */
const PROFILE_GRID = 64;
const gridCache = new Map<string, number[][]>();

/** exp(−t/τ) on the ln τ grid, cached per t (a bootstrap refits the same t many times). */
function profileGrid(t: readonly number[]): number[][] {
  const key = t.join(",");
  let grid = gridCache.get(key);
  if (!grid) {
    const lo = Math.log(TAU_MIN);
    const hi = Math.log(TAU_MAX);
    grid = Array.from({ length: PROFILE_GRID + 1 }, (_, k) => {
      const tau = Math.exp(lo + ((hi - lo) * k) / PROFILE_GRID);
      return t.map((x) => Math.exp(-x / tau));
    });
    if (gridCache.size > 64) gridCache.clear();
    gridCache.set(key, grid);
  }
  return grid;
}

/** Fewest generations beyond 0 for a three-parameter fit with a residual. */
export const MIN_DEPTH = 4;
/** The range τ is fitted in, in generations. */
export const TAU_MIN = 1e-3;
export const TAU_MAX = 1e6;
/** Seed-bootstrap resamples per learning curve at most (each is a fresh nonlinear fit). */
export const LEARNING_BOOTSTRAP_MAX = 200;

const model =
  ([a, f0, tau]: number[]) =>
  (t: number) =>
    a! - (a! - f0!) * Math.exp(-t / tau!);

/**
 * Fits f(t) = a − (a − f0)·exp(−t/τ) to (t, y). τ is kept in
 * [1e-3, 1e6]; a flat curve is not fittable (τ undefined).
 *
 * @example fitSaturating([0,1,2,3,4,5], ys).tau // => ≈ the τ that generated ys
 */
export function fitSaturating(
  t: readonly number[],
  y: readonly number[],
): LearningFitNo | Omit<LearningFitOk, "a_ci95" | "tau_ci95" | "bootstrap"> {
  if (t.length !== y.length) throw new RangeError("t and y differ in length");
  if (t.length < MIN_DEPTH + 1)
    return { fittable: false, reason: `${t.length} points; ${MIN_DEPTH + 1} needed` };
  const yMin = Math.min(...y);
  const yMax = Math.max(...y);
  const range = yMax - yMin;
  if (!(range > 0)) return { fittable: false, reason: "the curve is flat (no improvement to fit)" };
  const tMax = Math.max(...t);
  // τ seed: the time at which the curve first covers 63% of its range
  const target = y[0]! + 0.632 * (yMax - y[0]!);
  const tIdx = y.findIndex((v) => v >= target);
  const tau0 = Math.max(0.5, t[Math.max(tIdx, 1)] ?? tMax / 3);
  const starts = [
    [yMax, y[0]!, tau0],
    [yMax + range, y[0]!, tMax],
    [yMax, y[0]!, 1],
  ];
  const minValues = [yMin - 10 * range, yMin - 10 * range, TAU_MIN];
  const maxValues = [yMax + 100 * range, yMax + 10 * range, TAU_MAX];
  let best: { params: number[]; rss: number; iterations: number } | null = null;
  for (const initialValues of starts) {
    const r = levenbergMarquardt({ x: t as number[], y: y as number[] }, model, {
      initialValues,
      minValues,
      maxValues,
      maxIterations: 60,
      // stop when the weighted squared error stops improving; 1e-12 ran every start to the cap
      errorTolerance: 1e-9,
      damping: 1e-2,
      jacobianFunction:
        ([a, f0, tau]) =>
        (x) => {
          const e = Math.exp(-x / tau!);
          return [1 - e, e, -(a! - f0!) * e * (x / (tau! * tau!))];
        },
    });
    const f = model(r.parameterValues);
    let rss = 0;
    for (let i = 0; i < t.length; i++) rss += (y[i]! - f(t[i]!)) ** 2;
    if (Number.isFinite(rss) && (!best || rss < best.rss))
      best = { params: r.parameterValues, rss, iterations: r.iterations };
  }
  if (!best) return { fittable: false, reason: "the fit did not converge" };
  const mean = meanOf(y);
  const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const [a, f0, tau] = best.params as [number, number, number];
  const atBound: string[] = [];
  const names = ["a", "f0", "τ"];
  best.params.forEach((v, j) => {
    const near = (b: number) => Math.abs(v - b) <= 1e-6 * Math.max(Math.abs(b), range);
    if (near(minValues[j]!)) atBound.push(`${names[j]} at its lower bound ${minValues[j]!.toPrecision(3)}`);
    else if (near(maxValues[j]!))
      atBound.push(`${names[j]} at its upper bound ${maxValues[j]!.toPrecision(3)}`);
  });
  return {
    fittable: true,
    a,
    f0,
    tau,
    rmse: Math.sqrt(best.rss / y.length),
    r2: 1 - best.rss / tss,
    iterations: best.iterations,
    at_bound: atBound,
    ...(tau > 2 * tMax
      ? { note: `τ = ${tau.toPrecision(3)} exceeds twice the logged depth ${tMax}: a is an extrapolation` }
      : {}),
  };
}

export interface LearningOptions {
  /** Seed-bootstrap resamples for the a and τ intervals (capped at LEARNING_BOOTSTRAP_MAX; 0 = none; default 200). */
  bootstrap?: number;
  seed?: number;
}

/**
 * One fit per (task, model, N) over the seeds' longest curves, with
 * seed-bootstrap intervals for a and τ: resample the pool's seeds with
 * replacement, refit the mean curve (by `profileFit`, the same least squares
 * without starting values), take the 2.5% and 97.5% quantiles.
 */
export function learningCurves(curves: readonly Curve[], opts: LearningOptions = {}): LearningCell[] {
  const B = Math.min(opts.bootstrap ?? LEARNING_BOOTSTRAP_MAX, LEARNING_BOOTSTRAP_MAX);
  const cells = new Map<string, Curve[]>();
  for (const c of curves) {
    const k = `${c.task}\u0000${c.model}\u0000${String(c.N).padStart(9, "0")}`;
    if (!cells.has(k)) cells.set(k, []);
    cells.get(k)!.push(c);
  }
  return [...cells.keys()].sort().map((k, cellIndex) => {
    const cs = cells.get(k)!;
    const depth = Math.min(...cs.map((c) => c.best.length - 1));
    const meanCurve = (sample: readonly Curve[]) =>
      Array.from({ length: depth + 1 }, (_, g) => meanOf(sample.map((c) => c.best[g]!)));
    const mean = meanCurve(cs);
    const t = mean.map((_, g) => g);
    const c0 = cs[0]!;
    const head = { task: c0.task, model: c0.model, N: c0.N, n_seeds: cs.length, depth, mean };
    if (depth < MIN_DEPTH)
      return {
        ...head,
        fittable: false,
        reason: `depth ${depth} reached by every seed; ${MIN_DEPTH} needed`,
      } as const;
    const fit = fitSaturating(t, mean);
    if (!fit.fittable) return { ...head, ...fit };
    let a_ci95: [number, number] | null = null;
    let tau_ci95: [number, number] | null = null;
    let failed = 0;
    if (B > 0 && cs.length >= 2) {
      const r = rng(opts.seed ?? 0, 0x1ea7 + cellIndex);
      const as: number[] = [];
      const taus: number[] = [];
      for (let b = 0; b < B; b++) {
        const sample = cs.map(() => cs[r.int(cs.length)]!);
        const f = profileFit(t, meanCurve(sample));
        if (!f) {
          failed++;
          continue;
        }
        as.push(f.a);
        taus.push(f.tau);
      }
      const pct = (xs: number[]): [number, number] | null => {
        if (xs.length < 2) return null;
        const s = xs.sort((x, y) => x - y);
        return [quantileSorted(s, 0.025), quantileSorted(s, 0.975)];
      };
      a_ci95 = pct(as);
      tau_ci95 = pct(taus);
    }
    return {
      ...head,
      ...fit,
      a_ci95,
      tau_ci95,
      bootstrap: B > 0 && cs.length >= 2 ? { B, failed } : null,
    };
  });
}
