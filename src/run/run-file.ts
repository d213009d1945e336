/**
 * Writing one run to its result file — the one life cycle that `run
 * greedy|bandit` and `run grid` (and anything that runs runs later) share:
 *
 *   output's folder ─> lock (one writer) ─> stray temporary files removed
 *     ─> existing result / journal checked ─> preflight (the endpoint)
 *     ─> journal opened (or replayed), guarded (call-guard.ts)
 *     ─> evaluator ─> core (runGreedy / runBandit) ─> a call answered? ─> result written atomically
 *     ─> journal removed ─> lock released
 *
 * A run that stops (failure, Ctrl-C) keeps its journal, so rerunning with
 * resume continues where it stopped; the caller decides what to print.
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isTmpOf, journalPath } from "../log/paths.ts";
import { ensureDir, fsErrorText, writeJsonAtomic } from "../log/write.ts";
import { type GuardedJournal, guardCalls } from "./call-guard.ts";
import { RunError } from "./errors.ts";
import type { RunnerDeps } from "./greedy.ts";
import { JournalError, openRunJournal } from "./journal.ts";
import { lockOutput, type OutputLock, OutputLockedError } from "./output-lock.ts";
import type { ChatClient, Evaluator } from "./ports.ts";

export interface RunToFileOptions<R> {
  output: string;
  /** The run's identity (identity.ts): a journal of another run is refused. */
  identity: Record<string, unknown>;
  /**
   * Continue from the journal when there is one; a finished result (no
   * journal) is then `complete`. Without: an existing result or journal is refused.
   */
  resume: boolean;
  /** Start over: an existing result and journal are replaced. */
  force: boolean;
  /** JSON indent of the result file (default none). */
  indent?: number;
  /** The evaluator, asked for once the cheap checks passed (a sandbox is slow to start). */
  evaluator(): Promise<Evaluator>;
  /** Called with the evaluator when the run ends (the CLI closes its own; a grid shares one). */
  releaseEvaluator?(evaluator: Evaluator): Promise<void>;
  /** The run itself. */
  core(deps: RunnerDeps): Promise<R>;
  /** The run's side effects but the journal and the evaluator. */
  deps: Omit<RunnerDeps, "journal" | "evaluator">;
  /**
   * Stop after this many calls in a row got no answer (call-guard.ts; 0:
   * never). Either way a run in which no call got an answer stops.
   */
  maxConsecutiveFailures: number;
  /** Tags the output's lock (a queue job's id: output-lock.ts). */
  lockTag?: string;
  /** Checks before the journal is opened (the endpoint's preflight). */
  preflight?(): Promise<void>;
  /** Told how many calls the journal replays, before the run starts. */
  onStart?(info: { replayed: number; journal: string }): void;
}

export type RunToFileResult<R> =
  | { state: "complete"; output: string }
  | { state: "written"; output: string; result: R; replayed: number };

/** The output cannot be used (exists, another run's journal, locked, bad path): nothing ran. */
export class RunFileError extends Error {
  override name = "RunFileError";
  constructor(
    message: string,
    /** The flag to name: the output's, or --resume/--force for a journal. */
    readonly flag: "output" | "resume",
    /** Another live process holds the output's lock (it may be free later). */
    readonly locked = false,
  ) {
    super(message);
  }
}

