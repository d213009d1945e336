/**
 * Threshold-reaching efficiency (arXiv 2605.29268): the earliest generation
 * (and call count) at which at least 90% of bootstrap resamples over seeds
 * of the mean running-best curve reach a fitness τ.
 *
 *   units' curves (seeds, online runs) ─> seed bootstrap of the mean curve ─┐
 *   replay instances' curves ─> seed-multiplicity bootstrap of the mean ────┴─> earliestReach(τ)
 *
 * A resample's mean curve is non-decreasing (each running best is), so
 * "reached by step r" is "the resampled mean at r ≥ τ". Pure; all
 * randomness from the given seed.
 */
import { getPolicy, resolveParams } from "../policies/index.ts";
import { seedBootstrap } from "../replay/bootstrap.ts";
import { curveTable, runPolicy } from "../replay/engine.ts";
import { makeInstances } from "../replay/instances.ts";
import type { Pool } from "../replay/pool.ts";
import { StreamRng } from "../util/stream-rng.ts";
import { AnalysisError } from "./errors.ts";

/** Resampled mean curves: `values[b·steps + r]` is resample b's mean at step r. */
export interface ResampledCurves {
  replicates: number;
  steps: number;
  values: Float64Array;
}

/** Default share of resamples that must reach τ. */
export const REACH_LEVEL = 0.9;

/** Default levels of the best fitness seen in the logs (per task) that become τ. */
export const TAU_LEVELS = [0.5, 0.75, 0.9] as const;

/**
 * The earliest step r at which at least `level` of the resampled mean curves
 * are ≥ τ, or null when no step of the curves gets there ("not reached
 * within budget"). A NaN resample (an empty one) never counts as reaching.
 * O(replicates·steps).
 * @example earliestReach({replicates: 2, steps: 3, values: Float64Array.from([0, 1, 2, 0, 0, 2])}, 1, 0.9) // => 2
 */
export function earliestReach(curves: ResampledCurves, tau: number, level = REACH_LEVEL): number | null {
  const { replicates, steps, values } = curves;
  if (replicates < 1) return null;
  const need = Math.ceil(level * replicates - 1e-9);
  for (let r = 0; r < steps; r++) {
    let hit = 0;
    for (let b = 0; b < replicates; b++) if (values[b * steps + r]! >= tau) hit++;
    if (hit >= need) return r;
  }
  return null;
}

/**
 * Bootstrap of the mean curve over independent units (seeds of greedy runs,
 * online bandit runs): each resample draws the units with replacement. Every
 * curve is cut at the shortest one's length, so each resample's mean covers
 * the same units at every step. O(replicates·units·steps).
 * @throws AnalysisError on no curves or replicates < 1.
 */
export function bootstrapMeanCurves(
  curves: readonly ArrayLike<number>[],
  replicates: number,
  seed: number,
): ResampledCurves {
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
  return { replicates, steps, values };
}

export interface ReplayCurveOptions {
  K: number;
  rounds: number;
  policies: readonly string[];
  replicates: number;
  /** Instances replayed (every K-subset up to this many, else a seeded sample). Default 400. */
  maxInstances?: number;
  seed?: number;
}

/**
 * For each policy, the resampled mean running-best curves (steps 0..G, step 0
 * the best initial fitness) of a replay over `pool`: the instances' curves
 * are weighted by the product of their seeds' multiplicities in a resample
 * of the pool (the replay's seed bootstrap; an empty resample is NaN).
 * O(policies·instances·G + replicates·instances·K·policies·G).
 */
export function replayMeanCurves(pool: Pool, opts: ReplayCurveOptions): Map<string, ResampledCurves> {
  const S = pool.seeds.length;
  const { K, rounds: G } = opts;
  if (!(K >= 1 && K <= S)) throw new AnalysisError(`replay curves: K = ${K} with ${S} seeds`);
  const seed = opts.seed ?? 0;
  const inst = makeInstances(S, K, opts.maxInstances ?? 400, seed);
  const table = curveTable(pool);
  const slots = Int32Array.from({ length: inst.count }, (_, i) => i);
  const steps = G + 1;
  // step 0: the best initial fitness over the instance's arms (shared by every policy)
  const start = new Float64Array(inst.count);
  for (let i = 0; i < inst.count; i++) {
    let best = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < K; a++) best = Math.max(best, pool.curves[inst.arms[i * K + a]!]![0]!);
    start[i] = best;
  }
  const stores = opts.policies.map(
    (name) =>
      runPolicy(table, inst, {
        spec: getPolicy(name),
        params: resolveParams(name, {}),
        rounds: G,
        seed,
        firstInstance: 0,
        curveSlot: slots,
        curveSlots: inst.count,
      }).curveStore,
  );
  const out = opts.policies.map(() => new Float64Array(opts.replicates * steps));
  seedBootstrap(inst, S, opts.replicates, seed, 0x7ffe0002, (res, b) => {
    const base = b * steps;
    for (let p = 0; p < stores.length; p++) {
      const v = out[p]!;
      if (res.total === 0) {
        v.fill(Number.NaN, base, base + steps);
        continue;
      }
      const store = stores[p]!;
      for (let t = 0; t < res.n; t++) {
        const i = res.idx[t]!;
        const w = res.w[t]!;
        v[base]! += w * start[i]!;
        const row = i * G;
        for (let r = 0; r < G; r++) v[base + 1 + r]! += w * store[row + r]!;
      }
      for (let r = 0; r < steps; r++) v[base + r]! /= res.total;
    }
  });
  return new Map(
    opts.policies.map((name, p) => [name, { replicates: opts.replicates, steps, values: out[p]! }]),
  );
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
  curves: ResampledCurves;
}

/** The rows of one group for every τ. */
export function reachRows(
  g: ReachGroup,
  taus: readonly { tau: number; level: number | null }[],
  level = REACH_LEVEL,
): ReachRow[] {
  const budget = g.curves.steps - 1;
  return taus.map(({ tau, level: tauLevel }) => {
    const r = earliestReach(g.curves, tau, level);
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
