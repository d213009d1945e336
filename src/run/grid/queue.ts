/**
 * A grid spread over machines: one BullMQ job per run, on Redis.
 *
 *   run grid --queue ─> grid meta (config, root) ─> one job per run not done ─> follow (states, calls/s, ETA)
 *   worker           ─> job ─> grid meta ─> gridRunner.run (result file, journal beside it) ─> completed | retried | failed
 *
 * Keys (besides BullMQ's `bull:evoalloc-grid:*`), per grid (gid: a hash of its result tree's path):
 *   evoalloc:grids              set of gids
 *   evoalloc:grid:<gid>:meta    JSON {root, label, config, runs, calls, updated}
 *   evoalloc:grid:<gid>:jobs    hash result path -> job id (every run ever enqueued)
 *   evoalloc:grid:<gid>:calls   hash fresh / replayed: calls finished by workers
 *
 * A job's id is a hash of the result tree, the result path and the run's
 * identity (identity.ts), so enqueueing the same run twice finds the job
 * already there; BullMQ's add is atomic on the id, so two enqueuers at once
 * make one job. The queue URL (it may carry a password) is never stored.
 */
import { createHash } from "node:crypto";
import { type ConnectionOptions, type Job, type JobState, Queue } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { GridConfig, GridRun } from "./grid-config.ts";
import { type QueueAddress, scrub } from "./queue-url.ts";

export const QUEUE_NAME = "evoalloc-grid";

/** What a job carries: the grid it belongs to and the run. */
export interface RunJobData {
  grid: string;
  run: GridRun;
  /** sha256 of the run's identity as the enqueuer computed it: a worker with other task files refuses the job. */
  identity_sha256: string;
}

/** What a worker returns for a job. */
export interface RunJobResult {
  state: "done" | "complete";
  final: number | null;
  replayed: number;
}

/** What workers need to know about a grid. */
export interface GridMeta {
  /** Absolute root of the result tree (the same path on every machine). */
  root: string;
  /** Recorded in every result's `config.grid`. */
  label: string;
  /** The config, with `models_file` and `tasks_dir` made absolute. */
  config: GridConfig;
  /** Runs in the grid, and their calls. */
  runs: number;
  calls: number;
  updated: string;
}

/** Redis cannot be reached or refused us: one line, never the password. */
export class QueueError extends Error {
  override name = "QueueError";
}

const keys = (gid: string) => ({
  meta: `evoalloc:grid:${gid}:meta`,
  jobs: `evoalloc:grid:${gid}:jobs`,
  calls: `evoalloc:grid:${gid}:calls`,
});
const GRIDS = "evoalloc:grids";

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The id of the grid whose result tree is at `root`. */
export const gridId = (root: string): string => sha(`evoalloc-grid\0${root}`).slice(0, 16);

/** The sha256 of a run's identity (its journal header). */
export const identitySha = (identity: Record<string, unknown>): string => sha(JSON.stringify(identity));

/** The job id of a run: the same run in the same tree is the same job. */
export const runJobId = (root: string, path: string, identitySha256: string): string =>
  `run-${sha(`${root}\0${path}\0${identitySha256}`).slice(0, 40)}`;

/**
 * ioredis options for the address. Long-lived connections retry for ever
 * (Redis restarted: BullMQ carries on); `failFast` ones give up at once.
 */
export function redisOptions(addr: QueueAddress, failFast = false): RedisOptions {
  return {
    host: addr.host,
    port: addr.port,
    db: addr.db,
    ...(addr.username !== undefined ? { username: addr.username } : {}),
    ...(addr.password !== undefined ? { password: addr.password } : {}),
    ...(addr.tls ? { tls: {} } : {}),
    connectTimeout: 5000,
    ...(failFast
      ? { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, enableOfflineQueue: false }
      : { maxRetriesPerRequest: null, retryStrategy: (n: number) => Math.min(200 * n, 2000) }),
  };
}

const errorText = (err: unknown, addr: QueueAddress): string => {
  const e = err as NodeJS.ErrnoException;
  const text =
    e?.code !== undefined && !String(e.message).includes(e.code)
      ? `${e.code}: ${e.message}`
      : String(e?.message ?? err);
  return scrub(text, addr);
};

/**
 * Connects once, pings and reads the server's version, within `timeoutMs`.
 * @throws QueueError "cannot reach the queue at redis://…: connect ECONNREFUSED 127.0.0.1:6379"
 */
