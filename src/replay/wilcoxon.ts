/**
 * Wilcoxon signed-rank test of paired differences (two-sided). Zero
 * differences are dropped (Wilcoxon's convention); tied |d| get mid-ranks.
 * The p-value is exact (enumeration of the 2^n sign patterns by dynamic
 * programming over rank sums) for n ≤ 50 without ties, else the normal
 * approximation with tie correction and continuity correction.
 * O(n log n), O(n³) for the exact case.
 */
export interface WilcoxonResult {
  /** Non-zero differences used. */
  n: number;
  /** W+ = sum of the ranks of the positive differences. */
  statistic: number;
  /** Two-sided p-value; null when n = 0. */
  p_value: number | null;
}

/** @example wilcoxonSignedRank([1, 2, 3, 4, 5]) // => { n: 5, statistic: 15, p_value: 0.0625 } */
export function wilcoxonSignedRank(diffs: ArrayLike<number>): WilcoxonResult {
  const d: number[] = [];
  for (let i = 0; i < diffs.length; i++) if (diffs[i] !== 0 && !Number.isNaN(diffs[i]!)) d.push(diffs[i]!);
  const n = d.length;
  if (n === 0) return { n: 0, statistic: 0, p_value: null };
  const order = d.map((_, i) => i).sort((a, b) => Math.abs(d[a]!) - Math.abs(d[b]!));
  const ranks = new Float64Array(n);
  let ties = false;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && Math.abs(d[order[j + 1]!]!) === Math.abs(d[order[i]!]!)) j++;
    const rank = (i + j + 2) / 2;
    for (let t = i; t <= j; t++) ranks[order[t]!] = rank;
    const size = j - i + 1;
    if (size > 1) {
      ties = true;
      tieTerm += size ** 3 - size;
    }
    i = j + 1;
  }
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (d[i]! > 0) wPlus += ranks[i]!;
  const total = (n * (n + 1)) / 2;
  if (!ties && n <= 50) {
    // counts[s] = number of sign patterns with W+ = s
    const counts = new Float64Array(total + 1);
    counts[0] = 1;
    for (let r = 1; r <= n; r++) for (let s = total; s >= r; s--) counts[s]! += counts[s - r]!;
    const lowTail = Math.min(wPlus, total - wPlus);
    let tail = 0;
    for (let s = 0; s <= lowTail; s++) tail += counts[s]!;
    const p = Math.min(1, (2 * tail) / 2 ** n);
    return { n, statistic: wPlus, p_value: p };
  }
  const mu = total / 2;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  if (sigma === 0) return { n, statistic: wPlus, p_value: 1 };
  const z = (Math.abs(wPlus - mu) - 0.5) / sigma;
  return { n, statistic: wPlus, p_value: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z)))) };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
