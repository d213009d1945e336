/**
 * The allocation-policy interface, shared by the online bandit runner
 * (src/run) and offline replay (src/replay): one implementation per policy.
 *
 * A policy sees only arm indices and rewards (an arm's best-so-far fitness
 * after the pull); it does no I/O and draws randomness only from the injected
 * `rng`. The caller handles exhausted arms: when `select()` names an arm that
 * cannot be pulled, the caller pulls the eligible arm with the fewest pulls
 * (lowest index on ties) and calls `update` with the arm actually pulled.
 */
import type { Rng } from "../util/rng.ts";

export interface Policy {
  /** The arm to pull next, in [0, nArms). */
  select(): number;
  /** Record the reward of a pull of `arm` (the arm actually pulled). */
  update(arm: number, reward: number): void;
  /**
   * Optional: back to the initial state, keeping the same `ctx.rng` object
   * (the caller reseeds it). Replay reuses one policy across many instances
   * this way; a fresh `create` must behave exactly like a `reset` one.
   */
  reset?(): void;
}

export interface PolicyContext {
  nArms: number;
  /** Total rounds G (the horizon); policies built for a budget use it. */
  horizon: number;
  rng: Rng;
}

/** A policy's tunable parameters (`--param POLICY.KEY=VALUE`), recorded in outputs. */
export type PolicyParams = Record<string, number>;

export interface PolicySpec {
  name: string;
  description: string;
  /** Defaults of every tunable parameter; unknown keys are rejected. */
  defaults: PolicyParams;
  /** Checks a full parameter set; returns what is wrong, or null. Optional. */
  check?(params: PolicyParams): string | null;
  create(ctx: PolicyContext, params: PolicyParams): Policy;
}

/**
 * A policy spec whose `create` and `check` receive full parameters — `defaults`
 * overridden by the caller's — so each default is written once, in `defaults`.
 * @example definePolicy({ name: "p", description: "", defaults: { c: 1 }, create: (ctx, { c }) => … })
 */
export function definePolicy<D extends PolicyParams>(def: {
  name: string;
  description: string;
  defaults: D;
  check?(params: D): string | null;
  create(ctx: PolicyContext, params: D): Policy;
}): PolicySpec {
  const full = (params: PolicyParams): D => ({ ...def.defaults, ...params });
  const spec: PolicySpec = {
    name: def.name,
    description: def.description,
    defaults: def.defaults,
    create: (ctx, params) => def.create(ctx, full(params)),
  };
  if (def.check) spec.check = (params) => def.check!(full(params));
  return spec;
}

/**
 * null when `v` is in [lo, hi] ((lo, hi] with `loOpen`), else what is wrong, for a `check`.
 * @example inRange("gamma", 0, 0, 1, true) // => "gamma must be in (0, 1], got 0"
 */
export function inRange(key: string, v: number, lo: number, hi: number, loOpen = false): string | null {
  return (loOpen ? v > lo : v >= lo) && v <= hi
    ? null
    : `${key} must be in ${loOpen ? "(" : "["}${lo}, ${hi}], got ${v}`;
}

/** Bad policy name or parameter; the CLI turns it into exit code 2. */
export class PolicyError extends Error {
  override name = "PolicyError";
}
