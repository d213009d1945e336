/**
 * A grid put on the queue (`run grid --queue`): the runs to enqueue with
 * what the workers need to know, and the summary once they are done.
 *
 *   config ─expand─> runs ─ no result file ─> todo (+ each one's identity sha) ─┐
 *                        grid meta (config with absolute paths, label, counts) ─┴─> enqueueRuns ─> (follow) ─> queueGridSummary
 *
 * Following the grid is queue-status.ts's `followGrid`; the command adds
 * the progress line and Ctrl-C.
 */
import { relative, resolve } from "node:path";
import type { ModelSpec } from "../../log/models.ts";
import type { Task } from "../ports.ts";
import { expandGrid, type GridConfig, type GridRun } from "./grid-config.ts";
import { existingResult } from "./plan.ts";
import { type EnqueueCounts, type GridMeta, type GridQueue, gridId, identitySha } from "./queue.ts";
import type { FollowResult } from "./queue-status.ts";
import { gridRunIdentity } from "./runner.ts";
import { type BanditRow, type GreedyRow, readFinals, summaryRows } from "./summary.ts";

/** A grid ready to go on the queue. */
export interface QueuedGrid {
  /** The grid's id on the queue (a hash of its result tree's path). */
  gid: string;
  /** Absolute root of the result tree. */
  root: string;
  runs: GridRun[];
  /** The runs without a result file when it was planned: the ones to enqueue. */
  todo: GridRun[];
  /** sha256 of each run's identity in `todo`, by result path (a worker refuses a run whose identity differs). */
  identities: Map<string, string>;
  meta: GridMeta;
}

/** How often a run is tried, and the delay before its first retry (doubled at each). */
export interface RetryRule {
  attempts: number;
  backoffMs: number;
}

/** Whether the run whose result path is `path` has a result file under `root`. */
export const resultExists = (root: string, path: string): boolean => existingResult(root, path) !== null;

/**
 * The grid of `cfg` (read from `file`) with its result tree at `root`, as it goes on the queue.
 * `updated` is the meta's time stamp (a worker makes a new runner when it changes).
 */
export function queuedGrid(
  cfg: GridConfig,
  o: {
    file: string;
    root: string;
    models: Record<string, ModelSpec>;
    tasks: Map<string, Task>;
    updated: string;
  },
): QueuedGrid {
  const runs = expandGrid(cfg, cfg.gzip ? ".json.gz" : ".json");
  const todo = runs.filter((r) => !resultExists(o.root, r.path));
  const identities = new Map(
    todo.map((r) => [r.path, identitySha(gridRunIdentity(cfg, r, o.models[r.model]!, o.tasks.get(r.task)!))]),
  );
  return {
    gid: gridId(o.root),
    root: o.root,
    runs,
    todo,
    identities,
    meta: gridMeta(cfg, o.file, o.root, runs, o.updated),
  };
}

/**
 * What workers read about a grid: its root, its label (the config file's path relative to the root),
 * the config with `models_file` and `tasks_dir` made absolute (relative to the config file), and its size.
 */
export function gridMeta(
  cfg: GridConfig,
  file: string,
  root: string,
  runs: readonly GridRun[],
  updated: string,
): GridMeta {
  const base = resolve(file, "..");
  return {
    root,
    label: relative(root, resolve(file)) || file,
    config: {
      ...cfg,
      ...(cfg.models_file !== undefined ? { models_file: resolve(base, cfg.models_file) } : {}),
      ...(cfg.tasks_dir !== undefined ? { tasks_dir: resolve(base, cfg.tasks_dir) } : {}),
    },
    runs: runs.length,
    calls: runs.reduce((s, r) => s + r.calls, 0),
    updated,
  };
}

/** Records the grid on the queue and adds a job for each run of `list` (the grid's todo, or runs whose job was lost). */
export function enqueueRuns(
  q: GridQueue,
  g: QueuedGrid,
  list: readonly GridRun[],
  retry: RetryRule,
): Promise<EnqueueCounts> {
  return q.enqueue({
    gid: g.gid,
    meta: g.meta,
    todo: list.map((run) => ({ run, identitySha256: g.identities.get(run.path)! })),
    attempts: retry.attempts,
    backoffMs: retry.backoffMs,
  });
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

/**
 * The summary once the grid was followed: runs done (a result file now) and failed, jobs, calls, and the
 * rows over every result file of the grid (runs done before included). `queue` is the queue's display URL.
 */
export async function queueGridSummary(
  g: QueuedGrid,
  o: { queue: string; counts: EnqueueCounts; followed: FollowResult; t0: number; now(): number },
): Promise<QueueGridSummary> {
  const { runs, todo, root } = g;
  const finals = new Map<string, number>();
  await readFinals(runs, root, finals);
  return {
    queue: o.queue,
    grid: g.gid,
    root,
    runs: {
      total: runs.length,
      skipped: runs.length - todo.length,
      enqueued: todo.length,
      done: todo.filter((r) => resultExists(root, r.path)).length,
      failed: o.followed.failures.length,
    },
    jobs: { ...o.counts, requeued: o.followed.requeued },
    calls: { total: todo.reduce((s, r) => s + r.calls, 0), asked: o.followed.callsFresh },
    wall_time_s: Math.round((o.now() - o.t0) * 10) / 10,
    interrupted: o.followed.interrupted,
    failures: o.followed.failures,
    ...summaryRows(runs, finals),
  };
}
