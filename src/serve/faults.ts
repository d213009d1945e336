/**
 * Fault injection for the dry-run endpoint (endpoint.ts). Each rate is the
 * probability of that fault on one request; one uniform draw picks at most one
 * fault, so the rates are exact and must sum to at most 1.
 *
 * The draw comes from `rng(seed, FAULT_STREAM + k)` where k is how many times
 * the same `seed` was asked before: the n-th request with a seed always gets
 * the same fault, and a retry (k + 1) draws afresh, so it can succeed.
 */
import { rng } from "../util/rng.ts";

export interface FaultRates {
  /** HTTP 500. */
  fail: number;
  /** HTTP 429 with Retry-After. */
  rateLimit: number;
  /** No answer until the client gives up. */
  timeout: number;
  /** Content cut short, finish_reason "length". */
  truncate: number;
}

export const NO_FAULTS: Readonly<FaultRates> = Object.freeze({
  fail: 0,
  rateLimit: 0,
  timeout: 0,
  truncate: 0,
});

export type Fault =
  | { kind: "none" }
  | { kind: "fail" }
  | { kind: "rate_limit" }
  | { kind: "timeout" }
  | { kind: "truncate"; keep: number };

const FAULT_STREAM = 0x66610000;

/** @throws RangeError when a rate is outside [0, 1] or they sum to more than 1. */
export function checkRates(r: FaultRates): void {
  for (const [k, v] of Object.entries(r))
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${k} rate must be in [0, 1], got ${v}`);
  const sum = r.fail + r.rateLimit + r.timeout + r.truncate;
  if (sum > 1 + 1e-12) throw new RangeError(`fault rates sum to ${sum}, more than 1`);
}

/**
 * The fault of the `count`-th request (0-based) with `seed`. A truncated
 * answer keeps a fraction `keep` ∈ [0.1, 0.9) of its content.
 *
 * @example drawFault(7, 0, { fail: 1, rateLimit: 0, timeout: 0, truncate: 0 }) // => { kind: "fail" }
 */
export function drawFault(seed: number, count: number, rates: FaultRates): Fault {
  const r = rng(seed >>> 0, FAULT_STREAM + count);
  const u = r.next();
  let edge = rates.fail;
  if (u < edge) return { kind: "fail" };
  edge += rates.rateLimit;
  if (u < edge) return { kind: "rate_limit" };
  edge += rates.timeout;
  if (u < edge) return { kind: "timeout" };
  edge += rates.truncate;
  if (u < edge) return { kind: "truncate", keep: 0.1 + 0.8 * r.next() };
  return { kind: "none" };
}
