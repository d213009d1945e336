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
import { holm, replay } from "../replay/index.ts";
import { tInterval } from "../util/interval.ts";
import { compareSamples, predictedDifference } from "./advise-compare.ts";
import type {
  Advice,
  AdviseInput,
  AdviseOptions,
  ParallelAdvice,
  SplitAdvice,
  SplitComparison,
  ThresholdAdvice,
} from "./advise-types.ts";
import { ablationKs, type EffectsRow, effects } from "./effects.ts";
import { type PhiFit, phiPredict } from "./phi.ts";
import type { Curve } from "./splits.ts";
import { bootstrapMeanCurves, earliestReach, replayMeanCurves } from "./threshold.ts";

export type { Interval } from "./advise-compare.ts";
export { compareSamples } from "./advise-compare.ts";
export { adviceText } from "./advise-text.ts";
export type * from "./advise-types.ts";

const ALPHA = 0.05;

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
 * The advice for budget C, in stages:
 *
 *   splitsAt ─> dataGaps ─> recommend ─> parallelArms ─> thresholdWithin ─> Advice
 *
 * O(splits·seeds + replays at C (pools × K × policies × instances × G) +
 * threshold bootstraps).
 */
export function advise(input: AdviseInput, opts: AdviseOptions = {}): Advice {
  const { task, model, C } = input;
  const alpha = opts.alpha ?? ALPHA;
  const notes: string[] = [];
  const gaps: string[] = [];
  const fit = input.phi?.fittable ? input.phi : null;
  if (input.phi && !input.phi.fittable) gaps.push(`the Φ-model is not fittable: ${input.phi.reason}`);
  if (!input.phi) gaps.push("no greedy runs: no Φ-model");
  const { atC, splits } = splitsAt(input, fit);
  dataGaps(input, splits, fit !== null, gaps, notes);
  const r = recommend(splits, atC, fit, alpha, notes);
  const { bestTried, parallel } = parallelArms(input, opts, alpha, gaps, notes);
  const first = r.comparisons[0];
  return {
    task,
    model,
    C,
    basis: r.basis,
    recommended: r.ranked[0] ?? null,
    runner_up: r.ranked[1] ?? null,
    difference: first ? first.difference : null,
    difference_ci95: first ? first.ci95 : null,
    clear_winner: r.clear,
    tied: r.tied,
    splits,
    comparisons: r.comparisons,
    parallel,
    parallel_best_tried: bestTried,
    threshold: thresholdWithin(input, opts, bestTried),
    data_gaps: gaps,
    notes,
  };
}

type ObservedSplits = Map<string, { T: number; N: number; bySeed: Map<number, number> }>;

/** Every candidate split at C with its observed mean (exact runs and prefixes of deeper runs) and prediction. */
function splitsAt(input: AdviseInput, fit: PhiFit | null): { atC: ObservedSplits; splits: SplitAdvice[] } {
  const { C } = input;
  const breadths = [...new Set(input.outcomes.map((o) => o.N))].sort((a, b) => a - b);
  const nMin = breadths[0] ?? 1;
  const nMax = breadths.at(-1) ?? C;
  const atC: ObservedSplits = new Map();
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
  return { atC, splits };
}

/** What the logs lack at C (budget, splits, seeds), and predictions deeper than any logged run. */
function dataGaps(
  input: AdviseInput,
  splits: readonly SplitAdvice[],
  fitted: boolean,
  gaps: string[],
  notes: string[],
): void {
  const { C } = input;
  const budgets = [...new Set(input.outcomes.map((o) => o.C))].sort((a, b) => a - b);
  const maxDepth = Math.max(0, ...input.curves.map((c) => c.best.length - 1));
  if (!budgets.includes(C))
    gaps.push(
      `no runs at C = ${C} (logged: ${budgets.join(", ") || "none"})${fitted ? ": the recommendation is the Φ-model's prediction" : ""}`,
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
  if (fitted)
    for (const s of splits)
      if (s.T > maxDepth && s.observed === null)
        notes.push(
          `T = ${s.T} is deeper than any logged run (${maxDepth} generations): its prediction extrapolates`,
        );
}

/**
 * The recommendation: the best observed split where any is logged, else the
 * best predicted; compared with every other (Holm-adjusted), tied where not
 * distinguishable at `alpha`.
 */
function recommend(
  splits: readonly SplitAdvice[],
  atC: ObservedSplits,
  fit: PhiFit | null,
  alpha: number,
  notes: string[],
) {
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
  const clear = comparisons.length > 0 && tied.length === 0;
  if (recommended && !clear && comparisons.length > 0)
    notes.push(
      `no clear winner: T = ${recommended.T}, N = ${recommended.N} has the best ${basis} mean, but ${tied
        .map((s) => `T = ${s.T}, N = ${s.N}`)
        .join(
          "; ",
        )} ${tied.length === 1 ? "is" : "are"} not distinguishable from it (Holm-adjusted p ≥ ${alpha})`,
    );
  return { basis, ranked, comparisons, tied, clear };
}

/**
 * K parallel arms at G = C/N: every pool deep enough, every K ≤ G of the
 * ablation (replayed here, or read from `opts.effects`); the best tried, and
 * it as `parallel` when it beats one run at Holm-adjusted `alpha`.
 */
function parallelArms(
  input: AdviseInput,
  opts: AdviseOptions,
  alpha: number,
  gaps: string[],
  notes: string[],
): { bestTried: ParallelAdvice | null; parallel: ParallelAdvice | null } {
  const { C } = input;
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
  return { bestTried, parallel };
}

/**
 * Threshold-reaching within C: the greedy mean curve of every breadth N
 * dividing C, the best parallel setting's replayed curve, and the online runs
 * at C, each at every τ.
 */
function thresholdWithin(
  input: AdviseInput,
  opts: AdviseOptions,
  bestTried: ParallelAdvice | null,
): ThresholdAdvice[] {
  const { C } = input;
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
  return threshold;
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
