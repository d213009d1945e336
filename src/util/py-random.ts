/**
 * CPython's `random.Random(seed)`, draw for draw, for `--rng python`: the
 * reference implementation's policies draw from it, so its online runs can
 * be reproduced exactly.
 *
 * - Generator: MT19937 (Matsumoto & Nishimura 1998), seeded as CPython seeds
 *   an integer: `init_by_array` with the 32-bit words of |seed|, least
 *   significant first (one word 0 for seed 0).
 * - `next()` is `random()`: two outputs a, b → ((a >>> 5)·2^26 + (b >>> 6)) / 2^53.
 * - `int(n)` is `randrange(n)`: `getrandbits(bit_length(n))` (the top bits of
 *   one output) until the value is below n.
 * - `normal()` is `gauss(0, 1)`: Box–Muller with the second value cached
 *   (x2π = random()·2π, r = √(−2·ln(1 − random())), cos(x2π)·r now,
 *   sin(x2π)·r on the next call). V8's Math.log/cos/sin may differ from
 *   glibc's in the last bit, so Gaussian draws agree to ~1e-16 relative,
 *   not always bit for bit (test/py-random.slow.test.ts measures it against python3).
 *
 * O(1) amortised per draw; reseeding costs two passes over 624 words.
 *
 * @example new PyRandom(42).next() // => 0.6394267984578837 (Python: random.Random(42).random())
 */
import type { Rng } from "./rng.ts";

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const TWO_PI = 2 * Math.PI;

export class PyRandom implements Rng {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  private gaussNext: number | null = null;

  constructor(seed: number | bigint = 0) {
    this.seed(seed);
  }

  /**
   * Restarts as `random.Random(seed)` (an integer; Python uses |seed|).
   * @throws RangeError for a non-integer number.
   */
  seed(seed: number | bigint): this {
    if (typeof seed === "number" && !Number.isSafeInteger(seed))
      throw new RangeError(`PyRandom: seed must be a safe integer, got ${seed}`);
    let n = BigInt(seed);
    if (n < 0n) n = -n;
    const key: number[] = [];
    do {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    } while (n > 0n);
    this.initByArray(key);
    this.gaussNext = null;
    return this;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = UPPER;
  }

  private twist(): void {
    const mt = this.mt;
    for (let kk = 0; kk < N; kk++) {
      const y = (mt[kk]! & UPPER) | (mt[(kk + 1) % N]! & LOWER);
      mt[kk] = mt[(kk + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** One 32-bit output (CPython's genrand_uint32). */
  nextU32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: uniform in [0, 1), 53 bits. */
  next(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `getrandbits(k)` for 1 ≤ k ≤ 32. */
  getrandbits(k: number): number {
    if (!(Number.isInteger(k) && k >= 1 && k <= 32))
      throw new RangeError(`PyRandom.getrandbits: k must be in [1, 32], got ${k}`);
    return this.nextU32() >>> (32 - k);
  }

  /**
   * `randrange(n)`: uniform integer in [0, n) by rejection on bit_length(n) bits.
   * @throws RangeError unless 1 ≤ n ≤ 2^32.
   */
  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= 4294967296))
      throw new RangeError(`rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const k = n === 4294967296 ? 32 : 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `gauss(0, 1)`: Box–Muller, the second value cached for the next call. */
  normal(): number {
    const cached = this.gaussNext;
    this.gaussNext = null;
    if (cached !== null) return cached;
    const x2pi = this.next() * TWO_PI;
    const g2rad = Math.sqrt(-2 * Math.log(1 - this.next()));
    this.gaussNext = Math.sin(x2pi) * g2rad;
    return Math.cos(x2pi) * g2rad;
  }
}
