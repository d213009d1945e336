/**
 * A queue worker (`evoalloc worker`): takes run jobs from the queue and runs
 * them with the ordinary grid runner (grid.ts), under its own limits.
 *
 *   job ─> grid meta (cached per grid) ─> identity check ─> gridRunner.run ─┬─ written / complete ─> completed
 *                                                                          ├─ failed ─> thrown: retried with backoff, then failed
 *                                                                          ├─ busy (output locked) ─> delayed, no try spent
 *                                                                          └─ interrupted (stop) ─> back to waiting, journal kept
 *
 * A worker that is killed holds its jobs until their locks expire
 * (`lockMs`); another worker's stalled-job check then puts them back, and the
 * run resumes from its journal beside the result file.
 */
import { hostname } from "node:os";
import type { ConnectionOptions } from "bullmq";
import { DelayedError, type Job, WaitingError, Worker } from "bullmq";
import {
  type GridMeta,
  GridQueue,
  identitySha,
  QUEUE_NAME,
  type RunJobData,
  type RunJobResult,
  redisOptions,
} from "./queue.ts";
import { type QueueAddress, scrub } from "./queue-url.ts";
import type { GridRunner } from "./runner.ts";

export interface QueueWorkerOptions {
  /** Runs in progress at once. */
  parallelRuns: number;
  /** A job's lock lasts this long without renewal (renewed every half of it while the worker lives). */
  lockMs: number;
  /** How often stalled jobs (their worker gone) are looked for; default lockMs. */
  stalledMs?: number;
  /** Times a job may stall (its worker killed) before it is failed. */
  maxStalled: number;
  /** Delay before a job whose output another process holds is tried again. */
  busyDelayMs: number;
}

export interface QueueWorkerDeps {
  /** A runner for the grid (models, tasks, clients, evaluators) under the worker's limits. */
  makeRunner(meta: GridMeta): Promise<GridRunner>;
  /** One line per job event (never holds the queue's password). */
  log(line: string): void;
}

export interface QueueWorker {
  /** Stops taking jobs, checkpoints the runs in progress (back to the queue, journals kept), closes. */
  stop(): Promise<void>;
  /** Resolves when the worker has closed. */
  readonly closed: Promise<void>;
  readonly stats: { completed: number; failed: number; requeued: number };
}

