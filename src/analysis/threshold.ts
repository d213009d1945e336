/**
 * Threshold-reaching efficiency (arXiv 2605.29268): the earliest generation
 * (and call count) at which the mean running-best curve reaches a fitness τ
 * with 90% confidence — its one-sided 90% lower confidence bound is ≥ τ.
 *
 *   units' curves (seeds, online runs) ─> bootstrap of the mean curve: ≥ 90% of resamples ≥ τ ─┐
 *   replay instances' curves ─> seed sums ─> the replay's interval (seedInterval), lower end ≥ τ ┴─> earliestReach(τ)
 *
 * For independent units this is the paper's criterion (at least 90% of
 * bootstrap resamples reach τ: the 10% percentile bound). A replay's
 * instances share seeds, so its bound is the one every replay interval uses
 * (leave-one-seed-out sums, src/replay/seed-interval.ts), measured by
 * `npm run bench:coverage`. Pure; all randomness from the given seed.
 */
import { runPolicy } from "../replay/engine.ts";
import type { Instances } from "../replay/instances.ts";
import { jackknifeSe } from "../replay/jackknife.ts";
import { DEFAULT_INTERVAL_METHOD } from "../replay/options.ts";
import { kernelOptions, planReplay } from "../replay/plan.ts";
import type { Pool } from "../replay/pool.ts";
import { curveRange } from "../replay/replay.ts";
import { type IntervalContext, type IntervalMethod, seedInterval } from "../replay/seed-interval.ts";
import { meanStat, seedSums } from "../replay/seed-sums.ts";
import { StreamRng } from "../util/stream-rng.ts";
import { AnalysisError } from "./errors.ts";

/**
 * A mean curve's one-sided lower confidence bound at each step (NaN where
 * there is none): τ is reached at the first step whose bound is ≥ τ.
 */
export interface ReachCurve {
  steps: number;
  lower: Float64Array;
}

/** Default confidence with which the mean curve must reach τ. */
export const REACH_LEVEL = 0.9;

/** Default levels of the best fitness seen in the logs (per task) that become τ. */
export const TAU_LEVELS = [0.5, 0.75, 0.9] as const;

/**
 * The earliest step whose lower bound is ≥ τ, or null when none is ("not
 * reached within budget"); a NaN bound never counts. O(steps).
 * @example earliestReach({ steps: 3, lower: Float64Array.from([0, 1, 2]) }, 1) // => 1
 */
export function earliestReach(curve: ReachCurve, tau: number): number | null {
  for (let r = 0; r < curve.steps; r++) if (curve.lower[r]! >= tau) return r;
  return null;
}

/**
 * Bootstrap of the mean curve over independent units (seeds of greedy runs,
 * online bandit runs): each resample draws the units with replacement, and
 * the bound at a step is the ⌈level·replicates⌉-th largest resampled mean —
 * τ is reached where at least `level` of the resamples reach it. Every curve
 * is cut at the shortest one's length, so each resample's mean covers the
 * same units at every step. O(replicates·units·steps + steps·replicates log replicates).
 * @throws AnalysisError on no curves or replicates < 1.
 */
export function bootstrapMeanCurves(
  curves: readonly ArrayLike<number>[],
  replicates: number,
  seed: number,
  level = REACH_LEVEL,
): ReachCurve {
  const S = curves.length;
  if (S === 0) throw new AnalysisError("bootstrap of mean curves: no curves");
  if (!(Number.isInteger(replicates) && replicates >= 1))
    throw new AnalysisError(
      `bootstrap of mean curves: replicates must be an integer >= 1, got ${replicates}`,
    );
  const steps = Math.min(...curves.map((c) => c.length));
  const values = new Float64Array(replicates * steps);
  const r = new StreamRng(seed, 0x7ffe0001);
  const m = new Float64Array(S);
  for (let b = 0; b < replicates; b++) {
    m.fill(0);
    for (let i = 0; i < S; i++) m[r.int(S)]! += 1;
    const base = b * steps;
    for (let j = 0; j < S; j++) {
      const w = m[j]!;
      if (w === 0) continue;
      const c = curves[j]!;
      for (let t = 0; t < steps; t++) values[base + t]! += w * c[t]!;
    }
    for (let t = 0; t < steps; t++) values[base + t]! /= S;
  }
  return { steps, lower: percentileBound(values, replicates, steps, level) };
}

/** Per step, the ⌈level·B⌉-th largest of B resampled values (NaN when fewer than that are defined). */
function percentileBound(
  values: Float64Array,
  replicates: number,
  steps: number,
  level: number,
): Float64Array {
  const need = Math.max(1, Math.ceil(level * replicates - 1e-9));
  const lower = new Float64Array(steps).fill(Number.NaN);
  const col = new Float64Array(replicates);
  for (let r = 0; r < steps; r++) {
    let n = 0;
    for (let b = 0; b < replicates; b++) {
      const v = values[b * steps + r]!;
      if (!Number.isNaN(v)) col[n++] = v;
    }
    if (n < need) continue;
    const sorted = col.subarray(0, n).sort();
    lower[r] = sorted[n - need]!;
  }
  return lower;
}

export interface ReplayCurveOptions {
  K: number;
  rounds: number;
  policies: readonly string[];
  /** Instances replayed (every K-subset up to this many, else a seeded sample). Default 400. */
  maxInstances?: number;
  seed?: number;
  /** Confidence of the lower bound (default REACH_LEVEL). */
  level?: number;
  /** The replay's interval method (default the replay's). */
  intervalMethod?: IntervalMethod;
}

