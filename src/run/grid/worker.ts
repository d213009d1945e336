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
import type { GridRunner, GridRunOutcome } from "./runner.ts";

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
  const runners = runnerCache(deps.makeRunner);
  const active = new Map<string, AbortController>();
  const stats = { completed: 0, failed: 0, requeued: 0 };
  let stopping = false;
  const ctx: JobContext = { addr, o, stats, log: (line) => deps.log(scrub(line, addr)) };

  const processor = async (job: Job<RunJobData, RunJobResult>, token?: string): Promise<RunJobResult> => {
    const { run } = job.data;
    const runner = await runnerFor(q, runners, job.data);
    // Redis lost this job's lock (restarted, or stalled) and handed it out again while this worker still runs it
    if (active.has(job.id!)) return await delayJob(ctx, job, token, `busy ${run.path}: already running here`);
    const ctl = new AbortController();
    active.set(job.id!, ctl);
    if (stopping) ctl.abort();
    const calls = callTally(q, job);
    ctx.log(`start ${run.path}`);
    let outcome: GridRunOutcome;
    try {
      outcome = await runner.run(run, {
        signal: ctl.signal,
        lockTag: job.id!,
        onCall: calls.onCall,
        onResume: () => ctx.log(`resume ${run.path} from its journal`),
      });
    } finally {
      active.delete(job.id!);
      await calls.stop();
    }
    return await settleJob(ctx, job, token, outcome, calls);
  };

  const worker = new Worker<RunJobData, RunJobResult>(QUEUE_NAME, processor, {
    connection: redisOptions(addr) as ConnectionOptions,
    concurrency: o.parallelRuns,
    lockDuration: o.lockMs,
    stalledInterval: o.stalledMs ?? o.lockMs,
    maxStalledCount: o.maxStalled,
    autorun: false,
  });
  logQueueEvents(worker, ctx.log);
  const closed = worker.run().finally(async () => {
    await runners.closeAll();
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

/** What handling a job needs besides the job. */
interface JobContext {
  addr: QueueAddress;
  o: QueueWorkerOptions;
  stats: QueueWorker["stats"];
  /** Logs a line with the password scrubbed. */
  log(line: string): void;
}

/** One runner per grid and config version (`meta.updated`), made on first use; one that failed is made again. */
function runnerCache(make: QueueWorkerDeps["makeRunner"]) {
  const runners = new Map<string, Promise<GridRunner>>();
  return {
    of(gid: string, meta: GridMeta): Promise<GridRunner> {
      const key = `${gid}\0${meta.updated}`;
      let r = runners.get(key);
      if (r === undefined) {
        r = make(meta);
        r.catch(() => runners.delete(key));
        runners.set(key, r);
      }
      return r;
    },
    async closeAll(): Promise<void> {
      for (const r of runners.values()) await r.then((x) => x.close()).catch(() => {});
    },
  };
}

/**
 * The runner of a job's grid, once the run's identity here matches the enqueuer's.
 * @throws Error when the grid's meta is gone or the identity differs (the job fails with that reason).
 */
async function runnerFor(
  q: GridQueue,
  runners: ReturnType<typeof runnerCache>,
  { grid: gid, run, identity_sha256 }: RunJobData,
): Promise<GridRunner> {
  const meta = await q.meta(gid);
  if (meta === null) throw new Error(`grid ${gid} is not on the queue (its meta is gone)`);
  const runner = await runners.of(gid, meta);
  if (identitySha(runner.identity(run)) !== identity_sha256)
    throw new Error(
      `${run.path}: the run's identity differs on ${hostname()} (other task files or model definitions than the enqueuer's)`,
    );
  return runner;
}

/** The calls of a job's run, sent every second to the grid's counters (fresh / replayed) and the job's progress. */
interface CallTally {
  onCall(replayed: boolean): void;
  /** Stops the timer and sends what is left. */
  stop(): Promise<void>;
  /** Calls of this run so far, and of them those taken from its journal. */
  readonly inRun: number;
  readonly replayedInRun: number;
}

function callTally(q: GridQueue, job: Job<RunJobData, RunJobResult>): CallTally {
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
      .then(() => Promise.all([q.countCalls(job.data.grid, f, rp), job.updateProgress({ calls: inRun })]))
      .then(
        () => {},
        () => {},
      );
    return flushing;
  };
  const timer = setInterval(() => void flush(), 1000);
  return {
    onCall(rep) {
      inRun++;
      if (rep) {
        replayed++;
        replayedInRun++;
      } else fresh++;
    },
    stop() {
      clearInterval(timer);
      return flush();
    },
    get inRun() {
      return inRun;
    },
    get replayedInRun() {
      return replayedInRun;
    },
  };
}

/**
 * What a run's outcome makes of its job: completed (the result returned), back to waiting (the worker
 * stops; journal kept), delayed (output locked elsewhere; no try spent) or a failed try (thrown).
 */
async function settleJob(
  ctx: JobContext,
  job: Job<RunJobData, RunJobResult>,
  token: string | undefined,
  outcome: GridRunOutcome,
  calls: CallTally,
): Promise<RunJobResult> {
  const { run } = job.data;
  switch (outcome.state) {
    case "done":
    case "complete": {
      const final = outcome.state === "done" ? outcome.final : null;
      ctx.stats.completed++;
      ctx.log(
        `done ${run.path}${final !== null ? `: ${final.toFixed(6)} (${calls.replayedInRun} calls from its journal)` : " (result already there)"}`,
      );
      return { state: outcome.state, final, replayed: calls.replayedInRun };
    }
    case "interrupted":
      // stopping: back to the queue at once, for any worker, with its journal
      ctx.stats.requeued++;
      ctx.log(`checkpointed ${run.path} (${calls.inRun} calls in its journal); back to the queue`);
      await job.moveToWait(token);
      throw new WaitingError();
    case "busy":
      return await delayJob(ctx, job, token, `busy ${run.path}: ${outcome.error}`);
    case "failed": {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      ctx.stats.failed += last ? 1 : 0;
      ctx.log(
        `FAILED ${run.path} (try ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}): ${outcome.error}`,
      );
      throw new Error(scrub(outcome.error, ctx.addr));
    }
  }
}

/** Puts the job back for `busyDelayMs` without spending a try (BullMQ's DelayedError). */
async function delayJob(
  ctx: JobContext,
  job: Job<RunJobData, RunJobResult>,
  token: string | undefined,
  why: string,
): Promise<never> {
  ctx.log(`${why}; tried again in ${ctx.o.busyDelayMs / 1000} s`);
  await job.moveToDelayed(Date.now() + ctx.o.busyDelayMs, token);
  throw new DelayedError();
}

/** Logs the worker's queue events; connection errors repeat while Redis is away, so they are said once per outage. */
function logQueueEvents(worker: Worker<RunJobData, RunJobResult>, log: (line: string) => void): void {
  let down = false;
  worker.on("error", (err) => {
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
}