export async function startQueueWorker(
  addr: QueueAddress,
  o: QueueWorkerOptions,
  deps: QueueWorkerDeps,
): Promise<QueueWorker> {
  const q = new GridQueue(addr);
  const runners = new Map<string, Promise<GridRunner>>();
  const runnerOf = (gid: string, meta: GridMeta): Promise<GridRunner> => {
    const key = `${gid}\0${meta.updated}`;
    let r = runners.get(key);
    if (r === undefined) {
      r = deps.makeRunner(meta);
      r.catch(() => runners.delete(key));
      runners.set(key, r);
    }
    return r;
  };
  const active = new Map<string, AbortController>();
  const stats = { completed: 0, failed: 0, requeued: 0 };
  let stopping = false;
  const log = (line: string): void => deps.log(scrub(line, addr));

  const processor = async (job: Job<RunJobData, RunJobResult>, token?: string): Promise<RunJobResult> => {
    const { grid: gid, run, identity_sha256 } = job.data;
    const meta = await q.meta(gid);
    if (meta === null) throw new Error(`grid ${gid} is not on the queue (its meta is gone)`);
    const runner = await runnerOf(gid, meta);
    const mine = identitySha(runner.identity(run));
    if (mine !== identity_sha256)
      throw new Error(
        `${run.path}: the run's identity differs on ${hostname()} (other task files or model definitions than the enqueuer's)`,
      );
    if (active.has(job.id!)) {
      // Redis lost this job's lock (restarted, or stalled) and handed it out again while this worker still runs it
      log(`busy ${run.path}: already running here; tried again in ${o.busyDelayMs / 1000} s`);
      await job.moveToDelayed(Date.now() + o.busyDelayMs, token);
      throw new DelayedError();
    }
    const ctl = new AbortController();
    active.set(job.id!, ctl);
    if (stopping) ctl.abort();
    let fresh = 0;
    let replayed = 0;
    let inRun = 0;
    let replayedInRun = 0;
    let flushing: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      const f = fresh;
      const rp = replayed;
      fresh = 0;
      replayed = 0;
      flushing = flushing
        .then(() => Promise.all([q.countCalls(gid, f, rp), job.updateProgress({ calls: inRun })]))
        .then(
          () => {},
          () => {},
        );
      return flushing;
    };
    const timer = setInterval(() => void flush(), 1000);
    log(`start ${run.path}`);
    let outcome: Awaited<ReturnType<GridRunner["run"]>>;
    try {
      outcome = await runner.run(run, {
        signal: ctl.signal,
        lockTag: job.id!,
        onCall: (rep) => {
          inRun++;
          if (rep) {
            replayed++;
            replayedInRun++;
          } else fresh++;
        },
        onResume: () => log(`resume ${run.path} from its journal`),
      });
    } finally {
      clearInterval(timer);
      active.delete(job.id!);
      await flush();
    }
    switch (outcome.state) {
      case "done":
      case "complete": {
        const final = outcome.state === "done" ? outcome.final : null;
        stats.completed++;
        log(
          `done ${run.path}${final !== null ? `: ${final.toFixed(6)} (${replayedInRun} calls from its journal)` : " (result already there)"}`,
        );
        return { state: outcome.state, final, replayed: replayedInRun };
      }
      case "interrupted":
        // stopping: back to the queue at once, for any worker, with its journal
        stats.requeued++;
        log(`checkpointed ${run.path} (${inRun} calls in its journal); back to the queue`);
        await job.moveToWait(token);
        throw new WaitingError();
      case "busy":
        log(`busy ${run.path}: ${outcome.error}; tried again in ${o.busyDelayMs / 1000} s`);
        await job.moveToDelayed(Date.now() + o.busyDelayMs, token);
        throw new DelayedError();
      case "failed": {
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        stats.failed += last ? 1 : 0;
        log(
          `FAILED ${run.path} (try ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}): ${outcome.error}`,
        );
        throw new Error(scrub(outcome.error, addr));
      }
    }
  };

  const worker = new Worker<RunJobData, RunJobResult>(QUEUE_NAME, processor, {
    connection: redisOptions(addr) as ConnectionOptions,
    concurrency: o.parallelRuns,
    lockDuration: o.lockMs,
    stalledInterval: o.stalledMs ?? o.lockMs,
    maxStalledCount: o.maxStalled,
    autorun: false,
  });
  // connection errors repeat while Redis is away; say so once per outage
  let down = false;
  worker.on("error", (err) => {
    // connection errors repeat while Redis is away: say so once per outage; say anything else
    const connection = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection is closed|LOADING/.test(
      err.message,
    );
    if (connection && down) return;
    down ||= connection;
    log(`queue: ${err.message}${connection ? "; retrying" : ""}`);
  });
  worker.on("ready", () => {
    if (down) log("queue: connected again");
    down = false;
  });
  worker.on("stalled", (id) => log(`stalled job ${id} (its worker stopped answering) back to the queue`));
  worker.on("lockRenewalFailed", (ids) => log(`queue: could not renew the locks of ${ids.join(", ")}`));
  const closed = worker.run().finally(async () => {
    for (const r of runners.values()) await r.then((x) => x.close()).catch(() => {});
    await q.close();
  });
  await worker.waitUntilReady();
  return {
    stats,
    closed,
    async stop() {
      stopping = true;
      for (const c of active.values()) c.abort(new Error("worker stopping"));
      await worker.close();
      await closed;
    },
  };
}
