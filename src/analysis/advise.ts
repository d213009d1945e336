/**
 * `evoalloc advise`: the answer for one budget C of one (task, model).
 *
 *   split outcomes at C ─> best split, runner-up, paired differences (Holm) ─┐
 *   Φ-model ─> predicted V per split (and the answer when C is not logged) ──┤
 *   pools deep enough for G = C/N ─> replay at every K ─> best K and policy ─┼─> Advice
 *   greedy / replayed / online curves ─> threshold-reaching within C ───────┤
 *   what is missing ─> data gaps ────────────────────────────────────────────┘
 *
 * "Best" is only claimed against the runner-up with a paired interval and
 * Holm-adjusted p-values over the set compared; otherwise "no clear winner"
 * with the tied ones. Pure: tables, pools and the fit in, one object out.
 */
import { holm, type Pool, pairedTest, replay, seedMean, tTwoSidedP } from "../replay/index.ts";
import { tInterval } from "../util/interval.ts";
import { tCritical } from "../util/student-t.ts";
import { ablationKs, type EffectsRow, effects } from "./effects.ts";
import { design, type PhiCell, type PhiFit, phiPredict } from "./phi.ts";
import type { Curve, SplitOutcome } from "./splits.ts";
import { bootstrapMeanCurves, earliestReach, type ReachRow, replayMeanCurves } from "./threshold.ts";

export type Interval = [number, number] | null;

export interface SplitAdvice {
  T: number;
  N: number;
  /** Seeds logged at this split (exact runs and prefixes of deeper runs). */
  n_seeds: number;
  observed: number | null;
  /** Student-t interval of the mean over seeds. */
  observed_ci95: Interval;
  predicted: number | null;
  predicted_ci95: Interval;
}

export interface SplitComparison {
  T: number;
  N: number;
  /** best − this split (paired by seed where seeds are shared, else Welch). */
  difference: number;
  ci95: Interval;
  p: number | null;
  p_holm: number | null;
  paired: boolean;
}

export interface ParallelAdvice {
  K: number;
  policy: string;
  N: number;
  /** Rounds of N calls: G = C/N. */
  G: number;
  gain_vs_single: number;
  ci95: Interval;
  p_holm: number | null;
  pool_effect: number;
  pool_ci95: Interval;
  allocation_effect: number;
  allocation_ci95: Interval;
}

export interface ThresholdAdvice {
  tau: number;
  tau_level: number | null;
  method: string;
  /** Calls (≤ C) at which the mean curve reaches τ with 90% confidence (analysis/threshold.ts); null: not within C. */
  calls: number | null;
}

export interface Advice {
  task: string;
  model: string;
  C: number;
  /** "observed": splits logged at C; "predicted": the Φ-model only (C not logged). */
  basis: "observed" | "predicted" | "none";
  recommended: SplitAdvice | null;
  runner_up: SplitAdvice | null;
  /** recommended − runner-up. */
  difference: number | null;
  difference_ci95: Interval;
  /** True when the recommended split beats every other by a Holm-adjusted p < 0.05. */
  clear_winner: boolean;
  /** Splits not distinguishable from the recommended one (Holm p ≥ 0.05), best first. */
  tied: { T: number; N: number }[];
  splits: SplitAdvice[];
  comparisons: SplitComparison[];
  /** The best K arms under a policy when it beats one run at C (Holm p < 0.05), else null. */
  parallel: ParallelAdvice | null;
  /** The best (K, policy) tried, clear or not; null when no pool was deep enough. */
  parallel_best_tried: ParallelAdvice | null;
  threshold: ThresholdAdvice[];
  data_gaps: string[];
  notes: string[];
}

export interface AdviseInput {
  task: string;
  model: string;
  C: number;
  /** Split outcomes of this (task, model), every budget. */
  outcomes: readonly SplitOutcome[];
  /** Longest curve per seed of this (task, model). */
  curves: readonly Curve[];
  /** The Φ-model of this (task, model), if any. */
  phi: PhiCell | null;
  /** Greedy pools of this (task, model). */
  pools: readonly Pool[];
  /** Online threshold rows of this (task, model) (from `onlineReach`). */
  online: readonly ReachRow[];
  taus: readonly { tau: number; level: number | null }[];
}

