/**
 * The state of a grid on the queue (`evoalloc grid status`) and following it
 * to the end (`run grid --queue` without `--no-wait`).
 *
 *   jobs hash (path -> job id) ─> job states ─┬─ completed / result file exists ─> done
 *                                             ├─ active ─> running (its progress: calls so far)
 *                                             ├─ waiting, delayed (a retry's backoff) ─> to do
 *                                             ├─ failed ─> failed, with its reason
 *                                             └─ unknown (lost with Redis's data) ─> missing (the follower adds it again)
 *
 * A run the grid has that no job names was done when it was enqueued.
 */
import type { JobState } from "bullmq";
import type { GridRun } from "./grid-config.ts";
import type { GridQueue } from "./queue.ts";

export type RunState = "done" | "running" | "waiting" | "delayed" | "failed" | "missing";

export interface GridStatus {
  grid: string;
  root: string;
  label: string;
  runs: number;
  states: Record<RunState, number>;
  /** Calls finished by workers over the grid's life (fresh: asked of the endpoint; replayed: from journals). */
  calls: { total: number; fresh: number; replayed: number };
  running: { path: string; calls: number }[];
  failures: { path: string; error: string; attempts: number }[];
}

const stateOf = (s: JobState | "unknown"): RunState => {
  switch (s) {
    case "completed":
      return "done";
    case "active":
      return "running";
    case "delayed":
      return "delayed";
    case "failed":
      return "failed";
    case "unknown":
      return "missing";
    default:
      return "waiting";
  }
};

/** Per-run states of the grid `gid` (null: no such grid). `resultExists` counts a run with a result file as done. */
export async function gridRunStates(
  q: GridQueue,
  gid: string,
  resultExists?: (path: string) => boolean,
): Promise<Map<string, { state: RunState; job: string }> | null> {
  const ids = await q.jobIds(gid);
  if (ids.size === 0 && (await q.meta(gid)) === null) return null;
  const pending = [...ids].filter(([path]) => resultExists?.(path) !== true);
  const states = await q.states(pending.map(([, id]) => id));
  const out = new Map<string, { state: RunState; job: string }>();
  for (const [path, id] of ids) {
    const s = states.get(id);
    out.set(path, { state: s === undefined ? "done" : stateOf(s), job: id });
  }
  return out;
}

