/**
 * The 95 % interval of one replay statistic from its seed pool, by method.
 *
 *   SeedStat {point, loo} + context (K, kind, range) ─> seedInterval ─> [lo, hi] | null
 *                                                    └> seedPValue   ─> p | null (the same standard errors)
 *
 * Methods (`IntervalMethod`):
 * - "jackknife-t": θ̂ ± t(S − 1)·se, se the delete-one-seed jackknife's (jackknife.ts).
 * - "jackknife-skew": the same, widened on the side its skewness points to.
 * - "jackknife-pseudo" (replay's default): jackknife-skew whose variance also counts a fraction of a
 *   pseudo-seed at each edge of the statistic's range, and the rule of three where no seed changes the
 *   statistic. Why: a replay statistic's per-seed influence is often carried by a few seeds (the ones that
 *   improve early, or the rare ones where two policies part ways); a pool of S seeds that happens to hold none
 *   of them shows a small, confident jackknife variance and misses the truth (measured: 0.72–0.86 coverage at
 *   S = 10). A seed's jackknife pseudo-value S·θ̂ − (S − 1)·θ₋ₛ is about θ + K·(h₁(seed) − θ), h₁ its mean
 *   over the instances holding it, which lies in the statistic's range [lo, hi]; so a seed of an unseen kind
 *   can move it as far as θ + K·(hi − θ) (or lo). The interval's upper standard error is
 *     se₊² = (Σₛ (pseudoₛ − θ̂)² + c·(K·(hi − θ̂))²) / (S·(S − 1)),
 *   the lower one the same with (θ̂ − lo): a weak prior (c = 0.2 of a seed; 0.1 for paired differences, whose
 *   range is wide against their spread) that the next seed may be unlike the S logged. When no seed left out
 *   changes the statistic (every θ₋ₛ equal), nothing is left to estimate a spread from: a kind of seed absent
 *   from S draws can still make up a share q = 1 − (α/2)^{1/S} of seeds (the exact binomial bound, the "rule
 *   of three"), an instance holds one with probability 1 − (1 − q)^K, and there the statistic may take any
 *   value in its range, so the interval is θ̂ − f·(θ̂ − lo) .. θ̂ + f·(hi − θ̂), f = 1 − (1 − q)^K. The
 *   constants were chosen by simulation (`npm run bench:coverage`, two generative models) and checked there on
 *   fresh pools; they are a prior, not a theorem: a population with rarer and larger effects needs more.
 *   Without a range (a caller that has none) it is jackknife-skew.
 */

import { tQuantile, tTwoSidedP } from "../util/student-t.ts";
import { type Interval, jackknifeAcceleration, type SeedStat } from "./jackknife.ts";

export type IntervalMethod = "jackknife-pseudo" | "jackknife-skew" | "jackknife-t";

/** The interval methods, the default first. */
export const INTERVAL_METHODS: readonly IntervalMethod[] = [
  "jackknife-pseudo",
  "jackknife-skew",
  "jackknife-t",
];

export type StatKind = "mean" | "proportion" | "difference" | "ratio";

export interface IntervalContext {
  method: IntervalMethod;
  level?: number;
  /**
   * The values the statistic's per-instance terms can take: policy/reference means [min f, max f] of the
   * pool's curves, P(improve) [0, 1], paired differences [−span, span], the normalised score [−1, 1].
   */
  range?: [number, number];
  /** The ranges by kind, where `range` is not given (a replay's context holds all four). */
  ranges?: Partial<Record<StatKind, [number, number]>>;
  /** Arms per instance (a seed's pseudo-value moves K times its instances' mean). Default 1. */
  k?: number;
  /** What the statistic is (default "mean"): picks its range from `ranges` and its pseudo-seed weight. */
  kind?: StatKind;
}

/** The range of the statistic under jackknife-pseudo, if any. */
function rangeOf(ctx: IntervalContext): [number, number] | undefined {
  if (ctx.method !== "jackknife-pseudo") return undefined;
  return ctx.range ?? ctx.ranges?.[ctx.kind ?? "mean"];
}

/** Weight of the pseudo-seed at each edge of the range, by kind (jackknife-pseudo). */
export const PSEUDO_WEIGHT: Record<StatKind, number> = {
  mean: 0.2,
  proportion: 0.2,
  ratio: 0.2,
  difference: 0.1,
};

interface Spread {
  point: number;
  /** Lower and upper standard errors (equal for jackknife-t/-skew). */
  seLo: number;
  seHi: number;
  t: number;
  df: number;
  /** Extra multiples of se on each side (skew widening). */
  wLo: number;
  wHi: number;
  /** Every θ₋ₛ equal: no spread to measure. */
  flat: boolean;
}

