/**
 * `evoalloc run grid --config FILE --queue redis://…`: enqueue every run of
 * the grid that has no result file (one job per run, its id derived from the
 * run's identity), then follow the workers until every run is done or failed
 * (`--no-wait`: return at once). Parse → check the queue → enqueue → follow → print;
 * the grid's plan and summary are the core's (src/run/grid/enqueue.ts).
 */
import type { ModelSpec } from "../../log/models.ts";
import {
  enqueueRuns,
  type QueuedGrid,
  queuedGrid,
  queueGridSummary,
  type RetryRule,
  resultExists,
} from "../../run/grid/enqueue.ts";
import type { GridConfig } from "../../run/grid/grid-config.ts";
import { type EnqueueCounts, type GridQueue, queueError } from "../../run/grid/queue.ts";
import { type FollowResult, followGrid } from "../../run/grid/queue-status.ts";
import type { QueueAddress } from "../../run/grid/queue-url.ts";
import type { Task } from "../../run/ports.ts";
import { Failure, UsageError } from "../errors.ts";
import { ensureOutputDir, printJson } from "../options.ts";
import { openQueue, queueAddress } from "../queue.ts";
import { followLine, formatQueueSummary, progressPrinter } from "./grid-print.ts";
import { interruptOnSignal } from "./interrupt.ts";

export interface EnqueueGridOptions {
  queue: string;
  cfg: GridConfig;
  file: string;
  root: string;
  models: Record<string, ModelSpec>;
  tasks: Map<string, Task>;
  force?: boolean | undefined;
  json?: boolean | undefined;
  wait?: boolean | undefined;
  runRetries?: number | undefined;
  retryDelayMs?: number | undefined;
}

export async function enqueueGridCommand(o: EnqueueGridOptions): Promise<void> {
  if (o.force) throw new UsageError("--force cannot be used with --queue (remove the results to redo them)");
  const addr = queueAddress(o.queue);
  await ensureOutputDir("--output", o.root);
  const q = await openQueue(addr);
  const now = (): number => performance.now() / 1000;
  const t0 = now();
  try {
    const g = queuedGrid(o.cfg, { ...o, updated: new Date().toISOString() });
    const retry: RetryRule = { attempts: 1 + (o.runRetries ?? 2), backoffMs: o.retryDelayMs ?? 5000 };
    let counts: EnqueueCounts;
    try {
      counts = await enqueueRuns(q, g, g.todo, retry);
    } catch (err) {
      throw queueError(err, addr, "cannot enqueue the grid");
    }
    const { runs, todo, gid, root } = g;
    process.stderr.write(
      `grid ${gid} (${root}) on ${addr.display}: ${runs.length} runs, ${runs.length - todo.length} done;` +
        ` ${counts.added} jobs added, ${counts.present} already queued, ${counts.retried} failed ones retried\n`,
    );
    if (o.wait === false) {
      if (o.json)
        printJson({
          queue: addr.display,
          grid: gid,
          root,
          runs: runs.length,
          done: runs.length - todo.length,
          ...counts,
        });
      return;
    }
    const followed = await follow(q, g, addr, retry, now);
    const summary = await queueGridSummary(g, { queue: addr.display, counts, followed, t0, now });
    if (o.json) printJson(summary);
    else process.stdout.write(formatQueueSummary(summary));
    if (summary.interrupted) {
      process.stderr.write(
        `evoalloc: follow the grid again with: evoalloc grid status --queue ${addr.display}, or the same run grid command\n`,
      );
      process.exitCode = 130;
      return;
    }
    if (summary.failures.length > 0)
      throw new Failure(
        `${summary.failures.length} run(s) failed after ${retry.attempts} tries; rerun the same command to retry them`,
      );
  } finally {
    await q.close();
  }
}

/** Follows the workers with a progress line until every run is done or failed; Ctrl-C stops following only. */
async function follow(
  q: GridQueue,
  g: QueuedGrid,
  addr: QueueAddress,
  retry: RetryRule,
  now: () => number,
): Promise<FollowResult> {
  const stop = interruptOnSignal("stopped following; the workers go on", () => undefined);
  stop.listen();
  const show = progressPrinter(followLine, (p) => p.runsDone + p.runsFailed === p.runsTotal);
  try {
    return await followGrid(q, g.gid, {
      runs: g.todo,
      resultExists: (path) => resultExists(g.root, path),
      requeue: async (lost) => void (await enqueueRuns(q, g, lost, retry)),
      onProgress: show.update,
      now,
      signal: stop.signal,
    });
  } catch (err) {
    throw queueError(err, addr, "lost the queue");
  } finally {
    show.stop();
    stop.dispose();
  }
}
