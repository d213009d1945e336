/**
 * One Python sandbox worker process (src/run/sandbox/worker.py) and its JSON-lines
 * protocol. The worker imports the evaluator once and forks a confined child
 * per candidate; this class only talks to it. Untrusted code never runs in
 * the Node process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "../tasks.ts";

/** The worker script, found from the package root so that src/ and dist/ builds both reach it. */
export function workerScriptPath(): string {
  return join(packageRoot(), "src", "run", "sandbox", "worker.py");
}

/**
 * The variables a worker (and so every candidate) inherits: what Python, numpy
 * and the interpreter's launcher need to start, nothing else. An allow-list,
 * since a candidate may copy its environment into the logs and a credential
 * may have any name (DATABASE_URL, GITHUB_PAT ...). HOME reaches the worker
 * (a pyenv shim finds its installation through it); each candidate gets its
 * own folder as HOME and TMPDIR.
 */
const ALLOWED_ENV =
  /^(PATH|HOME|LANG|LANGUAGE|LC_[A-Z_]+|TZ|PYTHONPATH|PYTHONHOME|PYENV_VERSION|PYENV_ROOT|VIRTUAL_ENV|CONDA_PREFIX|LD_LIBRARY_PATH|(OMP|OPENBLAS|MKL|NUMEXPR)_NUM_THREADS|VECLIB_MAXIMUM_THREADS)$/;

/** Thread counts a worker gets unless the parent sets them: one evaluation per core. */
const THREAD_ENV = { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };

/**
 * The environment of a sandbox worker: the allowed variables of `env`, one
 * thread per numerical library unless set, and the PYTHON* settings the
 * worker needs.
 *
 * @example candidateEnv({ PATH: "/bin", DB_PASS: "x", OMP_NUM_THREADS: "2" })
 *   // => { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "2", MKL_NUM_THREADS: "1", PATH: "/bin", PYTHONDONTWRITEBYTECODE: "1" }
 */
export function candidateEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const allowed = Object.entries(env).filter(
    ([name, value]) => value !== undefined && ALLOWED_ENV.test(name),
  );
  return { ...THREAD_ENV, ...Object.fromEntries(allowed), PYTHONDONTWRITEBYTECODE: "1" };
}

export interface WorkerConfig {
  python: string;
  evaluatorPath: string;
  memoryBytes: number;
  maxOutputBytes: number;
  nproc: number;
  preload: string[];
  /** Exit after one evaluation (the fresh-interpreter mode). */
  once: boolean;
  /** Apply namespaces and a separate uid where the OS allows it (root). */
  isolate: boolean;
}

/** What the worker answers for one candidate. */
export interface WorkerResult {
  id: number;
  status: "ok" | "timeout" | "error";
  metrics: Record<string, unknown> | null;
  error: string | null;
  duration_s: number;
  stdout_bytes: number;
  stderr_bytes: number;
  stderr_tail: string;
  stdout_tail: string;
}

/** The worker process exited or stopped answering; the candidate was not evaluated. */
export class WorkerDiedError extends Error {
  override name = "WorkerDiedError";
}

/** The evaluator could not be loaded (a broken task, not a broken candidate). */
export class EvaluatorLoadError extends Error {
  override name = "EvaluatorLoadError";
}

interface Pending {
  id: number;
  resolve: (r: WorkerResult) => void;
  reject: (e: Error) => void;
  watchdog: NodeJS.Timeout;
}

/** Grace beyond the candidate's wall-clock limit before the worker itself is presumed hung. */
const WATCHDOG_GRACE_S = 15;

export class SandboxWorker {
  isolation: string[] = [];
  /** Why protections are missing here (e.g. "memory cgroup: needs root"). */
  isolationNotes: string[] = [];
  private pending: Pending | null = null;
  private exited = false;
  private stderrTail = "";

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {}

