/**
 * The run journal: every finished LLM call and evaluation, one JSON line
 * each, appended as it finishes (DESIGN.md "Durability"). `--resume` reads
 * it back and the runner replays the recorded results instead of repeating
 * the work, so a resumed run makes the same decisions as an uninterrupted
 * one and asks the endpoint only for the calls that had not finished.
 *
 * Lines are written whole with one synchronous `write`, so Ctrl-C never
 * leaves half a line; after `kill -9` or a crash mid-write the torn last
 * line is cut off on resume. Keys name a call/evaluation by its place in the
 * run: `g<generation>/c<idx>` (an arm's keys are prefixed `a<arm>/`), `g0`
 * for the initial program.
 *
 * The first line is a header `{t: "header", run}` naming the run's
 * identity; resuming with another identity is refused.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { parsePythonJson, stringifyPythonJson } from "../log/json.ts";
import { ensureDirSync } from "../log/write.ts";
import type { CompletionResult, EvalResult } from "./ports.ts";

export interface RunJournal {
  call(key: string): CompletionResult | undefined;
  evaluation(key: string): EvalResult | undefined;
  recordCall(key: string, result: CompletionResult): void;
  recordEvaluation(key: string, result: EvalResult): void;
  /** The recorded calls, in recording order. */
  calls(): IterableIterator<[string, CompletionResult]>;
  /** Forgets calls (a `drop` line each): a resumed run asks them again. */
  retract(keys: readonly string[]): void;
  /** Number of calls recorded (replayed on resume). */
  readonly callCount: number;
  close(): void;
}

type Line =
  | { t: "header"; run: Record<string, unknown> }
  | { t: "call"; key: string; result: CompletionResult }
  | { t: "eval"; key: string; result: EvalResult }
  | { t: "drop"; key: string };

/** Thrown when a journal cannot be used (another run's journal, unreadable). */
export class JournalError extends Error {
  override name = "JournalError";
}

/** An in-memory journal (no durability): the grid runner and tests. */
export function memoryJournal(): RunJournal {
  const calls = new Map<string, CompletionResult>();
  const evals = new Map<string, EvalResult>();
  return {
    call: (k) => calls.get(k),
    evaluation: (k) => evals.get(k),
    recordCall: (k, r) => void calls.set(k, r),
    recordEvaluation: (k, r) => void evals.set(k, r),
    calls: () => calls.entries(),
    retract(keys) {
      for (const k of keys) calls.delete(k);
    },
    get callCount() {
      return calls.size;
    },
    close() {},
  };
}

export { journalPath } from "../log/paths.ts";

/**
 * Opens the journal at `path`. With `resume`, an existing journal is read
 * (its header must equal `identity`) and appended to; without, a fresh one
 * is started (an existing file is replaced).
 * @throws JournalError when resuming another run's journal.
 */
export function openRunJournal(path: string, identity: Record<string, unknown>, resume: boolean): RunJournal {
  const mem = memoryJournal();
  ensureDirSync(dirname(path));
  let fd: number;
  if (resume && existsSync(path)) {
    let header: Record<string, unknown> | null = null;
    // cut a torn last line (kill -9 mid-write) so the next append starts clean
    const end = forEachLine(path, (raw, n) => {
      if (raw.trim() === "") return;
      let line: Line;
      try {
        line = parsePythonJson(raw) as Line;
      } catch {
        throw new JournalError(`${path}: line ${n} is not JSON`);
      }
      if (line.t === "header") header = line.run;
      else if (line.t === "call") mem.recordCall(line.key, line.result);
      else if (line.t === "eval") mem.recordEvaluation(line.key, line.result);
      else if (line.t === "drop") mem.retract([line.key]);
    });
    if (header === null) {
      // an empty or header-less file: nothing was finished, start over
      fd = openSync(path, "w");
      writeLine(fd, { t: "header", run: identity });
    } else {
      const want = JSON.stringify(identity);
      if (JSON.stringify(header) !== want)
        throw new JournalError(
          `${path}: the journal belongs to another run (${JSON.stringify(header)}), not ${want}`,
        );
      fd = openSync(path, "r+");
      if (fstatSync(fd).size !== end) ftruncateSync(fd, end);
      closeSync(fd);
      fd = openSync(path, "a");
    }
  } else {
    fd = openSync(path, "w");
    writeLine(fd, { t: "header", run: identity });
  }
  let open = true;
  return {
    call: mem.call,
    evaluation: mem.evaluation,
    get callCount() {
      return mem.callCount;
    },
    recordCall(key, result) {
      mem.recordCall(key, result);
      if (open) writeLine(fd, { t: "call", key, result });
    },
    recordEvaluation(key, result) {
      mem.recordEvaluation(key, result);
      if (open) writeLine(fd, { t: "eval", key, result });
    },
    calls: () => mem.calls(),
    retract(keys) {
      mem.retract(keys);
      if (open) for (const key of keys) writeLine(fd, { t: "drop", key });
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/**
 * Calls `each` on every complete line of the file (1-based line numbers),
 * reading 1 MiB at a time, never the whole file as one string. Returns the
 * byte length up to the end of the last complete line.
 */
function forEachLine(path: string, each: (line: string, n: number) => void): number {
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry: Buffer[] = [];
    let carried = 0;
    let consumed = 0;
    let n = 0;
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      let start = 0;
      for (let nl = chunk.indexOf(10, 0); nl !== -1 && nl < got; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        const bytes = carried > 0 ? Buffer.concat([...carry, piece]) : piece;
        consumed += bytes.length + 1;
        carry = [];
        carried = 0;
        each(bytes.toString("utf8"), ++n);
        start = nl + 1;
      }
      if (start < got) {
        carry.push(Buffer.from(chunk.subarray(start, got)));
        carried += got - start;
      }
    }
    return consumed;
  } finally {
    closeSync(fd);
  }
}

function writeLine(fd: number, line: Line): void {
  writeSync(fd, `${stringifyPythonJson(line)}\n`);
}
