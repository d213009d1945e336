/**
 * `replay` with the policies' kernels spread over worker threads.
 *
 *   planReplay ─> instances cut into T contiguous chunks ─┬─> chunk 0 on this thread ─┐
 *                                                         └─> chunks 1..T−1 on workers ┴─> merge ─> summarise
 *
 * Each instance keeps its own policy stream (by its index), so the result
 * is the same whatever the number of threads: bit for bit, but for the
 * per-round curve means, whose chunk sums are added in another order. Worth it only
 * when there is enough work: below `THREADED_MIN_WORK` policy-rounds, or for
 * one instance, everything runs on this thread.
 */
import { availableParallelism } from "node:os";
import { siblingUrl, startWorker } from "../util/worker.ts";
import { type PolicyRun, runPolicy } from "./engine.ts";
import type { KernelJob, KernelReply } from "./kernel-worker.ts";
import type { ReplayOptions } from "./options.ts";
import { kernelOptions, planReplay } from "./plan.ts";
import { type ReplayResult, summarise } from "./replay.ts";

/** Policy-rounds (instances × G × policies) below which threads do not pay for their start-up. */
export const THREADED_MIN_WORK = 4_000_000;

/** The default thread count: the cores, up to 4. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

const workerUrl = siblingUrl("kernel-worker", import.meta.url);

/**
 * Replays as `replay` does, on up to `threads` threads (this one included;
 * 0 or 1: this thread only), one more thread per `minWork`/2
 * policy-rounds. Resolves to the same result as `replay`.
 * @throws (rejects) as `replay`; a worker's failure rejects with its message.
 */
export async function replayThreaded(
  pool: Parameters<typeof planReplay>[0],
  opts: ReplayOptions,
  threads = defaultThreads(),
  minWork = THREADED_MIN_WORK,
): Promise<ReplayResult> {
  const plan = planReplay(pool, opts);
  const kopts = kernelOptions(plan);
  const n = plan.inst.count;
  const work = n * plan.g * kopts.length;
  const t = plan.single ? 1 : Math.max(1, Math.min(threads, Math.floor(work / Math.max(1, minWork / 2)), n));
  if (t <= 1)
    return summarise(
      plan,
      kopts.map((o) => runPolicy(plan.table, plan.inst, o)),
    );
  const k = plan.k;
  const bounds = Array.from({ length: t + 1 }, (_, c) => Math.round((c * n) / t));
  const workers = bounds.slice(1, t).map(() => startWorker(workerUrl));
  const replies = workers.map(
    (w, c) =>
      new Promise<PolicyRun[]>((resolve, reject) => {
        const lo = bounds[c + 1]!;
        const hi = bounds[c + 2]!;
        w.once("message", (m: KernelReply) =>
          "error" in m ? reject(new Error(`replay worker: ${m.error}`)) : resolve(m.runs),
        );
        w.once("error", reject);
        const job: KernelJob = {
          table: plan.table,
          k,
          count: hi - lo,
          arms: plan.inst.arms.slice(lo * k, hi * k),
          policies: plan.names.map((name, p) => ({ name, params: plan.params[p]! })),
          rounds: plan.g,
          seed: plan.seed,
          firstInstance: lo,
          rng: plan.opts.rng,
          curveSlot: plan.curves.slot.slice(lo, hi),
          curveSlots: plan.curves.index.length,
        };
        w.postMessage(job, [job.arms.buffer as ArrayBuffer, job.curveSlot.buffer as ArrayBuffer]);
      }),
  );
  try {
    // chunk 0 here while the workers run the others
    const hi0 = bounds[1]!;
    const first = { k, count: hi0, arms: plan.inst.arms.subarray(0, hi0 * k), enumerated: false };
    const mine = kopts.map((o) =>
      runPolicy(plan.table, first, { ...o, curveSlot: plan.curves.slot.subarray(0, hi0) }),
    );
    const chunks = [mine, ...(await Promise.all(replies))];
    return summarise(
      plan,
      kopts.map((_, p) => mergeRuns(chunks.map((c) => c[p]!))),
    );
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/** One policy's runs over consecutive chunks as one run over all their instances. */
function mergeRuns(parts: PolicyRun[]): PolicyRun {
  const first = parts[0]!;
  const outcomes = new Float64Array(parts.reduce((a, r) => a + r.outcomes.length, 0));
  const curveSum = new Float64Array(first.curveSum.length);
  const curveStore = new Float32Array(first.curveStore.length);
  const sortedPullSum = new Float64Array(first.sortedPullSum.length);
  const pullSum = new Float64Array(first.pullSum.length);
  let at = 0;
  let exhaustedPicks = 0;
  let stopped = 0;
  for (const r of parts) {
    outcomes.set(r.outcomes, at);
    at += r.outcomes.length;
    // each curve slot belongs to one chunk and is 0 in the others, so the sum is exact
    for (let i = 0; i < curveStore.length; i++) curveStore[i]! += r.curveStore[i]!;
    for (let i = 0; i < curveSum.length; i++) curveSum[i]! += r.curveSum[i]!;
    for (let i = 0; i < pullSum.length; i++) {
      pullSum[i]! += r.pullSum[i]!;
      sortedPullSum[i]! += r.sortedPullSum[i]!;
    }
    exhaustedPicks += r.exhaustedPicks;
    stopped += r.stopped;
  }
  return { outcomes, curveSum, curveStore, sortedPullSum, pullSum, exhaustedPicks, stopped, selections: [] };
}