  /**
   * Starts a worker and resolves once it has imported the evaluator.
   *
   * @throws EvaluatorLoadError when the evaluator fails to import;
   *   WorkerDiedError when the interpreter cannot start.
   */
  static start(cfg: WorkerConfig): Promise<SandboxWorker> {
    const env = candidateEnv(process.env);
    const config = {
      evaluator: cfg.evaluatorPath,
      memory_bytes: cfg.memoryBytes,
      max_output_bytes: cfg.maxOutputBytes,
      nproc: cfg.nproc,
      preload: cfg.preload,
      once: cfg.once,
      isolate: cfg.isolate,
      // What the interpreter's launcher adds (a pyenv shim sets PWD, SHLVL ...) stays with the worker.
      env_names: Object.keys(env),
    };
    const proc = spawn(cfg.python, [workerScriptPath(), JSON.stringify(config)], { env, stdio: "pipe" });
    const worker = new SandboxWorker(proc);
    return new Promise((resolve, reject) => {
      let started = false;
      proc.stderr.setEncoding("utf8");
      proc.stderr.on("data", (chunk: string) => {
        worker.stderrTail = (worker.stderrTail + chunk).slice(-4000);
      });
      proc.stdin.on("error", () => {}); // EPIPE when the worker died: reported by "exit"
      proc.on("error", (err) => {
        worker.exited = true;
        if (!started) reject(new WorkerDiedError(`cannot start ${cfg.python}: ${err.message}`));
      });
      proc.on("exit", (code, sig) => {
        worker.exited = true;
        const why = `sandbox worker exited (${sig ?? `status ${code}`})${worker.stderrTail ? `: ${worker.stderrTail.trim().slice(-1000)}` : ""}`;
        if (!started) reject(new WorkerDiedError(why));
        worker.failPending(new WorkerDiedError(why));
      });
      const lines = createInterface({ input: proc.stdout });
      lines.on("line", (line) => {
        let msg: { op?: string; [k: string]: unknown };
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (msg.op === "ready") {
          started = true;
          worker.isolation = Array.isArray(msg.isolation) ? (msg.isolation as string[]) : [];
          worker.isolationNotes = Array.isArray(msg.notes) ? (msg.notes as string[]) : [];
          resolve(worker);
        } else if (msg.op === "fatal") {
          started = true;
          reject(new EvaluatorLoadError(String(msg.error)));
          worker.kill();
        } else if (msg.op === "result") {
          worker.settle(msg as unknown as WorkerResult);
        }
      });
    });
  }

  /** The worker's process id (diagnostics and tests). */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /**
   * Evaluates one candidate; one at a time per worker.
   *
   * @throws WorkerDiedError when the worker exits or hangs meanwhile.
   */
  run(id: number, code: string, timeoutS: number): Promise<WorkerResult> {
    if (this.exited) return Promise.reject(new WorkerDiedError("sandbox worker is not running"));
    if (this.pending) return Promise.reject(new Error("SandboxWorker.run: worker is busy"));
    return new Promise((resolve, reject) => {
      const watchdog = setTimeout(
        () => {
          this.failPending(
            new WorkerDiedError(`sandbox worker did not answer within ${timeoutS + WATCHDOG_GRACE_S} s`),
          );
          this.kill();
        },
        (timeoutS + WATCHDOG_GRACE_S) * 1000,
      );
      this.pending = { id, resolve, reject, watchdog };
      this.proc.stdin.write(`${JSON.stringify({ op: "eval", id, code, timeout_s: timeoutS })}\n`);
    });
  }

  /** Asks the worker to kill candidate `id`; it then answers with error "cancelled". */
  cancel(id: number): void {
    if (this.pending?.id === id && !this.exited)
      this.proc.stdin.write(`${JSON.stringify({ op: "cancel", id })}\n`);
  }

  /** Ends the worker: closing stdin stops it between candidates; SIGKILL otherwise. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await done;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.proc.kill("SIGKILL");
  }

  private settle(msg: WorkerResult): void {
    const p = this.pending;
    if (!p || p.id !== msg.id) return;
    clearTimeout(p.watchdog);
    this.pending = null;
    p.resolve(msg);
  }

  private failPending(err: Error): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.watchdog);
    this.pending = null;
    p.reject(err);
  }
}
