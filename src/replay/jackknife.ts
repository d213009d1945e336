/**
 * Delete-one-seed jackknife intervals (Quenouille 1956, Tukey 1958) with a
 * Student-t quantile on S − 1 degrees of freedom.
 *
 * Every replay statistic is a function of the seed pool: a mean over the
 * instances (K-subsets of the S seeds), i.e. a U-statistic of degree K, or a
 * ratio of two. Its uncertainty comes from which S seeds were logged, so the
 * statistic is recomputed with each seed left out (θ₋ₛ) and
 *
 *   se² = (S − 1)/S · Σₛ (θ₋ₛ − θ̄₋)²,   interval θ̂ ± t(S − 1, 0.975)·se.
 *
 * For a U-statistic the jackknife variance is slightly conservative (the
 * Efron–Stein inequality) and, unlike the seed bootstrap that keeps only
 * instances of K distinct seeds, it does not shrink with K; for a plain mean
 * over seeds it equals s/√S, so the interval is the Student-t interval
 * exactly. Coverage measured by simulation: `npm run bench:coverage`.
 *
 * A statistic travels as a `SeedStat`: its point value and its S
 * leave-one-out values. Differences of statistics computed on the same seeds
 * (paired: common random numbers) are differences of the two, seed by seed.
 */

import { tQuantile } from "../util/student-t.ts";
import { ReplayError } from "./errors.ts";

/** A statistic of a seed pool: the point value, and loo[s] = its value with seed s left out (NaN when undefined). */
export interface SeedStat {
  point: number;
  loo: Float64Array;
}

export type Interval = [number, number] | null;

export interface JackknifeEstimate {
  point: number;
  /** Jackknife standard error; NaN when the interval is undefined. */
  se: number;
  /** Degrees of freedom of the t quantile: S − 1. */
  df: number;
  /**
   * null when S < 2, when some leave-one-out value is undefined (NaN), or when no seed left out
   * changes the statistic (se = 0: the pool shows no variation to measure, and a zero-width
   * interval would claim a certainty it does not have).
   */
  ci95: Interval;
}

/** The jackknife standard error of `loo` values; NaN when fewer than 2 or any is NaN. O(S). */
export function jackknifeSe(loo: ArrayLike<number>): number {
  const s = loo.length;
  if (s < 2) return Number.NaN;
  let m = 0;
  for (let i = 0; i < s; i++) m += loo[i]!;
  m /= s;
  if (Number.isNaN(m)) return Number.NaN;
  let v = 0;
  for (let i = 0; i < s; i++) v += (loo[i]! - m) ** 2;
  return Math.sqrt(((s - 1) / s) * v);
}

/**
 * The jackknife acceleration a = Σ(θ̄ − θ₋ₛ)³ / (6·(Σ(θ̄ − θ₋ₛ)²)^{3/2}) (Efron 1987, as in BCa): for a
 * mean it is the sample skewness over 6√S. 0 when the values do not vary. O(S).
 */
export function jackknifeAcceleration(loo: ArrayLike<number>): number {
  const s = loo.length;
  let m = 0;
  for (let i = 0; i < s; i++) m += loo[i]!;
  m /= s;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < s; i++) {
    const d = m - loo[i]!;
    m2 += d * d;
    m3 += d * d * d;
  }
  return m2 > 0 ? m3 / (6 * m2 ** 1.5) : 0;
}

export interface JackknifeOptions {
  level?: number;
  /**
   * Widen the interval on the side its skewness points to (default false):
   * by 2·a·(1 + 2t²)·se, a the jackknife acceleration — twice the
   * Edgeworth term of a studentised mean (Johnson 1978, Hall 1992), on one
   * side only, so a skewed sample's interval reaches the truth it tends to
   * fall short of without pulling the other end in. Measured in
   * `npm run bench:coverage`.
   */
  skew?: boolean;
}

/**
 * The jackknife interval of a statistic: point ± t(S − 1, (1 + level)/2)·se,
 * widened on one side with `skew`. O(S).
 * @example jackknife(seedMean([1, 2, 3, 4])).ci95 // => the Student-t interval 2.5 ± 3.182·0.6455 = [0.4457, 4.5543]
 */
export function jackknife(stat: SeedStat, opts: JackknifeOptions | number = {}): JackknifeEstimate {
  const { level = 0.95, skew = false } = typeof opts === "number" ? { level: opts } : opts;
  const df = stat.loo.length - 1;
  const se = jackknifeSe(stat.loo);
  if (!(df >= 1) || !(se > 0) || Number.isNaN(stat.point)) return { point: stat.point, se, df, ci95: null };
  const t = tQuantile(0.5 + level / 2, df);
  const widen = skew ? 2 * jackknifeAcceleration(stat.loo) * (1 + 2 * t * t) : 0;
  return {
    point: stat.point,
    se,
    df,
    ci95: [stat.point - se * (t + Math.max(0, -widen)), stat.point + se * (t + Math.max(0, widen))],
  };
}

/**
 * A mean over per-seed values as a SeedStat (loo[s] = the mean of the
 * others). Its jackknife interval is the Student-t interval of the mean.
 * @throws ReplayError on an empty sample.
 * @example seedMean([1, 2, 6]).loo // => Float64Array [4, 3.5, 1.5]
 */
export function seedMean(values: ArrayLike<number>): SeedStat {
  const n = values.length;
  if (n === 0) throw new ReplayError("seedMean: no values");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const loo = new Float64Array(n);
  for (let i = 0; i < n; i++) loo[i] = n > 1 ? (sum - values[i]!) / (n - 1) : Number.NaN;
  return { point: sum / n, loo };
}

/**
 * a − b, seed by seed (both computed on the same seeds, so paired).
 * @throws ReplayError when they have different seed counts.
 */
export function difference(a: SeedStat, b: SeedStat): SeedStat {
  if (a.loo.length !== b.loo.length)
    throw new ReplayError(`paired difference over ${a.loo.length} and ${b.loo.length} seeds`);
  const loo = new Float64Array(a.loo.length);
  for (let s = 0; s < loo.length; s++) loo[s] = a.loo[s]! - b.loo[s]!;
  return { point: a.point - b.point, loo };
}
