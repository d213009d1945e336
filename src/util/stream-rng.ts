/**
 * A re-seedable twin of `rng(seed, stream)` (./rng.ts) for the replay
 * kernel: the same xoshiro128** state seeded by the same splitmix32 warm-up,
 * so `next()` and `int()` draw exactly what `rng(s, k)` draws (a test checks
 * this). Replay reseeds one object per instance instead of building closures
 * 100,000 times, which costs more than the rounds themselves.
 *
 * `normal()` uses the ziggurat method (Marsaglia & Tsang 2000, 128 layers;
 * layer index and abscissa from disjoint bits of one 32-bit draw, the
 * correlation Doornik 2005 points out in the original) instead of
 * Box–Muller: exact standard normal draws at a fraction of the cost, which
 * is what Thompson sampling spends its time on. Its draws differ from
 * `rng().normal()`.
 */
import type { Rng } from "./rng.ts";

const LAYERS = 128;
const R = 3.442619855899;
const SCALE = 16777216; // 2^24: the abscissa comes from the top 25 bits (signed)
const KN = new Float64Array(LAYERS);
const WN = new Float64Array(LAYERS);
const FN = new Float64Array(LAYERS);
{
  const vn = 9.91256303526217e-3;
  let dn = R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * SCALE;
  KN[1] = 0;
  WN[0] = q / SCALE;
  WN[LAYERS - 1] = dn / SCALE;
  FN[0] = 1;
  FN[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * SCALE;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / SCALE;
  }
}

export class StreamRng implements Rng {
  // state in a typed array: int32 values beyond the small-integer range would
  // otherwise be boxed on every write
  private readonly s = new Int32Array(4);

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
    const s = this.s;
    s[0] = mix();
    s[1] = mix();
    s[2] = mix();
    s[3] = mix();
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
    return this;
  }

  private nextU32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s1;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    const s3 = s[3]!;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`rng.int: n must be >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform in (0, 1), never 0 (for logarithms). */
  private open01(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  normal(): number {
    for (;;) {
      const j = this.nextU32();
      const iz = j & (LAYERS - 1);
      const hz = (j | 0) >> 7;
      const x = hz * WN[iz]!;
      if (Math.abs(hz) < KN[iz]!) return x;
      if (iz === 0) {
        // the tail beyond R (Marsaglia 1964)
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(this.open01()) / R;
          ty = -Math.log(this.open01());
        } while (ty + ty < tx * tx);
        return hz > 0 ? R + tx : -R - tx;
      }
      if (FN[iz]! + this.open01() * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) return x;
    }
  }
}
