/**
 * The Student-t interval of a mean over seeds, shared by replay and
 * analysis: mean ± t(1 − α/2, n − 1)·sd/√n. With one value there is no
 * interval (no spread to estimate): `lo`/`hi` are null and `note` says so.
 * Descriptive statistics come from simple-statistics, the quantile from ./student-t.ts.
 */
import { sampleStandardDeviation, mean as ssMean } from "simple-statistics";
import { tCritical } from "./student-t.ts";

export interface TInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null when n < 2. */
  sd: number | null;
  /** Standard error sd/√n; null when n < 2. */
  se: number | null;
  /** Bounds of the interval; null when n < 2. */
  lo: number | null;
  hi: number | null;
  /** Set when there is no interval. */
  note?: string;
}

/** The text stated wherever a single value stands without an interval. */
export const ONE_VALUE_NOTE = "one seed: no interval";

/**
 * Mean and Student-t interval (t with n − 1 degrees of freedom) of `values`.
 * `level` is the coverage, 0.95 by default.
 *
 * @throws RangeError when `values` is empty or `level` is not in (0, 1).
 * @example tInterval([1, 2, 3]) // => { n: 3, mean: 2, sd: 1, se: 0.577…, lo: -0.484…, hi: 4.484… }
 */
export function tInterval(values: readonly number[], level = 0.95): TInterval {
  const n = values.length;
  if (n === 0) throw new RangeError("tInterval: no values");
  if (!(level > 0 && level < 1)) throw new RangeError(`tInterval: level must be in (0, 1), got ${level}`);
  const m = ssMean(values as number[]);
  if (n < 2) return { n, mean: m, sd: null, se: null, lo: null, hi: null, note: ONE_VALUE_NOTE };
  const sd = sampleStandardDeviation(values as number[]);
  const se = sd / Math.sqrt(n);
  const h = tCritical(level, n - 1) * se;
  return { n, mean: m, sd, se, lo: m - h, hi: m + h };
}

/** A mean over seeds with its 95% bounds (null with one seed) and the seed count. */
export type MeanCi = Pick<TInterval, "mean" | "lo" | "hi" | "n">;

/**
 * Mean over seeds and its Student-t 95% interval (t with n − 1 df), the
 * figures' rows; one value gives no interval (lo/hi null, as `tInterval` states).
 * @example meanCi([1, 2, 3]) // => { mean: 2, lo: -0.484…, hi: 4.484…, n: 3 }
 */
export function meanCi(values: readonly number[]): MeanCi {
  const t = tInterval(values);
  return { mean: t.mean, lo: t.lo, hi: t.hi, n: t.n };
}
