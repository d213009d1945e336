/**
 * Seeded pseudo-random numbers. Every random choice in evoalloc goes through
 * an `Rng` built from an explicit seed, never `Math.random`.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018), state seeded by
 * splitmix32 from a 32-bit seed and a stream id, so `rng(seed, stream)` gives
 * independent, reproducible streams (common random numbers across policies).
 */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n). Throws RangeError when n < 1. */
  int(n: number): number;
  /** Standard normal (Box–Muller; the second variate is cached). */
  normal(): number;
}

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/**
 * A seeded generator. `stream` selects an independent sub-stream of `seed`.
 *
 * @example rng(1).next() === rng(1).next() // => true
 */
export function rng(seed: number, stream = 0): Rng {
  const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x85ebca6b)) | 0);
  // a few warm-up draws decorrelate nearby seeds
  mix();
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  let spare: number | null = null;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const next = (): number => nextU32() / 4294967296;
  return {
    next,
    int(n: number): number {
      if (!(n >= 1)) throw new RangeError(`rng.int: n must be >= 1, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
