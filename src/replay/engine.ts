/**
 * The replay kernel: one policy over many instances, on typed arrays.
 *
 * Each round the policy picks an arm; an exhausted arm (its logged depth L
 * reached) falls back to the eligible arm with the fewest pulls (lowest
 * index on ties; src/policies/fallback.ts, as online); the pulled arm's count n grows by one
 * and the reward is f(n), its best-so-far after that many generations. The
 * outcome is max over arms of f(n_k) (unpulled arms count with f(0)); when
 * every arm is exhausted the replay stops early.
 */
import { fallbackArm } from "../policies/fallback.ts";
import type { Policy, PolicyParams, PolicySpec } from "../policies/policy.ts";
import { type PolicyRng, policyRng, type RngKind } from "../policies/stream.ts";
import type { Instances } from "./instances.ts";
import type { Pool } from "./pool.ts";

/** A pool's curves flattened: curve j is flat[offset[j] .. offset[j] + depth[j]]. */
export interface CurveTable {
  flat: Float64Array;
  offset: Int32Array;
  depth: Int32Array;
}

export function curveTable(pool: Pool): CurveTable {
  const n = pool.curves.length;
  const offset = new Int32Array(n);
  const depth = new Int32Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    offset[j] = total;
    depth[j] = pool.depths[j]!;
    total += pool.curves[j]!.length;
  }
  const flat = new Float64Array(total);
  for (let j = 0; j < n; j++) flat.set(pool.curves[j]!, offset[j]!);
  return { flat, offset, depth };
}

export interface PolicyRunOptions {
  spec: PolicySpec;
  params: PolicyParams;
  rounds: number;
  seed: number;
  /**
   * Instance i draws from policy stream firstInstance + i of `seed`
   * (src/policies/stream.ts; the same for every policy: common random numbers).
   */
  firstInstance: number;
  /** The policy stream's generator (default evoalloc's own). */
  rng?: RngKind;
  /** Record the arm pulled in every round (for a single instance). */
  recordSelections?: boolean;
  /** slot[i] ≥ 0: store instance i's running-best curve at curveStore[slot·G ..]. */
  curveSlot?: Int32Array;
  curveSlots?: number;
  /**
   * A policy and stream made by `preparePolicy` for these spec, params, K and G, reused across calls
   * (a chunked replay runs many calls: fresh closures each time would defeat the JIT's inlining).
   */
  prepared?: PreparedPolicy;
}

export interface PreparedPolicy {
  stream: PolicyRng;
  policy: Policy;
}

/** One policy object and its stream, to reuse over `runPolicy` calls (reset per instance). */
export function preparePolicy(
  spec: PolicySpec,
  params: PolicyParams,
  k: number,
  g: number,
  rng?: RngKind,
): PreparedPolicy {
  const stream = policyRng(rng);
  return { stream, policy: spec.create({ nArms: k, horizon: g, rng: stream }, params) };
}

export interface PolicyRun {
  /** Outcome per instance. */
  outcomes: Float64Array;
  /** Σ over instances of the running best after each round (length G). */
  curveSum: Float64Array;
  /** Running-best curves of the instances with a curve slot (slots × G). */
  curveStore: Float32Array;
  /** Σ over instances of the pull counts sorted in decreasing order (length K). */
  sortedPullSum: Float64Array;
  /** Σ over instances of pulls of each arm position (length K). */
  pullSum: Float64Array;
  /** Rounds whose pick was an exhausted arm (fallback or early stop). */
  exhaustedPicks: number;
  /** Instances where every arm ran out before G rounds. */
  stopped: number;
  /** Arm pulled each round (recordSelections, instance 0 only). */
  selections: number[];
}

