/**
 * The plan of a replay: everything decided before the policies run — the
 * checked options, the instances and their arm order, the curve sample, the
 * notes on the pool — and the kernel options of each policy.
 */
import { type CurveTable, curveTable, type PolicyRunOptions } from "./engine.ts";
import { binomial, type Instances, makeInstances, shuffleArms } from "./instances.ts";
import {
  checkOptions,
  DEFAULT_BOOTSTRAP,
  DEFAULT_CURVE_INSTANCES,
  DEFAULT_MAX_INSTANCES,
  type ReplayOptions,
  type ResolvedPolicies,
} from "./options.ts";
import type { Pool } from "./pool.ts";
import { type CurveSample, curveSample } from "./subsample.ts";

/** The note of a pool with fewer rounds than arms (kept out of any headline). */
export const FEW_ROUNDS_NOTE = "fewer rounds than arms: no policy can try every arm";

const STREAM_CURVE_SAMPLE = 0x7fff0002;
/** The arms' order in each instance (sampled and enumerated alike). */
const STREAM_ORDER = 0x7fff0004;

export interface ReplayPlan extends ResolvedPolicies {
  pool: Pool;
  opts: ReplayOptions;
  k: number;
  g: number;
  seed: number;
  /** Seeds in the pool. */
  s: number;
  table: CurveTable;
  /** Notes so far: the pool's warnings, a sample, few rounds, shallow logs. */
  notes: string[];
  inst: Instances;
  /** One instance given by --subset (no intervals, selections recorded). */
  single: boolean;
  bootstrap: number;
  fewRounds: boolean;
  /** Logged depth L over the seeds the instances use. */
  depth: { min: number; max: number };
  /** The instances behind the curves' bands (none when intervals are off). */
  curves: CurveSample;
  intervalsAsked: boolean;
}

/**
 * The first stage of `replay`: checks the options and lays out the instances.
 * @throws as `replay`.
 */
export function planReplay(pool: Pool, opts: ReplayOptions): ReplayPlan {
  const policies = checkOptions(pool, opts);
  const k = opts.K;
  const g = opts.rounds;
  const seed = opts.seed ?? 0;
  const s = pool.seeds.length;
  const notes: string[] = [...pool.warnings];

  // --subset keeps the order given, the others take a seeded random order
  let inst: Instances;
  if (opts.subset) {
    const arms = Int32Array.from(opts.subset, (sd) => pool.seeds.indexOf(sd));
    inst = { k, count: 1, arms, enumerated: false };
  } else
    inst = shuffleArms(
      makeInstances(s, k, opts.maxInstances ?? DEFAULT_MAX_INSTANCES, seed),
      seed,
      STREAM_ORDER,
    );
  const single = opts.subset !== undefined;
  const bootstrap = single ? 0 : (opts.bootstrap ?? DEFAULT_BOOTSTRAP);
  if (!single && !inst.enumerated)
    notes.push(`${binomial(s, k)} subsets of ${s} seeds: replayed a seeded sample of ${inst.count}`);
  const fewRounds = g < k;
  if (fewRounds) notes.push(`G = ${g} < K = ${k}: ${FEW_ROUNDS_NOTE}`);
  const depth = loggedDepth(pool, inst, g, notes);

  const intervalsAsked = bootstrap > 0;
  const curveSize = intervalsAsked ? (opts.curveInstances ?? DEFAULT_CURVE_INSTANCES) : 0;
  const curves = curveSample(inst.count, curveSize, seed, STREAM_CURVE_SAMPLE);
  const table = curveTable(pool);
  return {
    ...policies,
    pool,
    opts,
    k,
    g,
    seed,
    s,
    table,
    notes,
    inst,
    single,
    bootstrap,
    fewRounds,
    depth,
    curves,
    intervalsAsked,
  };
}

/** Min and max logged depth over the seeds `inst` uses; notes the seeds shallower than G. */
function loggedDepth(pool: Pool, inst: Instances, g: number, notes: string[]): { min: number; max: number } {
  const used = new Uint8Array(pool.seeds.length);
  for (let i = 0; i < inst.arms.length; i++) used[inst.arms[i]!] = 1;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let shallow = 0;
  let count = 0;
  for (let j = 0; j < used.length; j++) {
    if (!used[j]) continue;
    const d = pool.depths[j]!;
    count++;
    min = Math.min(min, d);
    max = Math.max(max, d);
    if (d < g) shallow++;
  }
  if (shallow > 0)
    notes.push(
      `logs shallower than G = ${g}: ${shallow} of ${count} seeds have L < G (min L = ${min}); ` +
        "arms exhaust (fallback) and references are capped at L, so outcomes are not exact counterfactuals",
    );
  return { min, max };
}

/** The kernel options of each policy (same instances and streams: common random numbers). */
export function kernelOptions(plan: ReplayPlan): PolicyRunOptions[] {
  return plan.specs.map((spec, p) => ({
    spec,
    params: plan.params[p]!,
    rounds: plan.g,
    seed: plan.seed,
    firstInstance: 0,
    rng: plan.opts.rng,
    recordSelections: plan.single,
    curveSlot: plan.curves.slot,
    curveSlots: plan.curves.index.length,
  }));
}
