/**
 * Scanning a results tree in parallel: the same per-file kernel as
 * `readResults` (read → parse → classify → schema → checks), run on worker
 * threads, each file answered with a small digest (its summary row, or its
 * problems) instead of the whole run. `validate` and `summarize` need no
 * more, so they use every core while memory stays flat.
 *
 *   walk ─> dispatch (bounded window) ─> worker: load + eventOf + digest ─> in-order yield
 */
import { availableParallelism } from "node:os";
import { siblingUrl, startWorker } from "../util/worker.ts";
import { type Problem, walk } from "./read.ts";
import type { SummaryRow } from "./summary.ts";

export type ScanEvent =
  | { kind: "run"; file: string; row: SummaryRow; warnings: Problem[] }
  | { kind: "skipped"; file: string }
  | { kind: "problem"; file: string; problems: Problem[] };

export interface ScanOptions {
  /** Worker threads (default: available cores, at most 4). 0 scans on the calling thread. */
  threads?: number;
}

interface Job {
  id: number;
  file: string;
  error?: string;
}

const workerUrl = siblingUrl("scan-worker", import.meta.url);

/** Streams one digest per result file under `paths`, in the walk's sorted order. */
export async function* scanResults(
  paths: readonly string[],
  opts: ScanOptions = {},
): AsyncGenerator<ScanEvent> {
  const threads = opts.threads ?? Math.min(4, availableParallelism());
  if (threads <= 0) {
    const { scanOne } = await import("./scan-worker.ts");
    for await (const item of walk(paths)) yield await scanOne(item);
    return;
  }
  const workers = Array.from({ length: threads }, () => startWorker(workerUrl));
  const pending = new Map<number, { resolve: (ev: ScanEvent) => void; reject: (err: Error) => void }>();
  for (const w of workers) {
    w.on("message", (msg: { id: number; event: ScanEvent }) => {
      pending.get(msg.id)?.resolve(msg.event);
      pending.delete(msg.id);
    });
    // a worker that fails fails the scan (its jobs would never be answered)
    w.on("error", (err) => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    });
  }
  const window: Promise<ScanEvent>[] = [];
  const depth = threads * 3;
  let next = 0;
  const files = walk(paths);
  let done = false;
  const dispatch = async () => {
    while (!done && window.length < depth) {
      const it = await files.next();
      if (it.done) {
        done = true;
        break;
      }
      const id = next++;
      const job: Job = { id, file: it.value.file, ...("error" in it.value ? { error: it.value.error } : {}) };
      window.push(
        new Promise<ScanEvent>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          workers[id % threads]!.postMessage(job);
        }),
      );
    }
  };
  try {
    await dispatch();
    while (window.length > 0) {
      const ev = await window.shift()!;
      await dispatch();
      yield ev;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
