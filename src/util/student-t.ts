/**
 * Student's t distribution: CDF and quantile, for every interval evoalloc
 * states (replay's jackknife, the t intervals of means over seeds). Written
 * here (not jstat) because importing jstat costs more start-up than a whole
 * small replay, and its quantile stops at about 1e-8; these values match
 * closed forms to 1e-12 (a test).
 *
 * CDF: P(T ≤ t) from the regularised incomplete beta function,
 * I_x(ν/2, ½) with x = ν/(ν + t²), evaluated by its continued fraction
 * (modified Lentz); ln Γ by the Lanczos approximation (g = 7, 9 terms).
 * Quantile: bisection on the CDF to machine precision (≈ 60 steps).
 */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, |relative error| < 1e-14 for x ≥ ½). @example logGamma(5) // => ln 24 */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b), 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for T ~ Student t with df > 0 degrees of freedom. @example tCdf(0, 3) // => 0.5 */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

const cache = new Map<string, number>();

/**
 * Student-t quantile: q such that P(T_df ≤ q) = p. O(60 CDF evaluations), cached.
 * @throws RangeError unless df > 0 and 0 < p < 1.
 * @example tQuantile(0.975, 9) // => 2.2621571627982027 (≈ 2.262)
 */
export function tQuantile(p: number, df: number): number {
  if (!(df > 0) || !(p > 0 && p < 1))
    throw new RangeError(`t quantile: need df > 0 and 0 < p < 1, got p = ${p}, df = ${df}`);
  const key = `${p} ${df}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  const q = 0.5 * (lo + hi);
  if (cache.size < 1000) cache.set(key, q);
  return q;
}

/**
 * The two-sided critical value t(1 − (1 − level)/2, df): a `level` interval is mean ± tCritical·se.
 * @throws RangeError unless df > 0 and 0 < level < 1.
 * @example tCritical(0.95, 9) // => 2.2621571627982027 (exact: 2.26215716279820554…)
 */
export function tCritical(level: number, df: number): number {
  return tQuantile(1 - (1 - level) / 2, df);
}

/** Two-sided p-value of t on df degrees of freedom. @example tTwoSidedP(0, 5) // => 1 */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}
