/**
 * The allocation policies, by name. Used live by the online bandit runner
 * (src/run) and offline by replay (src/replay): one implementation each.
 *
 *   const p = createPolicy("ucb", { nArms: 5, horizon: 16, rng: rng(0) });
 *   const params = resolveParams("exp3p", { eta: 0.1 }); // => { eta: 0.1, gamma: 0.1 }
 *   parsePolicyParams(["ucb.c=1", "exp3p.gamma=0.2"]); // => { ucb: { c: 1 }, exp3p: { gamma: 0.2 } }
 */
import { elim } from "./elim.ts";
import { exp3p } from "./exp3p.ts";
import { halving } from "./halving.ts";
import { leader } from "./leader.ts";
import {
  type Policy,
  type PolicyContext,
  PolicyError,
  type PolicyParams,
  type PolicySpec,
} from "./policy.ts";
import { random } from "./random.ts";
import { rsr } from "./rsr.ts";
import { rucbe } from "./rucbe.ts";
import { thompson } from "./thompson.ts";
import { ucb } from "./ucb.ts";

export { fallbackArm } from "./fallback.ts";
export type { Policy, PolicyContext, PolicyParams, PolicySpec } from "./policy.ts";
export { definePolicy, inRange, PolicyError } from "./policy.ts";
export { halvingSchedule, logBar, rsrSchedule } from "./schedule.ts";

/** Every policy by name, in the order they are listed and reported. */
export const POLICIES: Record<string, PolicySpec> = Object.fromEntries(
  [ucb, exp3p, thompson, random, halving, rsr, rucbe, elim, leader].map((s) => [s.name, s]),
);

/** The four policies of the reference implementation (the default replay set). */
export const REFERENCE_POLICIES = ["ucb", "exp3p", "thompson", "random"] as const;

/** Names of every policy, comma-separated, for error messages. */
export function policyNames(): string {
  return Object.keys(POLICIES).join(", ");
}

/**
 * The spec of `name`.
 * @throws PolicyError naming the available policies.
 */
export function getPolicy(name: string): PolicySpec {
  const spec = Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
  if (!spec) throw new PolicyError(`unknown policy "${name}" (available: ${policyNames()})`);
  return spec;
}

/**
 * Full parameters of `name`: its defaults overridden by `overrides`.
 * @throws PolicyError on an unknown policy, unknown key or invalid value.
 * @example resolveParams("ucb", {}) // => { c: 1.4142135623730951 }
 */
export function resolveParams(name: string, overrides: PolicyParams = {}): PolicyParams {
  const spec = getPolicy(name);
  const params: PolicyParams = { ...spec.defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (!Object.hasOwn(spec.defaults, key)) {
      const known = Object.keys(spec.defaults);
      throw new PolicyError(
        `unknown parameter "${name}.${key}" (${name} has ${known.length ? known.map((k) => `${name}.${k}`).join(", ") : "no parameters"})`,
      );
    }
    if (!Number.isFinite(value))
      throw new PolicyError(`parameter ${name}.${key} must be a finite number, got ${value}`);
    params[key] = value;
  }
  const problem = spec.check?.(params);
  if (problem) throw new PolicyError(`parameter ${name}.${problem}`);
  return params;
}

/**
 * A fresh policy instance; `params` are overrides of the defaults.
 * @throws PolicyError on an unknown policy or parameter, or nArms < 1.
 */
export function createPolicy(name: string, ctx: PolicyContext, params: PolicyParams = {}): Policy {
  if (!(Number.isInteger(ctx.nArms) && ctx.nArms >= 1))
    throw new PolicyError(`nArms must be an integer >= 1, got ${ctx.nArms}`);
  return getPolicy(name).create(ctx, resolveParams(name, params));
}

/**
 * Parses repeated `--param POLICY.KEY=VALUE` strings into overrides per policy.
 * Checks names and keys against the registry (values are checked by `resolveParams`).
 * @throws PolicyError on a malformed entry, unknown policy or key.
 * @example parsePolicyParams(["ucb.c=1"]) // => { ucb: { c: 1 } }
 */
export function parsePolicyParams(entries: string[]): Record<string, PolicyParams> {
  const out: Record<string, PolicyParams> = {};
  for (const entry of entries) {
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)=(.+)$/.exec(entry.trim());
    if (!m) throw new PolicyError(`--param "${entry}": expected POLICY.KEY=VALUE, e.g. ucb.c=1`);
    const [, name, key, raw] = m as unknown as [string, string, string, string];
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value))
      throw new PolicyError(`--param "${entry}": VALUE must be a finite number`);
    const overrides = out[name] ?? {};
    overrides[key] = value;
    resolveParams(name, overrides);
    out[name] = overrides;
  }
  return out;
}
