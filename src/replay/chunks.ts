/**
 * Chunks of a threaded replay's instances, claimed unit by unit from flags
 * shared by every thread (`Atomics.exchange`), so that a thread that starts
 * late or runs on a busy core simply takes fewer of them.
 */
import {
  type CurveTable,
  type PolicyRun,
  type PolicyRunOptions,
  type PreparedPolicy,
  preparePolicy,
  runPolicy,
} from "./engine.ts";
import type { Instances } from "./instances.ts";
import type { Kernel } from "./kernels.ts";

/**
 * Runs the (policy, chunk) units this thread claims, one by one, until none is left: unit u is policy
 * ⌊u / chunks⌋ on chunk u mod chunks, and `claimed[u]` (shared between threads) is set by whichever
 * thread takes it. A thread walks the units in order from `start` (wrapping round), so thread t of T
 * starting at t·units/T runs few policies, each on many chunks in a row: every policy it runs costs it
 * one optimisation of that policy's kernel (tens of ms), and its calls stay monomorphic for the JIT.
 * Used by this thread and by the workers (kernel-worker.ts). Policy p runs on `kernels[p]` (its own
 * copy of `runPolicy`, kernels.ts), else on `runPolicy`. Which thread ran a unit changes nothing in
 * it. Returns [unit, run] pairs.
 */
export function claimChunks(
  table: CurveTable,
  inst: Instances,
  bounds: Int32Array,
  claimed: Int32Array,
  start: number,
  kopts: PolicyRunOptions[],
  kernels: readonly Kernel[] = [],
): [number, PolicyRun][] {
  const k = inst.k;
  const chunks = bounds.length - 1;
  const out: [number, PolicyRun][] = [];
  const units = chunks * kopts.length;
  // one policy object per policy in this thread, made when first needed, reset per instance
  const prepared: (PreparedPolicy | undefined)[] = [];
  for (let step = 0; step < units; step++) {
    const u = (start + step) % units;
    if (Atomics.exchange(claimed, u, 1) !== 0) continue;
    const p = Math.floor(u / chunks);
    const o = kopts[p]!;
    const c = u % chunks;
    const lo = bounds[c]!;
    const hi = bounds[c + 1]!;
    const part = { k, count: hi - lo, arms: inst.arms.subarray(lo * k, hi * k), enumerated: false };
    const slots = chunkSlots(o.curveSlot, lo, hi);
    const kernel = kernels[p] ?? runPolicy;
    prepared[p] ??= preparePolicy(o.spec, o.params, k, o.rounds, o.rng);
    out.push([u, kernel(table, part, unitOptions(o, lo, slots, prepared[p]))]);
  }
  return out;
}

/**
 * A unit's kernel options, always built by this one literal: an object spread (`{...o, …}`) gives
 * objects of changing hidden classes over the first calls, and each change sends the optimised kernel
 * back to the interpreter (measured: 3–5 deoptimisations, and as many recompilations of 40–100 ms, per
 * kernel copy).
 */
function unitOptions(
  o: PolicyRunOptions,
  lo: number,
  slots: { slot: Int32Array; count: number },
  prepared: PreparedPolicy,
): PolicyRunOptions {
  return {
    spec: o.spec,
    params: o.params,
    rounds: o.rounds,
    seed: o.seed,
    firstInstance: o.firstInstance + lo,
    rng: o.rng,
    recordSelections: o.recordSelections === true,
    curveSlot: slots.slot,
    curveSlots: slots.count,
    prepared,
  };
}

/**
 * The curve slots of instances lo..hi−1, renumbered from 0: slots rise with the instance index, so a
 * chunk's curves are one contiguous block of the whole store and merging concatenates them.
 */
function chunkSlots(
  slot: Int32Array | undefined,
  lo: number,
  hi: number,
): { slot: Int32Array; count: number } {
  const out = new Int32Array(hi - lo).fill(-1);
  let count = 0;
  if (slot) for (let i = lo; i < hi; i++) if (slot[i]! >= 0) out[i - lo] = count++;
  return { slot: out, count };
}