export interface AdviseOptions {
  /** Bootstrap resamples and instances of each replay. Defaults 200 and 500. */
  bootstrap?: number;
  maxInstances?: number;
  /** Resamples behind threshold-reaching. Default 1000. */
  reachReplicates?: number;
  seed?: number;
  /** Significance level of "clear". Default 0.05. */
  alpha?: number;
  /**
   * Effects already replayed (the report's K ablation): parallel arms are read
   * from the rows at G = C/N instead of replaying. Absent: replay here.
   */
  effects?: readonly EffectsRow[];
}

const ALPHA = 0.05;

/** Mean difference a − b with its t interval and two-sided p: paired over shared seeds (≥ 2), else Welch. */
export function compareSamples(
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
): { difference: number; ci95: Interval; p: number | null; paired: boolean } {
  const shared = [...a.keys()].filter((s) => b.has(s));
  if (shared.length >= 2) {
    // the paired jackknife t over seed means is the paired Student t
    const t = pairedTest(seedMean(shared.map((s) => a.get(s)!)), seedMean(shared.map((s) => b.get(s)!)));
    return { difference: t.diff, ci95: t.ci95, p: t.p_value, paired: true };
  }
  const x = [...a.values()];
  const y = [...b.values()];
  const ta = tInterval(x);
  const tb = tInterval(y);
  const diff = ta.mean - tb.mean;
  if (ta.se === null || tb.se === null) return { difference: diff, ci95: null, p: null, paired: false };
  const va = ta.se ** 2;
  const vb = tb.se ** 2;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (x.length - 1) + vb ** 2 / (y.length - 1));
  const h = tCritical(0.95, df) * se;
  return { difference: diff, ci95: [diff - h, diff + h], p: tTestP(diff, se, df), paired: false };
}

function tTestP(mean: number, se: number, df: number): number {
  if (!(se > 0)) return mean === 0 ? 1 : 0;
  return tTwoSidedP(mean / se, df);
}

/** Power-of-two splits (T, N) of C with N inside the logged breadths [nMin, nMax]. */
function candidateSplits(C: number, nMin: number, nMax: number): { T: number; N: number }[] {
  const out: { T: number; N: number }[] = [];
  for (let T = 1; T <= C; T *= 2) {
    const N = C / T;
    if (Number.isInteger(N) && N >= nMin && N <= nMax) out.push({ T, N });
  }
  return out;
}

/**
 * Interval of V(T1, N1) − V(T2, N2) from the fit's clustered covariance (delta
 * method through the response; t with seeds − 1 df).
 */
function predictedDifference(fit: PhiFit, s1: { T: number; N: number }, s2: { T: number; N: number }) {
  const p1 = phiPredict(fit, s1.T, s1.N);
  const p2 = phiPredict(fit, s2.T, s2.N);
  const x1 = design(s1.T, s1.N);
  const x2 = design(s2.T, s2.N);
  // dV/dy: log response V = V*(1 − e^y) → −V*·e^y; linear → 1
  const dv = (y: number) => (fit.response === "log" ? -fit.ceiling * Math.exp(y) : 1);
  const g = x1.map((v, j) => dv(p1.y) * v - dv(p2.y) * x2[j]!);
  let v = 0;
  for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) v += g[j]! * fit.vcov[j]![k]! * g[k]!;
  const se = Math.sqrt(Math.max(0, v));
  const diff = p1.V - p2.V;
  const h = tCritical(0.95, fit.n_seeds - 1) * se;
  return {
    difference: diff,
    ci95: [diff - h, diff + h] as [number, number],
    p: tTestP(diff, se, fit.n_seeds - 1),
  };
}

/**
 * The advice for budget C. O(splits·seeds + replays at C (pools × K ×
 * policies × instances × G) + threshold bootstraps).
 */
