/**
 * Sandboxed evaluation of candidate programs: the `Evaluator` of the online
 * runner.
 *
 *   evaluate(code) ─> queue ─> slot (one of `parallel`) ─> Python worker ─fork─> confined child
 *                                                           (imports evaluator once)   (runs evaluate())
 *
 * `prefork` keeps one worker per slot for the whole run (a candidate costs a
 * fork, a few ms); `fresh` starts a new interpreter per candidate (imports
 * numpy/scipy and the evaluator each time) under the same limits. The limits
 * themselves are applied by src/run/sandbox/worker.py (see its docstring and the
 * README): wall-clock limit killing the process group, RLIMIT_AS, capped
 * output, no stdin, own temporary folder, and where the OS allows it no
 * network, a read-only file system outside that folder and a uid of its own.
 *
 * A worker that dies is restarted and the candidate retried once; fitness is
 * `combined_score`, and any failure gives fitness 0 with an error text.
 */
import { availableParallelism } from "node:os";
import type { EvalResult, Evaluator, Task } from "../ports.ts";
import {
  EvaluatorLoadError,
  SandboxWorker,
  type WorkerConfig,
  WorkerDiedError,
  type WorkerResult,
} from "./sandbox-worker.ts";

export type Isolation = "prefork" | "fresh";

export interface SandboxOptions {
  /** `prefork` (default) or `fresh` (a new interpreter per candidate). */
  isolation?: Isolation;
  /** Address-space cap per candidate (RLIMIT_AS), default 2 GiB. Counts the preloaded libraries. */
  memoryBytes?: number;
  /** Evaluations in flight, default the number of cores. */
  parallel?: number;
  /** Wall-clock limit per candidate, default the task's `eval_timeout_s`. */
  timeoutS?: number;
  /** Cap on each of stdout and stderr, and on any file the candidate writes (RLIMIT_FSIZE); default 8 MiB. */
  maxOutputBytes?: number;
  /** Processes per candidate when it runs under its own uid (RLIMIT_NPROC), default 64. */
  nproc?: number;
  /** Python interpreter, default $EVOALLOC_PYTHON or `python3`. */
  python?: string;
  /** Modules the worker imports before the evaluator, default numpy and scipy (optimize, spatial). */
  preload?: string[];
  /** Namespaces and own uid where allowed (default true); false only for debugging. */
  isolate?: boolean;
}

export const DEFAULT_MEMORY_BYTES = 2 * 1024 ** 3;
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 ** 2;
export const DEFAULT_PRELOAD = ["numpy", "scipy", "scipy.optimize", "scipy.spatial"];

/** The evaluation was cancelled through its AbortSignal (or the evaluator closed). */
export class EvalAbortedError extends Error {
  override name = "AbortError";
}

/** The sandbox cannot evaluate anything (evaluator fails to load, python missing, closed). */
export class SandboxError extends Error {
  override name = "SandboxError";
}

interface Job {
  id: number;
  code: string;
  signal: AbortSignal | undefined;
  tries: number;
  resolve: (r: EvalResult) => void;
  reject: (e: Error) => void;
  onAbort?: () => void;
}

interface Slot {
  worker: SandboxWorker | null;
  job: Job | null;
}

const ERROR_TEXT_CAP = 4000;

/** A pool of sandbox workers implementing `Evaluator`. Create with `createEvaluator`. */
export class SandboxEvaluator implements Evaluator {
  /**
   * Protections the worker could apply here (e.g. "netns", "host_hidden", "no_unix_sockets",
   * "memory_cgroup" or only "rlimit_as" for memory, "own_uid"; README, Isolation).
   */
  isolationApplied: string[] = [];
  /** Why the others are missing (e.g. "memory cgroup: needs root"). */
  isolationNotes: string[] = [];
  readonly timeoutS: number;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private broken: Error | null = null;

  constructor(
    readonly mode: Isolation,
    private readonly cfg: WorkerConfig,
    timeoutS: number,
    parallel: number,
  ) {
    this.timeoutS = timeoutS;
    this.slots = Array.from({ length: parallel }, () => ({ worker: null, job: null }));
  }