/** Standard errors of a statistic under `ctx`; null when undefined (S < 2, NaN values). O(S). */
function spread(stat: SeedStat, ctx: IntervalContext): Spread | null {
  const s = stat.loo.length;
  const point = stat.point;
  if (s < 2 || Number.isNaN(point)) return null;
  let mean = 0;
  for (let i = 0; i < s; i++) mean += stat.loo[i]!;
  mean /= s;
  if (Number.isNaN(mean)) return null;
  const level = ctx.level ?? 0.95;
  const df = s - 1;
  const t = tQuantile(0.5 + level / 2, df);
  let v = 0;
  for (let i = 0; i < s; i++) v += (stat.loo[i]! - mean) ** 2;
  const tol = 1e-24 * Math.max(1, point * point);
  const flat = v <= tol;
  const skew = ctx.method !== "jackknife-t";
  const w = skew && !flat ? 2 * jackknifeAcceleration(stat.loo) * (1 + 2 * t * t) : 0;
  const wLo = Math.max(0, -w);
  const wHi = Math.max(0, w);
  const range = rangeOf(ctx);
  if (!range) {
    const se = Math.sqrt(((s - 1) / s) * v);
    return { point, seLo: se, seHi: se, t, df, wLo, wHi, flat };
  }
  // pseudo-values S·θ̂ − (S − 1)·θ₋ₛ around θ̂, and the pseudo-seed at each edge
  let ss = 0;
  for (let i = 0; i < s; i++) ss += (s * point - (s - 1) * stat.loo[i]! - point) ** 2;
  const k = ctx.k ?? 1;
  const c = PSEUDO_WEIGHT[ctx.kind ?? "mean"];
  const up = c * (k * Math.max(0, range[1] - point)) ** 2;
  const dn = c * (k * Math.max(0, point - range[0])) ** 2;
  return {
    point,
    seLo: Math.sqrt((ss + dn) / (s * (s - 1))),
    seHi: Math.sqrt((ss + up) / (s * (s - 1))),
    t,
    df,
    wLo,
    wHi,
    flat,
  };
}

/**
 * The rule-of-three share of instances that may hold a seed of a kind absent from S draws:
 * 1 − (1 − q)^K, q = 1 − (α/2)^{1/S}.
 * @example unseenShare(20, 1) // => 0.1684 (q itself: the two-sided 95 % Clopper–Pearson bound for 0 of 20)
 */
export function unseenShare(s: number, k: number, level = 0.95): number {
  const q = 1 - ((1 - level) / 2) ** (1 / s);
  return 1 - (1 - q) ** k;
}

/**
 * The interval of `stat` by `ctx.method`; null when S < 2, a value is undefined, or no seed left out changes
 * the statistic and there is no range (jackknife-t/-skew, or a range that is a single point). Proportions are clipped to their range. O(S).
 * @example seedInterval(seedMean([1, 2, 3, 4]), { method: "jackknife-t" }) // => the Student-t interval [0.4457, 4.5543]
 */
export function seedInterval(stat: SeedStat, ctx: IntervalContext): Interval {
  const sp = spread(stat, ctx);
  if (!sp) return null;
  const range = rangeOf(ctx);
  let lo: number;
  let hi: number;
  if (sp.flat) {
    // no spread, and no scale either when the range is a point (every curve flat)
    if (!range || !(range[1] > range[0])) return null;
    const f = unseenShare(stat.loo.length, ctx.k ?? 1, ctx.level ?? 0.95);
    lo = sp.point - f * Math.max(0, sp.point - range[0]);
    hi = sp.point + f * Math.max(0, range[1] - sp.point);
  } else {
    if (!(sp.seLo > 0 && sp.seHi > 0)) return null;
    lo = sp.point - sp.seLo * (sp.t + sp.wLo);
    hi = sp.point + sp.seHi * (sp.t + sp.wHi);
  }
  if (range && ctx.kind === "proportion") {
    lo = Math.max(lo, range[0]);
    hi = Math.min(hi, range[1]);
  }
  return [lo, hi];
}

/**
 * Two-sided p-value of "the statistic is 0" (a paired difference), t on S − 1 df with the standard error on
 * the side facing 0 (the interval's, without the skew widening). null when undefined or when no seed changes
 * the statistic under jackknife-pseudo (its rule-of-three interval is the statement; 0 inside it = not told
 * apart); with jackknife-t/-skew a zero standard error gives 1 for a zero statistic and 0 otherwise.
 */
export function seedPValue(stat: SeedStat, ctx: IntervalContext): number | null {
  const sp = spread(stat, ctx);
  if (!sp) return null;
  const se = sp.point > 0 ? sp.seLo : sp.seHi;
  if (sp.flat && rangeOf(ctx)) return null;
  if (!(se > 0)) return sp.point === 0 ? 1 : 0;
  return tTwoSidedP(sp.point / se, sp.df);
}
