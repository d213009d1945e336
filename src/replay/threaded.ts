/**
 * `replay` with the policies' kernels spread over worker threads.
 *
 *   planReplay ─> instances cut into C contiguous chunks ─┬─> this thread ─┐ each claims (policy, chunk) units
 *                                                         └─> workers ─────┴─> merge in chunk order ─> summarise
 *
 * Every thread, this one included, claims unclaimed (policy, chunk) units
 * from shared flags until none is left (chunks.ts), so a worker that starts
 * late (a worker boots in tens of milliseconds) or a core that is busy with
 * something else simply runs fewer of them. Each policy runs on its own copy
 * of the kernel (kernels.ts). Each instance keeps its own policy stream (by
 * its index) and the chunks are merged in order, so the result does not
 * depend on which thread ran what nor on the number of threads: bit for bit
 * the result of `replay`, but for the per-round curve means, whose chunk sums
 * are added in another order. Worth it only when there is enough work:
 * below `THREADED_MIN_WORK` policy-rounds, or for one instance, everything
 * runs on this thread as `replay` does; above it the chunks are used even on
 * one thread (`--threads 1`, a one-core machine), so the file is the same.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { siblingUrl, startWorker } from "../util/worker.ts";
import { claimChunks } from "./chunks.ts";
import type { PolicyRun } from "./engine.ts";
import type { KernelJob, KernelReply, KernelWorkerData } from "./kernel-worker.ts";
import { policyKernels } from "./kernels.ts";
import type { ReplayOptions } from "./options.ts";
import { kernelOptions, planReplay, type ReplayPlan } from "./plan.ts";
import type { Pool } from "./pool.ts";
import { type ReplayResult, summarise } from "./replay.ts";

/** Policy-rounds (instances × G × policies) below which threads do not pay for their start-up. */
export const THREADED_MIN_WORK = 4_000_000;

/** Chunks of a threaded replay: enough to balance uneven threads, few enough to cost nothing. */
const CHUNKS = 32;

/** The default thread count: the cores, up to 4. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

const workerUrl = siblingUrl("kernel-worker", import.meta.url);

/**
 * How many threads replay `instances` instances of `work` policy-rounds in all (instances × G ×
 * policies) on at most `threads`: one per `minWork`/2 policy-rounds, at most one per instance; 1 means
 * unchunked, on this thread. Chunked or not is decided by the work alone, never by the cores or
 * --threads: the chunked sum of the curve means differs from the plain one in the last bits, and the
 * same command must give the same file (`chunked`).
 * @example replayThreads(5_120_000, 20_000, 4) // => { chunked: true, threads: 2 }
 */
export function replayThreads(
  work: number,
  instances: number,
  threads: number,
  minWork = THREADED_MIN_WORK,
): { chunked: boolean; threads: number } {
  const byWork = Math.min(Math.floor(work / Math.max(1, minWork / 2)), instances);
  return { chunked: byWork > 1, threads: byWork > 1 ? Math.max(1, Math.min(threads, byWork)) : 1 };
}

/**
 * Starts `count` kernel workers now, ahead of a `replayThreaded` that may use them (pass them as its
 * `early`), so that their start-up (tens of milliseconds, longer on a busy machine) overlaps reading the
 * run files; each loads the kernels of `policies` meanwhile. They do not keep the process alive until a
 * replay uses them; `replayThreaded` terminates them all, used or not.
 */
export function startKernelWorkers(count: number, policies: readonly string[]): Worker[] {
  return Array.from({ length: Math.max(0, count) }, () => {
    const w = startWorker(workerUrl, { policies: [...policies] } satisfies KernelWorkerData);
    w.unref();
    w.on("error", () => undefined); // one that fails before it is used is replaced (replayOn)
    return w;
  });
}

/**
 * Replays as `replay` does, on up to `threads` threads (this one included;
 * 0 or 1: this thread only), one more thread per `minWork`/2
 * policy-rounds (`replayThreads`), using the `early` workers
 * (`startKernelWorkers`) before starting new ones. Resolves to the same
 * result as `replay`, whoever ran what.
 * @throws (rejects) as `replay`; a worker's failure rejects with its message.
 */