  /** Starts the workers (prefork) or one probe interpreter (fresh); throws SandboxError when the task cannot load. */
  async start(): Promise<void> {
    try {
      if (this.mode === "prefork") {
        const workers = await Promise.all(this.slots.map(() => SandboxWorker.start(this.cfg)));
        workers.forEach((w, i) => {
          this.slots[i]!.worker = w;
        });
        this.isolationApplied = workers[0]?.isolation ?? [];
        this.isolationNotes = workers[0]?.isolationNotes ?? [];
      } else {
        const probe = await SandboxWorker.start(this.cfg);
        this.isolationApplied = probe.isolation;
        this.isolationNotes = probe.isolationNotes;
        await probe.stop(5000);
      }
    } catch (err) {
      await this.close();
      throw new SandboxError((err as Error).message);
    }
  }

  /**
   * Evaluates one candidate program. Resolves with fitness 0 and an error
   * text for every failure of the candidate (crash, timeout, invalid output).
   *
   * @throws EvalAbortedError when `signal` aborts first; SandboxError when the
   *   evaluator itself cannot be loaded or the pool is closed.
   */
  evaluate(code: string, signal?: AbortSignal): Promise<EvalResult> {
    if (this.closed) return Promise.reject(new SandboxError("the evaluator is closed"));
    if (this.broken) return Promise.reject(this.broken);
    if (signal?.aborted) return Promise.reject(new EvalAbortedError("evaluation cancelled"));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, code, signal, tries: 0, resolve, reject };
      if (signal) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Process ids of the live pre-forked workers (diagnostics and tests). */
  workerPids(): number[] {
    return this.slots.flatMap((s) => (s.worker?.alive && s.worker.pid !== undefined ? [s.worker.pid] : []));
  }

