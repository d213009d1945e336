/**
 * Worker thread of `replayThreaded`: claims chunks of instances from the
 * shared counter and runs every policy on each, with the same kernel as the
 * main thread (`runPolicy` through `claimChunks`). The result's typed arrays
 * are transferred, not copied.
 */
import { parentPort, workerData } from "node:worker_threads";
import { getPolicy } from "../policies/index.ts";
import type { PolicyParams } from "../policies/policy.ts";
import type { RngKind } from "../policies/stream.ts";
import { claimChunks } from "./chunks.ts";
import type { CurveTable, PolicyRun } from "./engine.ts";
import { policyKernels } from "./kernels.ts";

export interface KernelJob {
  table: CurveTable;
  k: number;
  /** Every instance's arms (count × K). */
  arms: Int32Array;
  /** Chunk c is instances bounds[c] .. bounds[c + 1] − 1. */
  bounds: Int32Array;
  /** Per (policy, chunk) unit, 1 once a thread took it (shared by every thread). */
  claimed: Int32Array;
  /** The unit this worker starts from (see `claimChunks`). */
  start: number;
  policies: { name: string; params: PolicyParams }[];
  rounds: number;
  seed: number;
  rng?: RngKind;
  /** Per instance its curve slot in the whole replay, or −1. */
  curveSlot: Int32Array;
  curveSlots: number;
}

/** The (policy, chunk) units this worker ran: [unit, run] (see `claimChunks`). */
export type KernelReply = { units: [number, PolicyRun][] } | { error: string };

/** What a worker is started with (`startKernelWorkers`): the policies whose kernels it loads at once. */
export interface KernelWorkerData {
  policies: string[];
}

// a worker started early (before the run files are read) loads its kernels while it waits for the job
const early = (workerData as KernelWorkerData | undefined)?.policies;
if (early) void policyKernels(early).catch(() => undefined);

parentPort!.on("message", async (job: KernelJob) => {
  try {
    const kernels = await policyKernels(job.policies.map((p) => p.name));
    const inst = { k: job.k, count: job.arms.length / job.k, arms: job.arms, enumerated: false };
    const kopts = job.policies.map(({ name, params }) => ({
      spec: getPolicy(name),
      params,
      rounds: job.rounds,
      seed: job.seed,
      firstInstance: 0,
      rng: job.rng,
      curveSlot: job.curveSlot,
      curveSlots: job.curveSlots,
    }));
    const units = claimChunks(job.table, inst, job.bounds, job.claimed, job.start, kopts, kernels);
    const buffers = units.flatMap(([, r]) => [
      r.outcomes.buffer,
      r.curveSum.buffer,
      r.curveStore.buffer,
      r.sortedPullSum.buffer,
      r.pullSum.buffer,
    ]);
    parentPort!.postMessage({ units } satisfies KernelReply, buffers as ArrayBuffer[]);
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
