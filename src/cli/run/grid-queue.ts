/**
 * `evoalloc run grid --config FILE --queue redis://…`: enqueue every run of
 * the grid that has no result file (one job per run, its id derived from the
 * run's identity), then follow the workers until every run is done or failed
 * (`--no-wait`: return at once). Parse → check the queue → enqueue → follow → print.
 */
import { relative, resolve } from "node:path";
import type { ModelSpec } from "../../log/models.ts";
import {
  type BanditGridRun,
  expandGrid,
  type GreedyGridRun,
  type GridConfig,
  type GridRun,
} from "../../run/grid/grid-config.ts";
import { existingResult } from "../../run/grid/plan.ts";
import {
  checkQueue,
  type EnqueueCounts,
  GridQueue,
  gridId,
  identitySha,
  QueueError,
  queueError,
} from "../../run/grid/queue.ts";
import { type FollowProgress, followGrid } from "../../run/grid/queue-status.ts";
import { parseQueueUrl, type QueueAddress, QueueUrlError } from "../../run/grid/queue-url.ts";
import { gridRunIdentity } from "../../run/grid/runner.ts";
import {
  type BanditRow,
  banditRows,
  type GreedyRow,
  greedyRows,
  readFinals,
} from "../../run/grid/summary.ts";
import type { Task } from "../../run/ports.ts";
import { Failure, UsageError } from "../errors.ts";
import { ensureOutputDir, printJson } from "../options.ts";
import { fmtDuration, formatRows, progressPrinter } from "./grid.ts";

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

/** The summary of a grid run by workers. */
export interface QueueGridSummary {
  queue: string;
  grid: string;
  root: string;
  runs: { total: number; skipped: number; enqueued: number; done: number; failed: number };
  jobs: EnqueueCounts & { requeued: number };
  /** Calls workers asked of the endpoint while the grid was followed. */
  calls: { total: number; asked: number };
  wall_time_s: number;
  /** Stopped following before the grid ended (the workers go on). */
  interrupted: boolean;
  failures: { path: string; error: string; attempts: number }[];
  greedy: GreedyRow[];
  bandit: BanditRow[];
}