export async function checkQueue(addr: QueueAddress, timeoutMs = 5000): Promise<{ version: string }> {
  const r = new Redis({ ...redisOptions(addr, true), connectTimeout: timeoutMs });
  // the cause (ECONNREFUSED, ENOTFOUND, WRONGPASS…) comes as an event; the rejected command only says "closed"
  let cause: unknown = null;
  r.on("error", (err) => {
    cause ??= err;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await Promise.race([
      (async () => {
        await r.connect();
        await r.ping();
        return await r.info("server");
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
    const major = Number(version.split(".")[0]);
    if (Number.isFinite(major) && major < 5)
      throw new QueueError(`the queue at ${addr.display} runs Redis ${version}; BullMQ needs 5.0 or newer`);
    return { version };
  } catch (err) {
    if (err instanceof QueueError) throw err;
    throw new QueueError(`cannot reach the queue at ${addr.display}: ${errorText(cause ?? err, addr)}`);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}

/** A connection to the queue: BullMQ's Queue and a plain client for evoalloc's keys. */
export class GridQueue {
  readonly queue: Queue<RunJobData, RunJobResult>;
  readonly redis: Redis;

  constructor(readonly addr: QueueAddress) {
    this.redis = new Redis(redisOptions(addr));
    this.redis.on("error", () => {}); // reconnects on its own; commands wait meanwhile
    this.queue = new Queue<RunJobData, RunJobResult>(QUEUE_NAME, {
      connection: redisOptions(addr) as ConnectionOptions,
    });
    this.queue.on("error", () => {});
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.redis.quit()]);
    this.redis.disconnect();
  }

  async meta(gid: string): Promise<GridMeta | null> {
    const text = await this.redis.get(keys(gid).meta);
    return text === null ? null : (JSON.parse(text) as GridMeta);
  }

  async grids(): Promise<string[]> {
    return (await this.redis.smembers(GRIDS)).sort();
  }

  /** Adds the calls a worker finished (best effort: a lost increment only skews calls/s). */
  async countCalls(gid: string, fresh: number, replayed: number): Promise<void> {
    if (fresh === 0 && replayed === 0) return;
    await this.redis
      .multi()
      .hincrby(keys(gid).calls, "fresh", fresh)
      .hincrby(keys(gid).calls, "replayed", replayed)
      .exec();
  }

  async calls(gid: string): Promise<{ fresh: number; replayed: number }> {
    const h = await this.redis.hgetall(keys(gid).calls);
    return { fresh: Number(h.fresh ?? 0), replayed: Number(h.replayed ?? 0) };
  }

  /** Result path -> job id of every run of the grid ever enqueued. */
  async jobIds(gid: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(keys(gid).jobs)));
  }

  /** The state of each job (`unknown`: no such job, e.g. removed or lost with Redis's data). */
  async states(ids: readonly string[]): Promise<Map<string, JobState | "unknown">> {
    const out = new Map<string, JobState | "unknown">();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const got = await Promise.all(chunk.map((id) => this.queue.getJobState(id)));
      for (const [k, id] of chunk.entries()) out.set(id, got[k]!);
    }
    return out;
  }

  async job(id: string): Promise<Job<RunJobData, RunJobResult> | undefined> {
    return await this.queue.getJob(id);
  }

  /**
   * Records the grid and adds a job for every run in `todo` that has none
   * waiting, running or delayed. A failed job is retried (its attempts
   * reset); a completed one whose result file is gone is replaced.
   */
  async enqueue(e: {
    gid: string;
    meta: GridMeta;
    todo: { run: GridRun; identitySha256: string }[];
    /** Tries per run (1 + retries). */
    attempts: number;
    /** First retry's delay; doubled at each retry. */
    backoffMs: number;
  }): Promise<EnqueueCounts> {
    const k = keys(e.gid);
    await this.redis.multi().set(k.meta, JSON.stringify(e.meta)).sadd(GRIDS, e.gid).exec();
    const counts: EnqueueCounts = { added: 0, present: 0, retried: 0 };
    const ids = e.todo.map((t) => runJobId(e.meta.root, t.run.path, t.identitySha256));
    if (ids.length > 0)
      await this.redis.hset(k.jobs, Object.fromEntries(e.todo.map((t, i) => [t.run.path, ids[i]!])));
    const states = await this.states(ids);
    const opts = (id: string) => ({
      jobId: id,
      attempts: e.attempts,
      backoff: { type: "exponential", delay: e.backoffMs },
      removeOnComplete: false,
      removeOnFail: false,
    });
    const add: { name: string; data: RunJobData; opts: ReturnType<typeof opts> }[] = [];
    for (const [i, t] of e.todo.entries()) {
      const id = ids[i]!;
      const state = states.get(id);
      const data: RunJobData = { grid: e.gid, run: t.run, identity_sha256: t.identitySha256 };
      if (state === "failed") {
        try {
          await (await this.job(id))?.retry("failed", {
            resetAttemptsMade: true,
            resetAttemptsStarted: true,
          });
          counts.retried++;
        } catch {
          counts.present++; // another enqueuer retried it first
        }
        continue;
      }
      if (state === "completed") {
        // completed, yet the caller found no result file: removed since; run it again
        await (await this.job(id))?.remove().catch(() => {});
      } else if (state !== "unknown") {
        counts.present++;
        continue;
      }
      add.push({ name: "run", data, opts: opts(id) });
    }
    for (let i = 0; i < add.length; i += 500) await this.queue.addBulk(add.slice(i, i + 500));
    counts.added = add.length;
    return counts;
  }
}

export interface EnqueueCounts {
  /** New jobs. */
  added: number;
  /** Jobs already waiting, running or delayed. */
  present: number;
  /** Failed jobs sent back to the queue. */
  retried: number;
}

/** Wraps a Redis/BullMQ error as a one-line QueueError without the password. */
export function queueError(err: unknown, addr: QueueAddress, what: string): QueueError {
  if (err instanceof QueueError) return err;
  return new QueueError(`${what} (${addr.display}): ${errorText(err, addr)}`);
}
