/**
 * The interval of one replay statistic from its seed pool: every `ci95` of a
 * replay (means, P(improve), the normalised score, paired differences, the
 * best policy's comparisons) comes from here, so an interval method is
 * changed in one place. Coverage of each method is measured by
 * `npm run bench:coverage`.
 *
 *   SeedStat {point, loo} ─> seedInterval(stat, {method, level, range}) ─> [lo, hi] | null
 */
import { type Interval, jackknife, type SeedStat } from "./jackknife.ts";

/**
 * "jackknife-skew": the delete-one-seed jackknife-t interval widened on the side its skewness points
 * to (see `jackknife`); "jackknife-t": the symmetric one.
 */
export type IntervalMethod = "jackknife-t" | "jackknife-skew";

/** The interval methods, the default first. */
export const INTERVAL_METHODS: readonly IntervalMethod[] = ["jackknife-skew", "jackknife-t"];

export interface IntervalContext {
  method: IntervalMethod;
  /** Coverage, 0.95 by default. */
  level?: number;
  /** The statistic's possible range when known (e.g. [0, 1] for a P(improve)). */
  range?: [number, number];
}

/**
 * The `ctx.level` interval of `stat`; null where it is undefined (fewer than
 * 2 seeds, an undefined leave-one-out value, or no seed changes the statistic). O(S).
 * @example seedInterval(seedMean([1, 2, 3, 4]), { method: "jackknife-t" }) // => [0.4457, 4.5543] (the Student-t interval)
 */
export function seedInterval(stat: SeedStat, ctx: IntervalContext): Interval {
  return jackknife(stat, { level: ctx.level ?? 0.95, skew: ctx.method === "jackknife-skew" }).ci95;
}