  /** Stops every worker; queued and running evaluations reject with EvalAbortedError. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      this.finish(job, new EvalAbortedError("the evaluator was closed"));
    await Promise.all(
      this.slots.map(async (slot) => {
        const w = slot.worker;
        slot.worker = null;
        if (w) await w.stop(5000);
      }),
    );
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(job, new EvalAbortedError("evaluation cancelled"));
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    slot?.worker?.cancel(job.id);
  }

  private finish(job: Job, outcome: EvalResult | Error): void {
    if (job.onAbort) job.signal?.removeEventListener("abort", job.onAbort);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.closed || this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      void this.runOn(slot, job);
    }
  }

  private async runOn(slot: Slot, job: Job): Promise<void> {
    let worker: SandboxWorker | null = null;
    try {
      if (this.mode === "prefork") {
        if (!slot.worker?.alive) slot.worker = await SandboxWorker.start(this.cfg);
        worker = slot.worker;
      } else {
        worker = await SandboxWorker.start({ ...this.cfg, once: true });
        slot.worker = worker;
      }
      if (this.closed) throw new EvalAbortedError("the evaluator was closed");
      if (job.signal?.aborted) throw new EvalAbortedError("evaluation cancelled");
      const res = await worker.run(job.id, job.code, this.timeoutS);
      if (res.error === "cancelled" && (job.signal?.aborted || this.closed))
        this.finish(job, new EvalAbortedError("evaluation cancelled"));
      else this.finish(job, toEvalResult(res));
    } catch (err) {
      if (err instanceof EvaluatorLoadError) {
        this.broken = new SandboxError(err.message);
        this.finish(job, this.broken);
      } else if (err instanceof WorkerDiedError && !this.closed && !job.signal?.aborted) {
        job.tries += 1;
        if (job.tries < 2) this.queue.unshift(job);
        else this.finish(job, failure(`sandbox worker died twice while evaluating: ${err.message}`, 0));
      } else if (this.closed || job.signal?.aborted) {
        this.finish(job, new EvalAbortedError("evaluation cancelled"));
      } else {
        this.finish(job, err instanceof Error ? err : new Error(String(err)));
      }
    } finally {
      if (this.mode === "fresh") void worker?.stop(5000); // it exits by itself after one candidate
      if (this.mode === "fresh" || !slot.worker?.alive) slot.worker = null;
      slot.job = null;
      if (!this.broken) this.pump();
      else for (const j of this.queue.splice(0)) this.finish(j, this.broken);
    }
  }
}

function failure(error: string, duration: number, status: EvalResult["status"] = "error"): EvalResult {
  return { fitness: 0, metrics: null, error: error.slice(0, ERROR_TEXT_CAP), status, duration_s: duration };
}

/**
 * Turns the worker's answer into an `EvalResult`: fitness = combined_score when
 * the evaluation succeeded and reported no `error`; otherwise 0 with an error
 * text (a NaN or missing combined_score is an error).
 */
export function toEvalResult(res: WorkerResult): EvalResult {
  const d = res.duration_s;
  if (res.status !== "ok") {
    const tail = res.stderr_tail.trim();
    const withTail =
      tail && !res.error?.includes("Traceback") ? `${res.error}\nstderr: ${tail.slice(-1500)}` : res.error;
    return { ...failure(withTail ?? "evaluation failed", d, res.status), metrics: res.metrics };
  }
  const m = res.metrics;
  if (m === null || typeof m !== "object" || Array.isArray(m))
    return failure(`evaluate() returned ${JSON.stringify(m)?.slice(0, 200)}, not a dict`, d);
  const score = m.combined_score;
  if (m.error !== undefined && m.error !== null && m.error !== "" && m.error !== false)
    return { ...failure(String(m.error), d), metrics: m };
  if (typeof score !== "number" || !Number.isFinite(score)) {
    const what = score === undefined ? "no combined_score" : `combined_score is ${String(score)}`;
    return { ...failure(`the evaluator returned ${what}`, d), metrics: m };
  }
  return { fitness: score, metrics: m, error: null, status: "ok", duration_s: d };
}

/**
 * Starts a sandbox for `task` and resolves once its workers have loaded the
 * evaluator.
 *
 * @example
 *   const ev = await createEvaluator(loadTask("cp"), { parallel: 2 });
 *   (await ev.evaluate(task.initialProgram)).fitness; // => 0.3634052021536415
 *   await ev.close();
 * @throws SandboxError when python3 or the evaluator cannot be loaded; RangeError for bad options.
 */
export async function createEvaluator(
  task: Pick<Task, "evaluatorPath" | "evalTimeoutS">,
  opts: SandboxOptions = {},
): Promise<SandboxEvaluator> {
  const parallel = opts.parallel ?? availableParallelism();
  const timeoutS = opts.timeoutS ?? task.evalTimeoutS;
  const memoryBytes = opts.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const maxOutputBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const nproc = opts.nproc ?? 64;
  const mode = opts.isolation ?? "prefork";
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new RangeError(`parallel must be an integer >= 1, got ${parallel}`);
  if (!(timeoutS > 0)) throw new RangeError(`timeoutS must be > 0, got ${timeoutS}`);
  if (!Number.isInteger(memoryBytes) || memoryBytes < 64 * 1024 ** 2)
    throw new RangeError(`memoryBytes must be an integer >= 64 MiB, got ${memoryBytes}`);
  if (!Number.isInteger(maxOutputBytes) || maxOutputBytes < 1024)
    throw new RangeError(`maxOutputBytes must be an integer >= 1024, got ${maxOutputBytes}`);
  if (mode !== "prefork" && mode !== "fresh")
    throw new RangeError(`isolation must be prefork or fresh, got ${mode}`);
  const cfg: WorkerConfig = {
    python: opts.python ?? process.env.EVOALLOC_PYTHON ?? "python3",
    evaluatorPath: task.evaluatorPath,
    memoryBytes,
    maxOutputBytes,
    nproc,
    preload: opts.preload ?? DEFAULT_PRELOAD,
    once: false,
    isolate: opts.isolate ?? true,
  };
  const ev = new SandboxEvaluator(mode, cfg, timeoutS, parallel);
  await ev.start();
  return ev;
}
