/**
 * The options of a replay: their type, their defaults, and the checks that
 * run before any work (the first stage of `replay`).
 */
import { getPolicy, POLICIES, resolveParams } from "../policies/index.ts";
import type { PolicyParams, PolicySpec } from "../policies/policy.ts";
import type { RngKind } from "../policies/stream.ts";
import { ReplayError } from "./errors.ts";
import type { Pool } from "./pool.ts";
import type { IntervalMethod } from "./seed-interval.ts";

export interface ReplayOptions {
  /** Arms per instance. */
  K: number;
  /** Rounds G (the budget, in generations of N calls). */
  rounds: number;
  /** Policy names, in report order. Default: every registered policy. */
  policies?: string[];
  /** Parameter overrides per policy (`--param POLICY.KEY=VALUE`). */
  params?: Record<string, PolicyParams>;
  /** Exactly one instance whose arms are these seeds, in this order. */
  subset?: number[];
  /** Enumerate every K-subset up to this many, else sample this many. Default 100,000. */
  maxInstances?: number;
  /**
   * Intervals on (> 0) or off (0). The intervals are delete-one-seed
   * jackknife intervals (see seed-interval.ts); the number itself is kept for
   * the command's `--bootstrap B`, which it always accepted. Default 1000.
   */
  bootstrap?: number;
  /** Seed of every random choice (instance sample, arm order, policy streams). Default 0. */
  seed?: number;
  /**
   * Generator of the policy streams (src/policies/stream.ts): evoalloc's own
   * (default) or CPython's random.Random(seed + instance).
   */
  rng?: RngKind;
  /**
   * How intervals are computed (seed-interval.ts), "jackknife-pseudo" by default.
   * `npm run bench:coverage -- --method` compares them.
   */
  intervalMethod?: IntervalMethod;
  /** Instances (a seeded subsample) behind the curves' bands. Default 2000. */
  curveInstances?: number;
}

export const DEFAULT_MAX_INSTANCES = 100_000;
export const DEFAULT_BOOTSTRAP = 1000;
export const DEFAULT_CURVE_INSTANCES = 2000;
export const DEFAULT_INTERVAL_METHOD: IntervalMethod = "jackknife-pseudo";

/** The policies of a replay, resolved: names in report order, specs, full parameters. */
export interface ResolvedPolicies {
  names: string[];
  specs: PolicySpec[];
  params: PolicyParams[];
}

/**
 * Checks `opts` against `pool` and resolves the policies.
 * @throws ReplayError on bad K, rounds, subset, max instances, bootstrap or policy list;
 *   PolicyError on an unknown policy or parameter.
 */
export function checkOptions(pool: Pool, opts: ReplayOptions): ResolvedPolicies {
  const s = pool.seeds.length;
  if (!(Number.isInteger(opts.K) && opts.K >= 1))
    throw new ReplayError(`K must be an integer >= 1, got ${opts.K}`);
  if (!(Number.isInteger(opts.rounds) && opts.rounds >= 1))
    throw new ReplayError(`rounds must be an integer >= 1, got ${opts.rounds}`);
  if (opts.subset) checkSubset(pool, opts.subset, opts.K);
  else if (opts.K > s)
    throw new ReplayError(
      `too few seeds for K = ${opts.K}: the pool (${pool.task}, ${pool.model}, N=${pool.N}) has ${s} (${pool.seeds.join(", ")})`,
    );
  const mi = opts.maxInstances ?? DEFAULT_MAX_INSTANCES;
  if (!(Number.isInteger(mi) && mi >= 1))
    throw new ReplayError(`max instances must be an integer >= 1, got ${mi}`);
  const b = opts.bootstrap ?? DEFAULT_BOOTSTRAP;
  if (!(Number.isInteger(b) && b >= 0)) throw new ReplayError(`bootstrap must be an integer >= 0, got ${b}`);
  if (pool.curves.length !== s) throw new ReplayError("pool has a different number of curves and seeds");
  return resolvePolicies(opts);
}

function checkSubset(pool: Pool, subset: number[], k: number): void {
  if (subset.length !== k) throw new ReplayError(`subset names ${subset.length} seeds but K = ${k}`);
  if (new Set(subset).size !== subset.length) throw new ReplayError("subset repeats a seed");
  for (const seed of subset)
    if (!pool.seeds.includes(seed))
      throw new ReplayError(`seed ${seed} is not in the pool (available: ${pool.seeds.join(", ")})`);
}

function resolvePolicies(opts: ReplayOptions): ResolvedPolicies {
  const names = opts.policies ?? Object.keys(POLICIES);
  if (names.length === 0)
    throw new ReplayError(`no policy to replay (available: ${Object.keys(POLICIES).join(", ")})`);
  if (new Set(names).size !== names.length)
    throw new ReplayError(`a policy is listed twice: ${names.join(", ")}`);
  const specs = names.map((name) => getPolicy(name));
  for (const name of Object.keys(opts.params ?? {})) if (!names.includes(name)) getPolicy(name); // unknown names throw; known but unused ones are ignored
  const params = names.map((name) => resolveParams(name, opts.params?.[name] ?? {}));
  return { names, specs, params };
}