export async function replayThreaded(
  pool: Pool,
  opts: ReplayOptions,
  threads = defaultThreads(),
  minWork = THREADED_MIN_WORK,
  early: readonly Worker[] = [],
): Promise<ReplayResult> {
  try {
    return await replayOn(pool, opts, threads, minWork, early);
  } finally {
    for (const w of early) void w.terminate();
  }
}

async function replayOn(
  pool: Pool,
  opts: ReplayOptions,
  threads: number,
  minWork: number,
  early: readonly Worker[],
): Promise<ReplayResult> {
  const plan = planReplay(pool, opts);
  const kopts = kernelOptions(plan);
  const n = plan.inst.count;
  const { chunked, threads: t } = plan.single
    ? { chunked: false, threads: 1 }
    : replayThreads(n * plan.g * kopts.length, n, threads, minWork);
  if (!chunked) {
    const kernels = await policyKernels(plan.names);
    return summarise(
      plan,
      kopts.map((o, p) => kernels[p]!(plan.table, plan.inst, o)),
    );
  }
  const chunks = Math.min(n, CHUNKS);
  const bounds = Int32Array.from({ length: chunks + 1 }, (_, c) => Math.round((c * n) / chunks));
  const units = chunks * kopts.length;
  const claimed = new Int32Array(new SharedArrayBuffer(4 * units));
  // an early worker that has exited already (threadId −1) is replaced
  const workers = Array.from({ length: t - 1 }, (_, i) =>
    early[i] && early[i].threadId >= 0 ? early[i] : startWorker(workerUrl),
  );
  // thread i (this one is 0) starts at unit ⌊i·units/t⌋: each thread on its own policies first
  const replies = workers.map((w, i) =>
    workerChunks(w, kernelJob(plan, bounds, claimed, Math.floor(((i + 1) * units) / t))),
  );
  try {
    // this thread claims chunks too while the workers start and run
    const kernels = await policyKernels(plan.names);
    const done = new Map(claimChunks(plan.table, plan.inst, bounds, claimed, 0, kopts, kernels));
    for (const reply of await Promise.all(replies)) for (const [u, run] of reply) done.set(u, run);
    return summarise(
      plan,
      kopts.map((_, p) => mergeRuns(Array.from({ length: chunks }, (_, c) => done.get(p * chunks + c)!))),
    );
  } finally {
    for (const w of workers) void w.terminate();
  }
}

function kernelJob(plan: ReplayPlan, bounds: Int32Array, claimed: Int32Array, start: number): KernelJob {
  return {
    table: plan.table,
    k: plan.k,
    arms: plan.inst.arms,
    bounds,
    claimed,
    start,
    policies: plan.names.map((name, p) => ({ name, params: plan.params[p]! })),
    rounds: plan.g,
    seed: plan.seed,
    rng: plan.opts.rng,
    curveSlot: plan.curves.slot,
    curveSlots: plan.curves.index.length,
  };
}

function workerChunks(w: ReturnType<typeof startWorker>, job: KernelJob): Promise<[number, PolicyRun][]> {
  return new Promise((resolve, reject) => {
    w.once("message", (m: KernelReply) =>
      "error" in m ? reject(new Error(`replay worker: ${m.error}`)) : resolve(m.units),
    );
    w.once("error", reject);
    w.once("exit", (code) => reject(new Error(`replay worker: exited (code ${code}) before it replied`)));
    w.ref();
    w.postMessage(job);
  });
}

/** One policy's runs over consecutive chunks as one run over all their instances. */
function mergeRuns(parts: PolicyRun[]): PolicyRun {
  const first = parts[0]!;
  const outcomes = new Float64Array(parts.reduce((a, r) => a + r.outcomes.length, 0));
  const curveSum = new Float64Array(first.curveSum.length);
  const curveStore = new Float32Array(parts.reduce((a, r) => a + r.curveStore.length, 0));
  const sortedPullSum = new Float64Array(first.sortedPullSum.length);
  const pullSum = new Float64Array(first.pullSum.length);
  let at = 0;
  let storeAt = 0;
  let exhaustedPicks = 0;
  let stopped = 0;
  for (const r of parts) {
    outcomes.set(r.outcomes, at);
    at += r.outcomes.length;
    curveStore.set(r.curveStore, storeAt);
    storeAt += r.curveStore.length;
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
