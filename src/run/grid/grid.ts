/**
 * `evoalloc run grid`: a whole experiment grid in one process.
 *
 *   config ─expand─> runs ─┬─ result file exists ──────────────> skipped
 *                          ├─ journal exists ─> resume ─┐
 *                          └─ fresh ────────────────────┴─> runGreedy / runBandit
 *                                                           (shared: one limiter on calls in flight,
 *                                                            one on evaluations, one evaluator per task)
 *                                                         ─> result file (atomic) ─> journal removed
 *
 * Runs go `parallel_runs` at a time; their calls and evaluations share the
 * two limiters, so the grid is never more parallel than asked however many
 * runs are in progress. A failed run is reported and the grid goes on; an
 * abort stops every run with its journal consistent (rerun to resume).
 *
 *   grid-config.ts  the config and its expansion into runs
 *   inputs.ts       the models, tasks and policies it names, loaded and checked
 *   plan.ts         every run's state on disk (done, partial, todo)
 *   runner.ts       one run to its result file, with what the runs share
 *   summary.ts      final fitness over seeds per split and per policy
 *   grid.ts         runGrid: skip, run the rest, progress, summary
 * Over many machines (README, Many machines):
 *   enqueue.ts      the runs a grid puts on the queue, its meta, the summary once followed
 *   queue.ts        the queue on Redis (BullMQ): jobs, grid meta, call counts
 *   queue-status.ts the grid's state on the queue; following it to the end
 *   queue-url.ts    the redis:// URL, its password never printed
 *   worker.ts       a worker: jobs to runs with runner.ts
 */
import { rmSync } from "node:fs";
import { journalPath } from "../journal.ts";
import { createLimiter } from "../limit.ts";
import type { GridConfig, GridRun } from "./grid-config.ts";
import { expandGrid } from "./grid-config.ts";
import { existingResult } from "./plan.ts";
import { createGridRunner, type GridRunnerDeps } from "./runner.ts";
import { type GridSummary, readFinals, summaryRows } from "./summary.ts";

/** The side effects of a grid. */
export interface GridDeps extends GridRunnerDeps {
  /** Called at most about once a second while calls finish, and at every run's end. */
  onProgress?(p: GridProgress): void;
}

export interface GridProgress {
  runsTotal: number;
  runsDone: number;
  runsSkipped: number;
  runsFailed: number;
  runsActive: number;
  /** Calls of the runs not skipped. */
  callsTotal: number;
  callsDone: number;
  /** Of callsDone: taken from journals (resumed runs), not asked again. */
  callsReplayed: number;
  callsPerS: number;
  /** Seconds left at the current rate; null before any call. */
  etaS: number | null;
  evaluated: number;
  evalReused: number;
}

/**
 * Runs every run of `cfg` that has no result file yet.
 * Resolves with the summary (also when interrupted: `interrupted` true).
 */
export async function runGrid(cfg: GridConfig, deps: GridDeps): Promise<GridSummary> {
  const t0 = deps.now();
  const runs = expandGrid(cfg, cfg.gzip ? ".json.gz" : ".json");
  const runner = createGridRunner(cfg, deps);
  const runLimit = createLimiter(cfg.parallel_runs);
  const { todo, skipped } = toDo(runs, deps);
  const progress: GridProgress = {
    runsTotal: runs.length,
    runsDone: skipped,
    runsSkipped: skipped,
    runsFailed: 0,
    runsActive: 0,
    callsTotal: todo.reduce((s, r) => s + r.calls, 0),
    callsDone: 0,
    callsReplayed: 0,
    callsPerS: 0,
    etaS: null,
    evaluated: 0,
    evalReused: 0,
  };
  let lastEmit = 0;
  const emit = (force: boolean): void => {
    const now = deps.now();
    if (!force && now - lastEmit < 1) return;
    lastEmit = now;
    const fresh = progress.callsDone - progress.callsReplayed;
    const elapsed = Math.max(1e-9, now - t0);
    progress.callsPerS = fresh / elapsed;
    progress.etaS = fresh > 0 ? (progress.callsTotal - progress.callsDone) / progress.callsPerS : null;
    const ev = runner.evalStats();
    progress.evaluated = ev.evaluated;
    progress.evalReused = ev.reused;
    deps.onProgress?.({ ...progress });
  };

  let resumed = 0;
  let ran = 0;
  const finals = new Map<string, number>();
  const failures: { path: string; error: string }[] = [];
  const one = async (r: GridRun): Promise<void> => {
    if (deps.signal?.aborted) return;
    const outcome = await runner.run(r, {
      onStart: () => progress.runsActive++,
      onResume: () => resumed++,
      onCall: (replayed) => {
        progress.callsDone++;
        if (replayed) progress.callsReplayed++;
        emit(false);
      },
    });
    if (outcome.state === "done") {
      finals.set(r.path, outcome.final);
      ran++;
      progress.runsDone++;
      deps.log?.(`done ${r.path}: ${outcome.final.toFixed(6)}`);
    } else if (outcome.state === "failed" || outcome.state === "busy") {
      progress.runsFailed++;
      failures.push({ path: r.path, error: outcome.error });
      deps.log?.(`FAILED ${r.path}: ${outcome.error}`);
    }
    progress.runsActive--;
    emit(true);
  };

  // every model's endpoint answers before any run starts (EndpointError otherwise)
  await runner.preflight(new Set(todo.map((r) => r.model)));
  emit(true);
  try {
    await Promise.all(todo.map((r) => runLimit.run(() => one(r))));
  } finally {
    await runner.close();
  }
  emit(true);

  // summary over every result file of the grid, skipped ones included
  await readFinals(runs, deps.root, finals);
  return {
    root: deps.root,
    runs: { total: runs.length, run: ran, resumed, skipped, failed: failures.length },
    calls: { total: progress.callsTotal, done: progress.callsDone, replayed: progress.callsReplayed },
    evaluations: { run: progress.evaluated, reused: progress.evalReused },
    wall_time_s: Math.round((deps.now() - t0) * 10) / 10,
    interrupted: deps.signal?.aborted ?? false,
    failures,
    ...summaryRows(runs, finals),
  };
}

/**
 * The runs still to do (all of them with `force`), and how many are skipped
 * because their result file exists.
 */
function toDo(
  runs: readonly GridRun[],
  deps: Pick<GridDeps, "root" | "force">,
): { todo: GridRun[]; skipped: number } {
  const todo: GridRun[] = [];
  let skipped = 0;
  for (const r of runs) {
    const done = existingResult(deps.root, r.path);
    if (done === null || deps.force) {
      todo.push(r);
      continue;
    }
    skipped++;
    // killed between writing the result and removing the journal: the result is whole (atomic), so the journal is obsolete
    rmSync(journalPath(done), { force: true });
  }
  return { todo, skipped };
}
