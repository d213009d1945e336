/**
 * Seeded subsamples of the instances: the curves' bands are computed on at
 * most a few thousand of them, chosen once per replay so every policy's band
 * comes from the same instances (common random numbers).
 */
import { StreamRng } from "../util/stream-rng.ts";

/**
 * `size` of 0..count−1, ascending, by selection sampling (Knuth's algorithm S, TAOCP 3.4.2)
 * from rng(seed, stream)'s uniforms; all of them when size ≥ count. O(count).
 * @example subsample(3, 5, 0, 1) // => Int32Array [0, 1, 2]
 */
export function subsample(count: number, size: number, seed: number, stream: number): Int32Array {
  const out = new Int32Array(Math.min(count, size));
  if (out.length === count) {
    for (let i = 0; i < count; i++) out[i] = i;
    return out;
  }
  const r = new StreamRng(seed, stream);
  let filled = 0;
  for (let i = 0; i < count && filled < out.length; i++)
    if (r.next() * (count - i) < out.length - filled) out[filled++] = i;
  return out;
}

/** A subsample and, per instance, its slot in it (−1 when left out). */
export interface CurveSample {
  /** Instance indices, ascending. */
  index: Int32Array;
  /** slot[i] = position of instance i in `index`, or −1. */
  slot: Int32Array;
}

/**
 * The instances behind the curves' bands: `subsample(count, size, seed, stream)` with its slots
 * (none at all when size is 0). O(count).
 */
export function curveSample(count: number, size: number, seed: number, stream: number): CurveSample {
  const index = size > 0 ? subsample(count, size, seed, stream) : new Int32Array(0);
  const slot = new Int32Array(count).fill(-1);
  index.forEach((i, s) => {
    slot[i] = s;
  });
  return { index, slot };
}
