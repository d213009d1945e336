/**
 * Worker thread of `replayThreaded`: one chunk of instances, every policy,
 * the same kernel as the main thread (`runPolicy`). The result's typed
 * arrays are transferred, not copied.
 */
import { parentPort } from "node:worker_threads";
import { getPolicy } from "../policies/index.ts";
import type { PolicyParams } from "../policies/policy.ts";
import type { RngKind } from "../policies/stream.ts";
import { type CurveTable, type PolicyRun, runPolicy } from "./engine.ts";

export interface KernelJob {
  table: CurveTable;
  k: number;
  count: number;
  arms: Int32Array;
  policies: { name: string; params: PolicyParams }[];
  rounds: number;
  seed: number;
  /** Index of the chunk's first instance in the whole replay (it picks the policy streams). */
  firstInstance: number;
  rng?: RngKind;
  curveSlot: Int32Array;
  curveSlots: number;
}

export type KernelReply = { runs: PolicyRun[] } | { error: string };

parentPort!.on("message", (job: KernelJob) => {
  try {
    const inst = { k: job.k, count: job.count, arms: job.arms, enumerated: false };
    const runs = job.policies.map(({ name, params }) =>
      runPolicy(job.table, inst, {
        spec: getPolicy(name),
        params,
        rounds: job.rounds,
        seed: job.seed,
        firstInstance: job.firstInstance,
        rng: job.rng,
        curveSlot: job.curveSlot,
        curveSlots: job.curveSlots,
      }),
    );
    const buffers = runs.flatMap((r) => [
      r.outcomes.buffer,
      r.curveSum.buffer,
      r.curveStore.buffer,
      r.sortedPullSum.buffer,
      r.pullSum.buffer,
    ]);
    parentPort!.postMessage({ runs } satisfies KernelReply, buffers as ArrayBuffer[]);
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
