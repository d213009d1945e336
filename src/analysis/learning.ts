/**
 * Saturating learning curves f(t) = a − (a − f0)·exp(−t / τ) per
 * (task, model, N), fitted by Levenberg–Marquardt (ml-levenberg-marquardt,
 * analytical Jacobian) to the mean best-so-far curve over the seeds of the
 * pool, up to the depth every seed reaches.
 */
import { levenbergMarquardt } from "ml-levenberg-marquardt";
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

/** Fewest generations beyond 0 for a three-parameter fit with a residual. */
export const MIN_DEPTH = 4;

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
export function fitSaturating(t: readonly number[], y: readonly number[]): LearningFit {
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
  let best: { params: number[]; rss: number; iterations: number } | null = null;
  for (const initialValues of starts) {
    const r = levenbergMarquardt({ x: t as number[], y: y as number[] }, model, {
      initialValues,
      minValues: [yMin - 10 * range, yMin - 10 * range, 1e-3],
      maxValues: [yMax + 100 * range, yMax + 10 * range, 1e6],
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
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const [a, f0, tau] = best.params as [number, number, number];
  return {
    fittable: true,
    a,
    f0,
    tau,
    rmse: Math.sqrt(best.rss / y.length),
    r2: 1 - best.rss / tss,
    iterations: best.iterations,
    ...(tau > 2 * tMax
      ? { note: `τ = ${tau.toPrecision(3)} exceeds twice the logged depth ${tMax}: a is an extrapolation` }
      : {}),
  };
}

/** One fit per (task, model, N) over the seeds' longest curves. */
export function learningCurves(curves: readonly Curve[]): LearningCell[] {
  const cells = new Map<string, Curve[]>();
  for (const c of curves) {
    const k = `${c.task}\u0000${c.model}\u0000${String(c.N).padStart(9, "0")}`;
    if (!cells.has(k)) cells.set(k, []);
    cells.get(k)!.push(c);
  }
  return [...cells.keys()].sort().map((k) => {
    const cs = cells.get(k)!;
    const depth = Math.min(...cs.map((c) => c.best.length - 1));
    const mean = Array.from(
      { length: depth + 1 },
      (_, g) => cs.reduce((s, c) => s + c.best[g]!, 0) / cs.length,
    );
    const t = mean.map((_, g) => g);
    const c0 = cs[0]!;
    const fit =
      depth < MIN_DEPTH
        ? ({ fittable: false, reason: `depth ${depth} reached by every seed; ${MIN_DEPTH} needed` } as const)
        : fitSaturating(t, mean);
    return { task: c0.task, model: c0.model, N: c0.N, n_seeds: cs.length, depth, mean, ...fit };
  });
}
