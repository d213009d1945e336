/**
 * A re-seedable twin of `rng(seed, stream)` (src/util/rng.ts): the same
 * xoshiro128** state seeded by the same splitmix32 warm-up, so
 * `new StreamRng().reseed(s, k)` draws exactly what `rng(s, k)` draws (a
 * test checks this). Replay reseeds one object per instance instead of
 * building closures 100,000 times, which costs more than the rounds themselves.
 */
import type { Rng } from "../util/rng.ts";

export class StreamRng implements Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = 0;
  private hasSpare = false;

  constructor(seed = 0, stream = 0) {
    this.reseed(seed, stream);
  }

  /** Restarts as rng(seed, stream). */
  reseed(seed: number, stream = 0): this {
    let a = (seed ^ Math.imul(stream + 1, 0x85ebca6b)) | 0;
    const mix = (): number => {
      a = (a + 0x9e3779b9) | 0;
      let z = a;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    mix();
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.hasSpare = false;
    return this;
  }

  private nextU32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`rng.int: n must be >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }
}
