/**
 * Point statistics of a sample of outcomes (mean and sd: util/stats.ts). Pure
 * functions; none mutates its input. Quantiles use linear interpolation
 * between order statistics (R type 7, numpy's default).
 */
import { mean } from "../util/stats.ts";
import { ReplayError } from "./errors.ts";

const sorted = (values: ArrayLike<number>): Float64Array => Float64Array.from(values).sort();

/** Quantile p of ascending `s` (type 7). */
export function quantileSorted(s: ArrayLike<number>, p: number): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Quantile p ∈ [0, 1] (type 7); NaN when empty. @example quantile([1, 2, 3, 4], 0.5) // => 2.5 */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantileSorted(sorted(values), p);
}

/**
 * Interquartile mean (rliable's IQM): the mean of the middle 50 %, trimming
 * ⌊n/4⌋ values from each end (scipy.stats.trim_mean(x, 0.25)).
 * @example iqm([1, 2, 3, 4, 100, 5, 6, 7]) // => 4.5
 */
export function iqm(values: ArrayLike<number>): number {
  const s = sorted(values);
  const cut = Math.floor(s.length / 4);
  return mean(s.subarray(cut, s.length - cut));
}

export interface Summary {
  mean: number;
  median: number;
  iqm: number;
  q05: number;
  q95: number;
}

/** mean, median, IQM, 5 % and 95 % quantiles in one sort. */
export function summarize(values: ArrayLike<number>): Summary {
  const s = sorted(values);
  const cut = Math.floor(s.length / 4);
  return {
    mean: mean(s),
    median: quantileSorted(s, 0.5),
    iqm: mean(s.subarray(cut, s.length - cut)),
    q05: quantileSorted(s, 0.05),
    q95: quantileSorted(s, 0.95),
  };
}

/**
 * Expected maximum of k independent runs drawn without replacement from n
 * logged runs, unbiased: Σ_{i=k..n} v_(i)·C(i−1, k−1)/C(n, k) over the
 * ascending order statistics v_(1..n). k = 1 gives the mean, k = n the max.
 * O(n log n).
 * @throws ReplayError unless 1 ≤ k ≤ n.
 * @example expectedMaxOfK([1, 2, 3], 2) // => (2 + 3 + 3) / 3 = 2.6666666666666665
 */
export function expectedMaxOfK(values: number[], k: number): number {
  const n = values.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= n))
    throw new ReplayError(`expected max of k: need 1 <= k <= n = ${n}, got k = ${k}`);
  const s = sorted(values);
  // w_i = C(i−1, k−1)/C(n, k), from w_n = k/n down: w_{i−1} = w_i·(i−k)/(i−1)
  let w = k / n;
  let total = 0;
  for (let i = n; i >= k; i--) {
    total += w * s[i - 1]!;
    w *= (i - k) / (i - 1);
  }
  return total;
}
