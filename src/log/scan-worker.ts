/**
 * Worker thread of `scanResults`: reads, parses and checks one file per
 * message and answers with its digest.
 */
import { isMainThread, parentPort } from "node:worker_threads";
import { eventOf, load, type WalkItem } from "./read.ts";
import type { ScanEvent } from "./scan.ts";
import { summaryRow } from "./summary.ts";

/** The digest of one walked file (also used on the calling thread when threads = 0). */
export async function scanOne(item: WalkItem): Promise<ScanEvent> {
  const ev = await eventOf(await load(item));
  if (ev.kind === "skipped" || ev.kind === "problem") return ev;
  return { kind: "run", file: ev.file, row: summaryRow(ev), warnings: ev.warnings };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", async (job: { id: number; file: string; error?: string }) => {
    const item: WalkItem =
      job.error === undefined ? { file: job.file } : { file: job.file, error: job.error };
    let event: ScanEvent;
    try {
      event = await scanOne(item);
    } catch (err) {
      event = {
        kind: "problem",
        file: job.file,
        problems: [{ file: job.file, path: "", message: `internal error: ${String(err)}` }],
      };
    }
    port.postMessage({ id: job.id, event });
  });
}