/** Replays one policy on every instance. O(instances·G·(K + policy cost)). */
export function runPolicy(table: CurveTable, inst: Instances, opts: PolicyRunOptions): PolicyRun {
  const { flat, offset, depth } = table;
  const k = inst.k;
  const g = opts.rounds;
  const arms = inst.arms;
  const outcomes = new Float64Array(inst.count);
  const curveSum = new Float64Array(g);
  const curveStore = new Float32Array((opts.curveSlots ?? 0) * g);
  const sortedPullSum = new Float64Array(k);
  const pullSum = new Float64Array(k);
  const pulls = new Int32Array(k);
  const off = new Int32Array(k);
  const cap = new Int32Array(k);
  const sortBuf = new Int32Array(k);
  const selections: number[] = [];
  let exhaustedPicks = 0;
  let stopped = 0;
  const { spec, params } = opts;
  const record = opts.recordSelections === true;
  // one policy and one RNG object, reset per instance (same draws as fresh ones)
  const { stream, policy: first } = opts.prepared ?? preparePolicy(spec, params, k, g, opts.rng);
  const ctx = { nArms: k, horizon: g, rng: stream };
  const reusable = first.reset ? first : null;
  for (let i = 0; i < inst.count; i++) {
    let best = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < k; a++) {
      const j = arms[i * k + a]!;
      off[a] = offset[j]!;
      cap[a] = depth[j]!;
      pulls[a] = 0;
      const f0 = flat[off[a]!]!;
      if (f0 > best) best = f0;
    }
    stream.reseed(opts.seed, opts.firstInstance + i);
    if (reusable) reusable.reset!();
    const policy = reusable ?? spec.create(ctx, params);
    const slot = opts.curveSlot ? opts.curveSlot[i]! : -1;
    let r = 0;
    for (; r < g; r++) {
      let a = policy.select();
      if (pulls[a]! >= cap[a]!) {
        exhaustedPicks++;
        a = fallbackArm(pulls, cap);
        if (a < 0) break;
      }
      const n = ++pulls[a]!;
      const reward = flat[off[a]! + n]!;
      policy.update(a, reward);
      if (reward > best) best = reward;
      curveSum[r]! += best;
      if (slot >= 0) curveStore[slot * g + r] = best;
      if (record && i === 0) selections.push(a);
    }
    if (r < g) {
      stopped++;
      exhaustedPicks += g - r - 1; // the remaining rounds would pick exhausted arms too
      for (let q = r; q < g; q++) {
        curveSum[q]! += best;
        if (slot >= 0) curveStore[slot * g + q] = best;
      }
    }
    outcomes[i] = best;
    for (let a = 0; a < k; a++) {
      pullSum[a]! += pulls[a]!;
      sortBuf[a] = pulls[a]!;
    }
    // insertion sort, decreasing (K is small; TypedArray#sort costs more here)
    for (let a = 1; a < k; a++) {
      const v = sortBuf[a]!;
      let b = a - 1;
      while (b >= 0 && sortBuf[b]! < v) {
        sortBuf[b + 1] = sortBuf[b]!;
        b--;
      }
      sortBuf[b + 1] = v;
    }
    for (let a = 0; a < k; a++) sortedPullSum[a]! += sortBuf[a]!;
  }
  return { outcomes, curveSum, curveStore, sortedPullSum, pullSum, exhaustedPicks, stopped, selections };
}

export interface References {
  /** Each arm ⌊G/K⌋ rounds, the remainder to the lowest indices, capped at L. */
  uniform: Float64Array;
  /** Mean over the instance's arms of f(min(G, L)). */
  single: Float64Array;
  /** Max over the instance's arms of f(min(G, L)). */
  oracle: Float64Array;
}

/** The three reference allocations on every instance. O(instances·K). */
export function references(table: CurveTable, inst: Instances, rounds: number): References {
  const { flat, offset, depth } = table;
  const k = inst.k;
  const uniform = new Float64Array(inst.count);
  const single = new Float64Array(inst.count);
  const oracle = new Float64Array(inst.count);
  const base = Math.floor(rounds / k);
  const extra = rounds - base * k;
  for (let i = 0; i < inst.count; i++) {
    let u = Number.NEGATIVE_INFINITY;
    let o = Number.NEGATIVE_INFINITY;
    let s = 0;
    for (let a = 0; a < k; a++) {
      const j = inst.arms[i * k + a]!;
      const d = depth[j]!;
      const share = base + (a < extra ? 1 : 0);
      const fu = flat[offset[j]! + Math.min(share, d)]!;
      const fg = flat[offset[j]! + Math.min(rounds, d)]!;
      if (fu > u) u = fu;
      if (fg > o) o = fg;
      s += fg;
    }
    uniform[i] = u;
    single[i] = s / k;
    oracle[i] = o;
  }
  return { uniform, single, oracle };
}
