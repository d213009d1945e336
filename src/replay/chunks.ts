/**
 * Chunks of a threaded replay's instances, claimed one after the other from
 * a counter shared by every thread (`Atomics.add`), so that a thread that
 * starts late or runs on a busy core simply takes fewer of them.
 */
import {
  type CurveTable,
  type PolicyRun,
  type PolicyRunOptions,
  preparePolicy,
  runPolicy,
} from "./engine.ts";
import type { Instances } from "./instances.ts";

/**
 * Runs (policy, chunk) units claimed one by one from `next` (shared between threads) until none is
 * left; unit u is policy ⌊u / chunks⌋ on chunk u mod chunks, so a thread runs one policy on many
 * chunks in a row (its calls stay monomorphic for the JIT). Used by this thread and by the workers
 * (kernel-worker.ts). Returns [unit, run] pairs.
 */
export function claimChunks(
  table: CurveTable,
  inst: Instances,
  bounds: Int32Array,
  next: Int32Array,
  kopts: PolicyRunOptions[],
): [number, PolicyRun][] {
  const k = inst.k;
  const chunks = bounds.length - 1;
  const out: [number, PolicyRun][] = [];
  // one policy object per policy in this thread, reset per instance
  const prepared = kopts.map((o) => preparePolicy(o.spec, o.params, k, o.rounds, o.rng));
  for (let u = Atomics.add(next, 0, 1); u < chunks * kopts.length; u = Atomics.add(next, 0, 1)) {
    const p = Math.floor(u / chunks);
    const o = kopts[p]!;
    const c = u % chunks;
    const lo = bounds[c]!;
    const hi = bounds[c + 1]!;
    const part = { k, count: hi - lo, arms: inst.arms.subarray(lo * k, hi * k), enumerated: false };
    const slots = chunkSlots(o.curveSlot, lo, hi);
    out.push([
      u,
      runPolicy(table, part, {
        ...o,
        firstInstance: o.firstInstance + lo,
        curveSlot: slots.slot,
        curveSlots: slots.count,
        prepared: prepared[p],
      }),
    ]);
  }
  return out;
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