/** The grid's status (null: the queue holds no grid `gid`). */
export async function gridStatus(
  q: GridQueue,
  gid: string,
  resultExists?: (path: string) => boolean,
): Promise<GridStatus | null> {
  const meta = await q.meta(gid);
  const per = await gridRunStates(q, gid, resultExists);
  if (meta === null || per === null) return null;
  const states: Record<RunState, number> = {
    done: 0,
    running: 0,
    waiting: 0,
    delayed: 0,
    failed: 0,
    missing: 0,
  };
  for (const { state } of per.values()) states[state]++;
  // runs without a job were done when the grid was enqueued
  states.done += Math.max(0, meta.runs - per.size);
  const running: GridStatus["running"] = [];
  const failures: GridStatus["failures"] = [];
  for (const [path, { state, job }] of per) {
    if (state !== "running" && state !== "failed") continue;
    const j = await q.job(job);
    if (j === undefined) continue;
    if (state === "running") running.push({ path, calls: progressCalls(j.progress) });
    else failures.push({ path, error: j.failedReason ?? "?", attempts: j.attemptsMade });
  }
  const calls = await q.calls(gid);
  return {
    grid: gid,
    root: meta.root,
    label: meta.label,
    runs: meta.runs,
    states,
    calls: { total: meta.calls, ...calls },
    running: running.sort((a, b) => a.path.localeCompare(b.path)),
    failures: failures.sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** The calls a worker reported for a running job (its `progress`). */
export function progressCalls(progress: unknown): number {
  const p = progress as { calls?: unknown } | null;
  return typeof p?.calls === "number" ? p.calls : 0;
}

export interface FollowProgress {
  runsTotal: number;
  runsDone: number;
  runsFailed: number;
  runsRunning: number;
  runsWaiting: number;
  callsTotal: number;
  callsDone: number;
  callsPerS: number;
  etaS: number | null;
}

export interface FollowResult {
  /** Stopped following before the grid ended. */
  interrupted: boolean;
  failures: { path: string; error: string; attempts: number }[];
  /** Calls workers asked of the endpoint while we followed. */
  callsFresh: number;
  /** Runs added again because their job was lost. */
  requeued: number;
}

/**
 * Polls the grid until every run in `runs` is done or failed (or `signal`
 * aborts). Progress: runs by state; calls done = the calls of finished runs
 * plus the running ones' progress; calls/s = calls workers asked of the
 * endpoint per second since following began; ETA at that rate.
 */
export async function followGrid(
  q: GridQueue,
  gid: string,
  o: {
    runs: readonly GridRun[];
    resultExists(path: string): boolean;
    /** Adds jobs again for runs whose job is gone (Redis lost it). */
    requeue(runs: GridRun[]): Promise<void>;
    onProgress?(p: FollowProgress): void;
    now(): number;
    signal?: AbortSignal;
    pollMs?: number;
  },
): Promise<FollowResult> {
  const t0 = o.now();
  const byPath = new Map(o.runs.map((r) => [r.path, r]));
  const callsTotal = o.runs.reduce((s, r) => s + r.calls, 0);
  const fresh0 = (await q.calls(gid)).fresh;
  const pollMs = o.pollMs ?? Math.max(1000, o.runs.length);
  let requeued = 0;
  let missingSince = new Map<string, number>();
  for (;;) {
    const per = (await gridRunStates(q, gid, o.resultExists)) ?? new Map();
    let done = 0;
    let failed = 0;
    let running = 0;
    let waiting = 0;
    let callsDone = 0;
    const active: string[] = [];
    const failures: FollowResult["failures"] = [];
    const missing: GridRun[] = [];
    const nowMissing = new Map<string, number>();
    for (const r of o.runs) {
      const s = per.get(r.path);
      const state: RunState = o.resultExists(r.path) ? "done" : (s?.state ?? "missing");
      if (state === "done") {
        done++;
        callsDone += r.calls;
      } else if (state === "failed") failed++;
      else if (state === "running") {
        running++;
        active.push(s!.job);
      } else if (state === "missing") {
        // a job is missing for two polls in a row before it is added again (an enqueuer may be adding it now)
        const since = missingSince.get(r.path) ?? o.now();
        nowMissing.set(r.path, since);
        if (since < o.now()) missing.push(r);
        waiting++;
      } else waiting++;
      if (state === "failed") {
        const j = await q.job(s!.job);
        failures.push({ path: r.path, error: j?.failedReason ?? "?", attempts: j?.attemptsMade ?? 0 });
      }
    }
    missingSince = nowMissing;
    if (missing.length > 0) {
      await o.requeue(missing);
      requeued += missing.length;
      for (const r of missing) missingSince.delete(r.path);
    }
    for (const id of active) {
      const j = await q.job(id);
      const r = j === undefined ? undefined : byPath.get(j.data.run.path);
      if (j !== undefined && r !== undefined) callsDone += Math.min(r.calls, progressCalls(j.progress));
    }
    const fresh = (await q.calls(gid)).fresh - fresh0;
    const elapsed = Math.max(1e-9, o.now() - t0);
    const callsPerS = fresh / elapsed;
    o.onProgress?.({
      runsTotal: o.runs.length,
      runsDone: done,
      runsFailed: failed,
      runsRunning: running,
      runsWaiting: waiting,
      callsTotal,
      callsDone,
      callsPerS,
      etaS: callsPerS > 0 ? Math.max(0, callsTotal - callsDone) / callsPerS : null,
    });
    if (done + failed === o.runs.length) return { interrupted: false, failures, callsFresh: fresh, requeued };
    if (o.signal?.aborted) return { interrupted: true, failures, callsFresh: fresh, requeued };
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, pollMs);
      o.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}
