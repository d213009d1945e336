/**
 * Leave-one-seed-out means over instances, in one pass.
 *
 * A statistic over instances is a column of per-instance values; its value
 * with seed s left out is the mean over the instances that do not hold s:
 * (total − Σ_{i ∋ s} x_i)/(count − #{i ∋ s}). One pass adds each instance's
 * row to the running sums of its K seeds, so every column's S leave-one-out
 * values cost O(instances·K·columns) — far less than one replay.
 */
import type { Instances } from "./instances.ts";
import type { SeedStat } from "./jackknife.ts";

/** Column totals over all instances and over the instances holding each seed. */
export interface SeedSums {
  cols: number;
  nSeeds: number;
  /** Σ over all instances, per column. */
  total: Float64Array;
  /** bySeed[s·cols + j] = Σ over instances holding seed s of column j. */
  bySeed: Float64Array;
  /** Instances in all, and holding each seed. */
  count: number;
  countBySeed: Float64Array;
}

/**
 * Sums of `rows` (row-major, `cols` values per instance of `inst`). O(instances·K·cols).
 * @example seedSums({ k: 1, count: 2, arms: Int32Array.from([0, 1]), enumerated: true }, 2, Float64Array.from([3, 5]), 1).bySeed // => [3, 5]
 */
export function seedSums(inst: Instances, nSeeds: number, rows: Float64Array, cols: number): SeedSums {
  const total = new Float64Array(cols);
  const bySeed = new Float64Array(nSeeds * cols);
  const countBySeed = new Float64Array(nSeeds);
  const k = inst.k;
  const arms = inst.arms;
  for (let i = 0; i < inst.count; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) total[j]! += rows[base + j]!;
    for (let a = 0; a < k; a++) {
      const s = arms[i * k + a]!;
      countBySeed[s]!++;
      const out = s * cols;
      for (let j = 0; j < cols; j++) bySeed[out + j]! += rows[base + j]!;
    }
  }
  return { cols, nSeeds, total, bySeed, count: inst.count, countBySeed };
}

/** The mean of column j over instances, with each seed left out in turn (NaN where no instance is left). */
export function meanStat(sums: SeedSums, j: number): SeedStat {
  const loo = new Float64Array(sums.nSeeds);
  for (let s = 0; s < sums.nSeeds; s++) {
    const n = sums.count - sums.countBySeed[s]!;
    loo[s] = n > 0 ? (sums.total[j]! - sums.bySeed[s * sums.cols + j]!) / n : Number.NaN;
  }
  return { point: sums.count > 0 ? sums.total[j]! / sums.count : Number.NaN, loo };
}
