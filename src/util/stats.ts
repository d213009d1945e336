/**
 * Descriptive statistics that every layer uses (replay, analysis, the run
 * grid's summary): plain left-to-right sums, so a mean here has the same bits
 * as `xs.reduce((s, x) => s + x, 0) / xs.length`. Pure; none mutates its input.
 *
 * `tInterval` (./interval.ts) takes its mean and sd from simple-statistics,
 * whose compensated sum can differ from these in the last bit: the intervals
 * the report prints were computed that way, so each keeps its own.
 */

/** Arithmetic mean; NaN for an empty sample. O(n). @example mean([1, 2, 6]) // => 3 */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length > 0 ? s / values.length : Number.NaN;
}

/** Sample standard deviation (n − 1); NaN when n < 2. O(n). @example sd([1, 2, 3]) // => 1 */
export function sd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) s += (values[i]! - m) ** 2;
  return Math.sqrt(s / (n - 1));
}