/** The run started and stopped before its result was written; its journal is kept. */
export class RunStopped extends Error {
  override name = "RunStopped";
  constructor(
    override readonly cause: unknown,
    /** Stopped by the run's abort signal (Ctrl-C), not by a failure. */
    readonly interrupted: boolean,
    /** Calls in the journal. */
    readonly calls: number,
    /** The journal kept, or null when it held no call and was removed. */
    readonly journal: string | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Removes the temporary files of interrupted atomic writes of `output` (the lock is held). */
function removeStrayTmp(output: string): void {
  const dir = dirname(output);
  for (const name of readdirSync(dir)) if (isTmpOf(output, name)) rmSync(join(dir, name), { force: true });
}

/**
 * Runs `core` and writes its result to `output` (module comment).
 * @throws RunFileError when nothing could start; RunStopped when the run stopped.
 */
export async function runToFile<R>(o: RunToFileOptions<R>): Promise<RunToFileResult<R>> {
  const { output } = o;
  const jpath = journalPath(output);
  try {
    await ensureDir(dirname(output));
  } catch (err) {
    throw new RunFileError(`cannot create the folder of ${output}: ${fsErrorText(err)}`, "output");
  }
  let lock: OutputLock;
  try {
    lock = lockOutput(output, o.lockTag);
  } catch (err) {
    if (err instanceof OutputLockedError) throw new RunFileError(err.message, "output", true);
    throw new RunFileError(`cannot write beside ${output}: ${fsErrorText(err)}`, "output");
  }
  try {
    removeStrayTmp(output);
    const hasResult = existsSync(output);
    const hasJournal = existsSync(jpath);
    if (hasResult && !statSync(output).isFile())
      throw new RunFileError(`${output} exists and is not a file`, "output");
    if (hasResult && !o.force) {
      if (!o.resume) throw new RunFileError(`${output} exists (pass --force to overwrite it)`, "output");
      // killed between writing the result and removing the journal: the result is whole (atomic)
      rmSync(jpath, { force: true });
      return { state: "complete", output };
    }
    if (hasJournal && !o.resume && !o.force)
      throw new RunFileError(
        `${jpath} holds an interrupted run; continue it with --resume, or start over with --force`,
        "resume",
      );
    await o.preflight?.();
    // a RunError (endpoint refused, failure streak) stops every call and evaluation of the run at once
    const stop = new AbortController();
    const outer = o.deps.signal;
    const onOuter = (): void => stop.abort(outer?.reason);
    if (outer?.aborted) onOuter();
    outer?.addEventListener("abort", onOuter, { once: true });
    const halt = (err: unknown): void => {
      if (err instanceof RunError && !stop.signal.aborted) stop.abort(err);
    };
    const client: ChatClient = {
      complete: (req) =>
        o.deps.client.complete(req).catch((err: unknown) => {
          halt(err);
          throw err;
        }),
    };
    let journal: GuardedJournal;
    try {
      journal = guardCalls(
        openRunJournal(jpath, o.identity, o.resume && !o.force),
        o.maxConsecutiveFailures,
        halt,
      );
    } catch (err) {
      if (err instanceof JournalError) throw new RunFileError(err.message, "resume");
      throw new RunFileError(`cannot write ${basename(jpath)}: ${fsErrorText(err)}`, "output");
    }
    const replayed = journal.callCount;
    let evaluator: Evaluator | undefined;
    let result: R;
    try {
      evaluator = await o.evaluator();
      o.onStart?.({ replayed, journal: jpath });
      result = await o.core({ ...o.deps, client, journal, evaluator, signal: stop.signal });
      journal.end();
      journal.close();
      await writeJsonAtomic(output, result, o.indent);
    } catch (err) {
      journal.close();
      const interrupted = outer?.aborted ?? false;
      // a failure before any call finished (broken task, sandbox, endpoint) leaves nothing worth resuming
      const empty = !interrupted && journal.callCount === 0;
      if (empty) rmSync(jpath, { force: true });
      if (evaluator === undefined) throw err;
      const cause = stop.signal.aborted && !interrupted ? stop.signal.reason : err;
      throw new RunStopped(cause, interrupted, journal.callCount, empty ? null : jpath);
    } finally {
      outer?.removeEventListener("abort", onOuter);
      if (evaluator !== undefined) await o.releaseEvaluator?.(evaluator);
    }
    rmSync(jpath, { force: true });
    return { state: "written", output, result, replayed };
  } finally {
    lock.release();
  }
}
