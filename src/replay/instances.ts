/**
 * Instances: the K-subsets of a pool's seeds that policies are replayed on.
 * Stored flat, `arms[i·K + k]` = the pool index of arm k of instance i.
 * Enumerated subsets come in lexicographic order of ascending seeds (arm k
 * is the k-th smallest seed); a sample draws each subset uniformly and
 * independently (Floyd's algorithm), arms again in ascending order.
 */
import { StreamRng } from "../util/stream-rng.ts";

export interface Instances {
  k: number;
  count: number;
  arms: Int32Array;
  /** True when every K-subset is present exactly once. */
  enumerated: boolean;
}

/** C(n, k) as a float (exact below 2^53). @example binomial(5, 2) // => 10 */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/** Every K-subset of 0..S−1 in lexicographic order. O(C(S, K)·K). */
export function enumerateInstances(s: number, k: number): Instances {
  const count = binomial(s, k);
  const arms = new Int32Array(count * k);
  const cur = Array.from({ length: k }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    arms.set(cur, i * k);
    let j = k - 1;
    while (j >= 0 && cur[j] === s - k + j) j--;
    if (j < 0) break;
    cur[j]!++;
    for (let t = j + 1; t < k; t++) cur[t] = cur[t - 1]! + 1;
  }
  return { k, count, arms, enumerated: true };
}

/** `count` K-subsets of 0..S−1 drawn uniformly (with replacement across draws) from rng(seed, 0)'s uniforms. */
export function sampleInstances(s: number, k: number, count: number, seed: number): Instances {
  const r = new StreamRng(seed, 0);
  const arms = new Int32Array(count * k);
  const chosen = new Uint8Array(s);
  for (let i = 0; i < count; i++) {
    const base = i * k;
    // Floyd: for j = s−k..s−1, take t ∈ [0, j]; if taken, take j; insertion-sorted as we go
    for (let j = s - k, n = 0; j < s; j++, n++) {
      const t = r.int(j + 1);
      const v = chosen[t] ? j : t;
      chosen[v] = 1;
      let p = base + n - 1;
      while (p >= base && arms[p]! > v) {
        arms[p + 1] = arms[p]!;
        p--;
      }
      arms[p + 1] = v;
    }
    for (let t = 0; t < k; t++) chosen[arms[base + t]!] = 0;
  }
  return { k, count, arms, enumerated: false };
}

/** All subsets when C(S, K) ≤ maxInstances, else a seeded sample of maxInstances. */
export function makeInstances(s: number, k: number, maxInstances: number, seed: number): Instances {
  return binomial(s, k) <= maxInstances
    ? enumerateInstances(s, k)
    : sampleInstances(s, k, maxInstances, seed);
}

/**
 * Disjoint instances for rank tests: the seeds in ascending order cut into
 * ⌊S/K⌋ groups of K consecutive seeds.
 */
export function disjointInstances(s: number, k: number): Instances {
  const count = Math.floor(s / k);
  const arms = new Int32Array(count * k);
  for (let i = 0; i < count * k; i++) arms[i] = i;
  return { k, count, arms, enumerated: false };
}

/**
 * Puts each instance's arms in a seeded random order (Fisher–Yates, draws
 * from rng(seed, stream) in instance order), in place, so that the uniform
 * allocation's remainder and every policy's ties fall on random arms, not on
 * the lowest seed numbers. Every policy and reference then reads the same
 * order (common random numbers). O(instances·K).
 */
export function shuffleArms(inst: Instances, seed: number, stream: number): Instances {
  const r = new StreamRng(seed, stream);
  const k = inst.k;
  const arms = inst.arms;
  for (let i = 0; i < inst.count; i++) {
    const base = i * k;
    for (let a = k - 1; a > 0; a--) {
      const b = r.int(a + 1);
      const t = arms[base + a]!;
      arms[base + a] = arms[base + b]!;
      arms[base + b] = t;
    }
  }
  return inst;
}
