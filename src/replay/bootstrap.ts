/**
 * Bootstrap over seeds, never over the maximum itself (DESIGN.md "Replay").
 * A resample of the S pool seeds gives seed s a multiplicity m_s
 * (multinomial(S, 1/S)); every instance then stands for Π_{s ∈ instance} m_s
 * instances of the resampled pool, so a resampled statistic is the average
 * of the instance outcomes weighted by that product — one weighted sum per
 * resample, no second replay. Most weights are 0 (a seed left out zeroes
 * every instance holding it), so each resample visits only the instances
 * with a positive weight, found by a bit-set test (memory: ⌈S/32⌉ words per
 * instance).
 */

import { StreamRng } from "../util/stream-rng.ts";
import type { Instances } from "./instances.ts";
import { quantileSorted } from "./stats.ts";

/** Weights of one resample: instances idx[0..n) carry weight w[0..n) (> 0). */
export interface Resample {
  n: number;
  idx: Int32Array;
  w: Float64Array;
  /** Σ w. */
  total: number;
}

/**
 * Calls `visit(resample, b)` for each of `replicates` resamples drawn from
 * rng(seed, stream). A resample whose instances all have weight 0 is still
 * visited, with n = 0 and total = 0 (its statistics are undefined; callers
 * skip it). O(replicates·(S + instances·K)) worst case; far less when most
 * weights vanish.
 */
export function seedBootstrap(
  inst: Instances,
  nSeeds: number,
  replicates: number,
  seed: number,
  stream: number,
  visit: (resample: Resample, b: number) => void,
): void {
  const r = new StreamRng(seed, stream);
  const m = new Float64Array(nSeeds);
  const idx = new Int32Array(inst.count);
  const w = new Float64Array(inst.count);
  const k = inst.k;
  const arms = inst.arms;
  // each instance's seeds as a bit set over `words` 32-bit words: a resample
  // leaves seed s out with probability ~1/e, and one AND per word against the
  // left-out set rejects an instance without touching its K multiplicities
  const words = (nSeeds + 31) >>> 5;
  const masks = new Int32Array(inst.count * words);
  for (let i = 0; i < inst.count; i++)
    for (let a = 0; a < k; a++) {
      const sd = arms[i * k + a]!;
      masks[i * words + (sd >>> 5)]! |= 1 << (sd & 31);
    }
  const out = new Int32Array(words);
  for (let b = 0; b < replicates; b++) {
    m.fill(0);
    for (let s = 0; s < nSeeds; s++) m[r.int(nSeeds)]! += 1;
    out.fill(0);
    for (let s = 0; s < nSeeds; s++) if (m[s] === 0) out[s >>> 5]! |= 1 << (s & 31);
    let n = 0;
    let total = 0;
    if (words === 1) {
      const z = out[0]!;
      for (let i = 0; i < inst.count; i++) {
        if ((masks[i]! & z) !== 0) continue;
        let p = 1;
        const base = i * k;
        for (let a = 0; a < k; a++) p *= m[arms[base + a]!]!;
        idx[n] = i;
        w[n] = p;
        n++;
        total += p;
      }
    } else if (words === 2) {
      const z0 = out[0]!;
      const z1 = out[1]!;
      for (let i = 0; i < inst.count; i++) {
        if (((masks[2 * i]! & z0) | (masks[2 * i + 1]! & z1)) !== 0) continue;
        let p = 1;
        const base = i * k;
        for (let a = 0; a < k; a++) p *= m[arms[base + a]!]!;
        idx[n] = i;
        w[n] = p;
        n++;
        total += p;
      }
    } else {
      for (let i = 0; i < inst.count; i++) {
        let hit = 0;
        for (let q = 0; q < words; q++) hit |= masks[i * words + q]! & out[q]!;
        if (hit !== 0) continue;
        let p = 1;
        const base = i * k;
        for (let a = 0; a < k; a++) p *= m[arms[base + a]!]!;
        idx[n] = i;
        w[n] = p;
        n++;
        total += p;
      }
    }
    visit({ n, idx, w, total }, b);
  }
}

/** Σ w·x / Σ w over a resample; NaN when it is empty. */
export function weightedMean(res: Resample, x: Float64Array): number {
  let s = 0;
  for (let t = 0; t < res.n; t++) s += res.w[t]! * x[res.idx[t]!]!;
  return res.total > 0 ? s / res.total : Number.NaN;
}

/**
 * Column sums Σ w·row over a resample of a row-major matrix (`cols` values
 * per instance) into `out` — many statistics at the cost of one pass, reading
 * each instance's values from one contiguous row.
 */
export function weightedRowSums(res: Resample, rows: Float64Array, cols: number, out: Float64Array): void {
  out.fill(0);
  for (let t = 0; t < res.n; t++) {
    const w = res.w[t]!;
    const base = res.idx[t]! * cols;
    for (let j = 0; j < cols; j++) out[j]! += w * rows[base + j]!;
  }
}

/**
 * Percentile interval [q(α/2), q(1 − α/2)] of replicate values, NaN
 * replicates dropped; null when none is left.
 * @example percentileInterval(Float64Array.from([1, 2, 3, 4, 5])) // => [1.1, 4.9]
 */
export function percentileInterval(values: Float64Array, level = 0.95): [number, number] | null {
  const kept = values.filter((v) => !Number.isNaN(v)).sort();
  if (kept.length === 0) return null;
  const alpha = 1 - level;
  return [quantileSorted(kept, alpha / 2), quantileSorted(kept, 1 - alpha / 2)];
}