/**
 * For each policy, the lower bound of the mean running-best curve (steps
 * 0..G, step 0 the best initial fitness) of a replay over `pool` — the same
 * instances, arm order and policy streams as `replay` with these options —
 * from the seed sums of the instances' curves and the replay's interval
 * method: the lower end of its two-sided (2·level − 1) interval. A step no
 * seed left out changes (every instance alike) is bounded by its mean.
 * O(policies·instances·G·(K + policy cost) + policies·instances·K·G).
 * With K = S no seed can be left out: no bound, never reached.
 * @throws AnalysisError unless 1 ≤ K ≤ S.
 */
export function replayMeanCurves(pool: Pool, opts: ReplayCurveOptions): Map<string, ReachCurve> {
  const S = pool.seeds.length;
  const { K, rounds: G } = opts;
  if (!(K >= 1 && K <= S)) throw new AnalysisError(`replay curves: K = ${K} with ${S} seeds`);
  const maxInstances = opts.maxInstances ?? 400;
  const plan = planReplay(pool, {
    K,
    rounds: G,
    policies: [...opts.policies],
    maxInstances,
    seed: opts.seed ?? 0,
    curveInstances: maxInstances,
  });
  // the replay's own context for a mean: its method, K and the range of the pool's values up to G
  const ctx: IntervalContext = {
    method: opts.intervalMethod ?? DEFAULT_INTERVAL_METHOD,
    level: 2 * (opts.level ?? REACH_LEVEL) - 1,
    k: plan.k,
    kind: "mean",
    ranges: { mean: curveRange(plan.table, plan.inst, G) },
  };
  const start = startingBest(pool, plan.inst);
  return new Map(
    kernelOptions(plan).map((o, p) => {
      const store = runPolicy(plan.table, plan.inst, o).curveStore;
      const rows = new Float64Array(plan.inst.count * (G + 1));
      for (let i = 0; i < plan.inst.count; i++) {
        rows[i * (G + 1)] = start[i]!;
        for (let r = 0; r < G; r++) rows[i * (G + 1) + 1 + r] = store[i * G + r]!;
      }
      const sums = seedSums(plan.inst, S, rows, G + 1);
      const lower = new Float64Array(G + 1);
      for (let r = 0; r <= G; r++) {
        const stat = meanStat(sums, r);
        const ci = seedInterval(stat, ctx);
        lower[r] = ci ? ci[0] : jackknifeSe(stat.loo) === 0 ? stat.point : Number.NaN;
      }
      return [plan.names[p]!, { steps: G + 1, lower }];
    }),
  );
}

/** Step 0 of every instance: the best initial fitness over its arms. */
function startingBest(pool: Pool, inst: Instances): Float64Array {
  const start = new Float64Array(inst.count);
  for (let i = 0; i < inst.count; i++) {
    let best = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < inst.k; a++) best = Math.max(best, pool.curves[inst.arms[i * inst.k + a]!]![0]!);
    start[i] = best;
  }
  return start;
}

/** One threshold-reaching answer. */
export interface ReachRow extends Record<string, unknown> {
  task: string;
  model: string;
  /** greedy: one run of N children per generation; replay: a policy over K logged seeds; online: logged bandit runs. */
  kind: "greedy" | "replay" | "online";
  /** "greedy N=4", "ucb (K=5, N=4)", "online ucb (K=5, N=4)". */
  method: string;
  policy: string | null;
  N: number;
  K: number | null;
  /** Independent units behind the bootstrap: seeds (greedy, replay pool) or online runs. */
  units: number;
  tau: number;
  /** τ as a share of the best fitness seen for the task (null for a τ given by the user). */
  tau_level: number | null;
  /** Earliest generation (round) and calls at which ≥ 90% of resamples reach τ; null: not reached within budget. */
  generation: number | null;
  calls: number | null;
  /** The budget looked at: generations (rounds) and calls. */
  budget_generations: number;
  budget_calls: number;
}

export interface ReachGroup {
  task: string;
  model: string;
  kind: ReachRow["kind"];
  method: string;
  policy: string | null;
  N: number;
  K: number | null;
  units: number;
  curves: ReachCurve;
}

/** The rows of one group for every τ. */
export function reachRows(g: ReachGroup, taus: readonly { tau: number; level: number | null }[]): ReachRow[] {
  const budget = g.curves.steps - 1;
  return taus.map(({ tau, level: tauLevel }) => {
    const r = earliestReach(g.curves, tau);
    return {
      task: g.task,
      model: g.model,
      kind: g.kind,
      method: g.method,
      policy: g.policy,
      N: g.N,
      K: g.K,
      units: g.units,
      tau,
      tau_level: tauLevel,
      generation: r,
      calls: r === null ? null : r * g.N,
      budget_generations: budget,
      budget_calls: budget * g.N,
    };
  });
}

/**
 * τ values per task: the user's list, or `TAU_LEVELS` of the best fitness
 * seen for the task (every run's final fitness, greedy and online).
 * @example defaultTaus(new Map([["cp", 0.8]])).get("cp") // => [{tau: 0.4, level: 0.5}, {tau: 0.6, level: 0.75}, {tau: 0.72, level: 0.9}]
 */
export function defaultTaus(
  bestByTask: ReadonlyMap<string, number>,
  given?: readonly number[],
): Map<string, { tau: number; level: number | null }[]> {
  const out = new Map<string, { tau: number; level: number | null }[]>();
  for (const [task, best] of bestByTask)
    out.set(
      task,
      given && given.length > 0
        ? given.map((tau) => ({ tau, level: null }))
        : TAU_LEVELS.map((level) => ({ tau: level * best, level })),
    );
  return out;
}