/** Parses `--queue` (or $EVOALLOC_QUEUE). @throws UsageError without the password. */
export function queueAddress(text: string, flag = "--queue"): QueueAddress {
  try {
    return parseQueueUrl(text);
  } catch (err) {
    if (err instanceof QueueUrlError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** Connects (fails in seconds with one line when Redis cannot be reached). */
export async function openQueue(addr: QueueAddress): Promise<GridQueue> {
  try {
    await checkQueue(addr);
  } catch (err) {
    if (err instanceof QueueError) throw new Failure(err.message);
    throw err;
  }
  return new GridQueue(addr);
}

export async function enqueueGridCommand(o: EnqueueGridOptions): Promise<void> {
  if (o.force) throw new UsageError("--force cannot be used with --queue (remove the results to redo them)");
  const addr = queueAddress(o.queue);
  await ensureOutputDir("--output", o.root);
  const q = await openQueue(addr);
  const t0 = performance.now() / 1000;
  try {
    const { cfg, file, root } = o;
    const base = resolve(file, "..");
    const runs = expandGrid(cfg, cfg.gzip ? ".json.gz" : ".json");
    const exists = (path: string): boolean => existingResult(root, path) !== null;
    const todo = runs.filter((r) => !exists(r.path));
    const sha = new Map(
      todo.map((r) => [
        r.path,
        identitySha(gridRunIdentity(cfg, r, o.models[r.model]!, o.tasks.get(r.task)!)),
      ]),
    );
    const gid = gridId(root);
    const meta = {
      root,
      label: relative(root, resolve(file)) || file,
      config: {
        ...cfg,
        ...(cfg.models_file !== undefined ? { models_file: resolve(base, cfg.models_file) } : {}),
        ...(cfg.tasks_dir !== undefined ? { tasks_dir: resolve(base, cfg.tasks_dir) } : {}),
      },
      runs: runs.length,
      calls: runs.reduce((s, r) => s + r.calls, 0),
      updated: new Date().toISOString(),
    };
    const attempts = 1 + (o.runRetries ?? 2);
    const backoffMs = o.retryDelayMs ?? 5000;
    const enqueue = (list: GridRun[]): Promise<EnqueueCounts> =>
      q.enqueue({
        gid,
        meta,
        todo: list.map((run) => ({ run, identitySha256: sha.get(run.path)! })),
        attempts,
        backoffMs,
      });
    let counts: EnqueueCounts;
    try {
      counts = await enqueue(todo);
    } catch (err) {
      throw queueError(err, addr, "cannot enqueue the grid");
    }
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

    const ctl = new AbortController();
    const onSignal = (sig: NodeJS.Signals): void => {
      process.stderr.write(`\nevoalloc: ${sig}: stopped following; the workers go on\n`);
      ctl.abort();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const show = progressPrinter(followLine, (p) => p.runsDone + p.runsFailed === p.runsTotal);
    let followed: Awaited<ReturnType<typeof followGrid>>;
    try {
      followed = await followGrid(q, gid, {
        runs: todo,
        resultExists: exists,
        requeue: async (lost) => void (await enqueue(lost)),
        onProgress: show.update,
        now: () => performance.now() / 1000,
        signal: ctl.signal,
      });
    } catch (err) {
      throw queueError(err, addr, "lost the queue");
    } finally {
      show.stop();
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    }
    const finals = new Map<string, number>();
    await readFinals(runs, root, finals);
    const summary: QueueGridSummary = {
      queue: addr.display,
      grid: gid,
      root,
      runs: {
        total: runs.length,
        skipped: runs.length - todo.length,
        enqueued: todo.length,
        done: todo.filter((r) => exists(r.path)).length,
        failed: followed.failures.length,
      },
      jobs: { ...counts, requeued: followed.requeued },
      calls: { total: todo.reduce((s, r) => s + r.calls, 0), asked: followed.callsFresh },
      wall_time_s: Math.round((performance.now() / 1000 - t0) * 10) / 10,
      interrupted: followed.interrupted,
      failures: followed.failures,
      greedy: greedyRows(
        runs.filter((r): r is GreedyGridRun => r.kind === "greedy"),
        finals,
      ),
      bandit: banditRows(
        runs.filter((r): r is BanditGridRun => r.kind === "bandit"),
        finals,
      ),
    };
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
        `${summary.failures.length} run(s) failed after ${attempts} tries; rerun the same command to retry them`,
      );
  } finally {
    await q.close();
  }
}

const followLine = (p: FollowProgress): string =>
  `grid: runs ${p.runsDone}/${p.runsTotal} done (${p.runsRunning} running, ${p.runsWaiting} waiting, ${p.runsFailed} failed)` +
  ` | calls ${p.callsDone}/${p.callsTotal} (${p.callsPerS.toFixed(1)}/s) | ETA ${p.etaS === null ? "?" : fmtDuration(p.etaS)}`;

/** The summary as text: totals, failures, then mean final fitness per split and per bandit policy. */
export function formatQueueSummary(s: QueueGridSummary): string {
  const out = [
    `grid ${s.grid} (${s.root}) on ${s.queue}: ${s.runs.total} runs (${s.runs.skipped} done before, ${s.runs.done} done by workers,` +
      ` ${s.runs.failed} failed) in ${fmtDuration(s.wall_time_s)}; ${s.calls.asked} calls asked by workers` +
      `; jobs: ${s.jobs.added} added, ${s.jobs.present} already queued, ${s.jobs.retried} retried, ${s.jobs.requeued} re-added`,
  ];
  out.push(...formatRows(s));
  for (const f of s.failures) out.push(`FAILED ${f.path} (${f.attempts} tries): ${f.error}`);
  return `${out.join("\n")}\n`;
}
