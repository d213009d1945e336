/**
 * One Python sandbox worker process (src/run/worker.py) and its JSON-lines
 * protocol. The worker imports the evaluator once and forks a confined child
 * per candidate; this class only talks to it. Untrusted code never runs in
 * the Node process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { rmdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "./tasks.ts";

/** The worker script, found from the package root so that src/ and dist/ builds both reach it. */
export function workerScriptPath(): string {
  return join(packageRoot(), "src", "run", "worker.py");
}

/** Names of environment variables that may hold credentials (API keys for the LLM endpoint, cloud tokens). */
const SECRET_ENV =
  /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|^(OPENAI|LLM|ANTHROPIC|AWS|AZURE|GOOGLE|GCP|HF)_/i;

/**
 * The environment candidates see: the parent's, minus anything that looks like a
 * credential, since a candidate may print its environment into the logs.
 *
 * @example candidateEnv({ PATH: "/bin", LLM_API_KEY: "sk-1", OPENAI_BASE_URL: "u" }) // => { PATH: "/bin" }
 */
export function candidateEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_ENV.test(name)));
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
  /** The empty host folder on which the worker mounted its private tmpfs (removed when it exits). */
  private scratch: string | null = null;
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
    const config = {
      evaluator: cfg.evaluatorPath,
      memory_bytes: cfg.memoryBytes,
      max_output_bytes: cfg.maxOutputBytes,
      nproc: cfg.nproc,
      preload: cfg.preload,
      once: cfg.once,
      isolate: cfg.isolate,
    };
    const env = {
      OPENBLAS_NUM_THREADS: "1",
      OMP_NUM_THREADS: "1",
      MKL_NUM_THREADS: "1",
      ...candidateEnv(process.env),
      PYTHONDONTWRITEBYTECODE: "1",
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
        if (worker.scratch) {
          try {
            // empty on the host (the tmpfs lived in the worker's namespace); the shared one stays
            if (!worker.scratch.endsWith(".evoalloc-sandbox")) rmdirSync(worker.scratch);
          } catch {}
        }
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
          worker.scratch = typeof msg.scratch === "string" ? msg.scratch : null;
          worker.isolation = Array.isArray(msg.isolation) ? (msg.isolation as string[]) : [];
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