export function advise(input: AdviseInput, opts: AdviseOptions = {}): Advice {
  const { task, model, C } = input;
  const alpha = opts.alpha ?? ALPHA;
  const notes: string[] = [];
  const gaps: string[] = [];
  const fit = input.phi?.fittable ? input.phi : null;
  if (input.phi && !input.phi.fittable) gaps.push(`the Φ-model is not fittable: ${input.phi.reason}`);
  if (!input.phi) gaps.push("no greedy runs: no Φ-model");
  const budgets = [...new Set(input.outcomes.map((o) => o.C))].sort((a, b) => a - b);
  const breadths = [...new Set(input.outcomes.map((o) => o.N))].sort((a, b) => a - b);
  const nMin = breadths[0] ?? 1;
  const nMax = breadths.at(-1) ?? C;
  const maxDepth = Math.max(0, ...input.curves.map((c) => c.best.length - 1));

  // observed splits at C (exact runs and prefixes of deeper runs)
  const atC = new Map<string, { T: number; N: number; bySeed: Map<number, number> }>();
  for (const o of input.outcomes) {
    if (o.C !== C) continue;
    const k = `${o.T}x${o.N}`;
    if (!atC.has(k)) atC.set(k, { T: o.T, N: o.N, bySeed: new Map() });
    atC.get(k)!.bySeed.set(o.seed, o.fitness);
  }
  const cands = candidateSplits(C, nMin, nMax);
  for (const s of atC.values()) if (!cands.some((c) => c.T === s.T && c.N === s.N)) cands.push(s);
  cands.sort((a, b) => a.T - b.T);
  const splits: SplitAdvice[] = cands.map(({ T, N }) => {
    const obs = atC.get(`${T}x${N}`);
    const t = obs ? tInterval([...obs.bySeed.values()]) : null;
    const p = fit ? phiPredict(fit, T, N) : null;
    return {
      T,
      N,
      n_seeds: obs?.bySeed.size ?? 0,
      observed: t ? t.mean : null,
      observed_ci95: t && t.lo !== null ? [t.lo, t.hi!] : null,
      predicted: p ? p.V : null,
      predicted_ci95: p ? [p.V_lo, p.V_hi] : null,
    };
  });

  // data gaps
  if (!budgets.includes(C))
    gaps.push(
      `no runs at C = ${C} (logged: ${budgets.join(", ") || "none"})${fit ? ": the recommendation is the Φ-model's prediction" : ""}`,
    );
  else {
    const most = Math.max(...splits.map((s) => s.n_seeds));
    for (const s of splits) {
      if (s.n_seeds === 0) gaps.push(`no runs at T = ${s.T}, N = ${s.N}`);
      else if (s.n_seeds < most)
        gaps.push(
          `${s.n_seeds} seed${s.n_seeds === 1 ? "" : "s"} only at T = ${s.T}, N = ${s.N} (${most} at the best-logged split)`,
        );
    }
  }
  if (fit)
    for (const s of splits)
      if (s.T > maxDepth && s.observed === null)
        notes.push(
          `T = ${s.T} is deeper than any logged run (${maxDepth} generations): its prediction extrapolates`,
        );

  // the recommendation: observed where logged, else predicted
  const observed = splits.filter((s) => s.observed !== null);
  let basis: Advice["basis"] = "none";
  let ranked: SplitAdvice[] = [];
  let comparisons: SplitComparison[] = [];
  if (observed.length > 0) {
    basis = "observed";
    ranked = [...observed].sort((a, b) => b.observed! - a.observed! || a.T - b.T);
    const best = atC.get(`${ranked[0]!.T}x${ranked[0]!.N}`)!;
    comparisons = ranked.slice(1).map((s) => {
      const c = compareSamples(best.bySeed, atC.get(`${s.T}x${s.N}`)!.bySeed);
      return { T: s.T, N: s.N, ...c, p_holm: null };
    });
  } else if (fit) {
    basis = "predicted";
    ranked = [...splits].sort((a, b) => b.predicted! - a.predicted! || a.T - b.T);
    comparisons = ranked.slice(1).map((s) => ({
      T: s.T,
      N: s.N,
      ...predictedDifference(fit, ranked[0]!, s),
      paired: true,
      p_holm: null,
    }));
  }
  const adj = holm(comparisons.map((c) => c.p));
  comparisons.forEach((c, i) => {
    c.p_holm = adj[i] ?? null;
  });
  const tied = comparisons
    .filter((c) => c.p_holm === null || c.p_holm >= alpha)
    .map(({ T, N }) => ({ T, N }));
  const recommended = ranked[0] ?? null;
  const runnerUp = ranked[1] ?? null;
  const first = comparisons[0];
  const clear = comparisons.length > 0 && tied.length === 0;
  if (recommended && !clear && comparisons.length > 0)
    notes.push(
      `no clear winner: T = ${recommended.T}, N = ${recommended.N} has the best ${basis} mean, but ${tied
        .map((s) => `T = ${s.T}, N = ${s.N}`)
        .join(
          "; ",
        )} ${tied.length === 1 ? "is" : "are"} not distinguishable from it (Holm-adjusted p ≥ ${alpha})`,
    );

  // K parallel arms at G = C/N: every pool deep enough, every K ≤ G of the ablation
  const tried: { e: EffectsRow }[] = [];
  for (const pool of input.pools) {
    if (C % pool.N !== 0) continue;
    const G = C / pool.N;
    const S = pool.seeds.length;
    if (S < 3) continue;
    if (Math.min(...pool.depths) < G) {
      gaps.push(
        `N = ${pool.N}: seeds logged to ${Math.min(...pool.depths)} generations, fewer than G = ${G}: no replay of K arms at C = ${C}`,
      );
      continue;
    }
    // fewer rounds than arms: no policy can try every arm
    const Ks = ablationKs(S).filter((K) => K <= G);
    if (opts.effects) {
      const rows = opts.effects.filter((e) => e.N === pool.N && e.G === G && Ks.includes(e.K));
      if (rows.length === 0 && Ks.length > 0)
        notes.push(
          `N = ${pool.N}: parallel arms at G = ${G} rounds were not replayed here (evoalloc advise --C ${C} replays them)`,
        );
      for (const e of rows) tried.push({ e });
      continue;
    }
    for (const K of Ks) {
      const r = replay(pool, {
        K,
        rounds: G,
        bootstrap: opts.bootstrap ?? 200,
        maxInstances: opts.maxInstances ?? 500,
        seed: opts.seed ?? 0,
        curveInstances: 0,
      });
      for (const e of effects(r) ?? []) tried.push({ e });
    }
  }
  const adjPar = holm(tried.map((t) => t.e.total_p));
  const parRows = tried.map((t, i) => toParallel(t.e, adjPar[i] ?? null));
  parRows.sort((a, b) => b.gain_vs_single - a.gain_vs_single);
  const bestTried = parRows[0] ?? null;
  const parallel =
    bestTried && bestTried.gain_vs_single > 0 && bestTried.p_holm !== null && bestTried.p_holm < alpha
      ? bestTried
      : null;
  if (bestTried && !parallel)
    notes.push(
      `no clear gain from parallel arms: the best tried, ${bestTried.policy} over K = ${bestTried.K} arms at N = ${bestTried.N}, gains ${bestTried.gain_vs_single.toFixed(4)} over one run (Holm-adjusted p = ${bestTried.p_holm?.toPrecision(2) ?? "–"}, ${tried.length} settings compared)`,
    );
  if (!bestTried && !opts.effects)
    gaps.push(`no pool with at least 3 seeds logged deep enough to replay K arms at C = ${C}`);

  // threshold-reaching within C
  const threshold: ThresholdAdvice[] = [];
  const reps = opts.reachReplicates ?? 1000;
  const seed = opts.seed ?? 0;
  const byN = new Map<number, Curve[]>();
  for (const c of input.curves) {
    if (!byN.has(c.N)) byN.set(c.N, []);
    byN.get(c.N)!.push(c);
  }
  const groups: { method: string; N: number; curves: ReturnType<typeof bootstrapMeanCurves> }[] = [];
  for (const [N, list] of [...byN].sort((a, b) => a[0] - b[0])) {
    if (C % N !== 0) continue;
    const T = C / N;
    const deep = list.filter((c) => c.best.length > T);
    if (deep.length < 2) continue;
    groups.push({
      method: `greedy N=${N}`,
      N,
      curves: bootstrapMeanCurves(
        deep.map((c) => c.best.slice(0, T + 1)),
        reps,
        seed,
      ),
    });
  }
  if (bestTried) {
    const pool = input.pools.find((p) => p.N === bestTried.N)!;
    const curves = replayMeanCurves(pool, {
      K: bestTried.K,
      rounds: bestTried.G,
      policies: [bestTried.policy],
      seed,
    });
    groups.push({
      method: `${bestTried.policy} over K=${bestTried.K} (N=${bestTried.N})`,
      N: bestTried.N,
      curves: curves.get(bestTried.policy)!,
    });
  }
  for (const { tau, level } of input.taus) {
    for (const g of groups) {
      const r = earliestReach(g.curves, tau);
      threshold.push({ tau, tau_level: level, method: g.method, calls: r === null ? null : r * g.N });
    }
    for (const o of input.online)
      if (o.tau === tau && o.budget_calls === C)
        threshold.push({ tau, tau_level: level, method: o.method, calls: o.calls });
  }

  return {
    task,
    model,
    C,
    basis,
    recommended,
    runner_up: runnerUp,
    difference: first ? first.difference : null,
    difference_ci95: first ? first.ci95 : null,
    clear_winner: clear,
    tied,
    splits,
    comparisons,
    parallel,
    parallel_best_tried: bestTried,
    threshold,
    data_gaps: gaps,
    notes,
  };
}

