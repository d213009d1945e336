/** Worker thread of `replayPoolsOnWorker`: run records in, pool replays out. */
import { parentPort } from "node:worker_threads";
import type { RunRecord } from "../log/read.ts";
import { type ReplayStageOptions, replayPools } from "./replays.ts";

parentPort!.on(
  "message",
  ({ runs, opts }: { runs: RunRecord[]; opts: Omit<ReplayStageOptions, "onPool"> }) => {
    try {
      const result = replayPools(runs, {
        ...opts,
        onPool: (label, index, total) => parentPort!.postMessage({ kind: "pool", label, index, total }),
      });
      parentPort!.postMessage({ kind: "done", result });
    } catch (err) {
      parentPort!.postMessage({
        kind: "error",
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
  },
);