function toParallel(e: EffectsRow, pHolm: number | null): ParallelAdvice {
  return {
    K: e.K,
    policy: e.policy,
    N: e.N,
    G: e.G,
    gain_vs_single: e.total_effect,
    ci95: e.total_ci95,
    p_holm: pHolm,
    pool_effect: e.pool_effect,
    pool_ci95: e.pool_ci95,
    allocation_effect: e.allocation_effect,
    allocation_ci95: e.allocation_ci95,
  };
}

/** Plain sentences of an advice, for the terminal and the report. */
export function adviceText(a: Advice): string[] {
  const f = (v: number | null) => (v === null ? "–" : v.toFixed(4));
  const ci = (c: Interval) => (c ? ` [${f(c[0])}, ${f(c[1])}]` : " (no interval)");
  const out: string[] = [];
  const r = a.recommended;
  if (!r) out.push(`C = ${a.C}: no logged split and no Φ-model to predict from.`);
  else {
    const how =
      a.basis === "observed"
        ? `observed mean ${f(r.observed)}${ci(r.observed_ci95)} over ${r.n_seeds} seeds`
        : `predicted by the Φ-model (no runs at C = ${a.C})`;
    const pred = r.predicted !== null ? `; Φ-model ${f(r.predicted)}${ci(r.predicted_ci95)}` : "";
    if (a.clear_winner && a.runner_up)
      out.push(
        `C = ${a.C}: spend it as T = ${r.T} generations × N = ${r.N} children (${how}${pred}). It beats the runner-up T = ${a.runner_up.T}, N = ${a.runner_up.N} by ${f(a.difference)}${ci(a.difference_ci95)}, and every other split (Holm-adjusted p < 0.05).`,
      );
    else if (a.runner_up)
      out.push(
        `C = ${a.C}: no clear winner. T = ${r.T} × N = ${r.N} has the best mean (${how}${pred}), but ${a.tied.map((s) => `T = ${s.T} × N = ${s.N}`).join(", ")} ${a.tied.length === 1 ? "is" : "are"} tied with it (difference to the runner-up ${f(a.difference)}${ci(a.difference_ci95)}).`,
      );
    else out.push(`C = ${a.C}: one split only, T = ${r.T} × N = ${r.N} (${how}${pred}).`);
  }
  const p = a.parallel;
  if (p)
    out.push(
      `Parallel arms help: ${p.policy} over K = ${p.K} runs of N = ${p.N} (G = ${p.G} rounds) gains ${f(p.gain_vs_single)}${ci(p.ci95)} over one run (pool effect ${f(p.pool_effect)}${ci(p.pool_ci95)}, allocation effect ${f(p.allocation_effect)}${ci(p.allocation_ci95)}).`,
    );
  else if (a.parallel_best_tried)
    out.push(
      `Parallel arms: no clear gain over one run (best tried: ${a.parallel_best_tried.policy} over K = ${a.parallel_best_tried.K}, N = ${a.parallel_best_tried.N}, ${f(a.parallel_best_tried.gain_vs_single)}${ci(a.parallel_best_tried.ci95)}).`,
    );
  return out;
}
