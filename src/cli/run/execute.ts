/**
 * Executing one greedy or bandit run from the CLI: `runToFile` (the run-file
 * life cycle: journal, resume, atomic result) with Ctrl-C, progress, the
 * messages that say how to resume, and the summary on stdout.
 */
import { readFile } from "node:fs/promises";
import { failedCallsWarning, runHealth } from "../../log/health.ts";
import { parsePythonJson } from "../../log/json.ts";
import type { BanditRun, GreedyRun } from "../../log/schema.ts";
import { InitialProgramError, RunError } from "../../run/errors.ts";
import type { RunnerDeps, RunnerEvent } from "../../run/greedy.ts";
import { RunFileError, RunStopped, type RunToFileResult, runToFile } from "../../run/run-file.ts";
import { Failure, UsageError } from "../errors.ts";
import { commandArgs } from "../main.ts";
import { commandName, printJson } from "../options.ts";
import { interruptOnSignal } from "./interrupt.ts";
import type { RunOptions } from "./options.ts";
import { createProgress } from "./progress.ts";
import type { RunSetup } from "./setup.ts";

/** The command line that resumes this run (the current one plus --resume). */
export function resumeCommand(argv: string[] = commandArgs(), name = commandName()): string {
  const args = argv.includes("--resume") ? argv : [...argv, "--resume"];
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [name, ...args.filter((a) => a !== "--force").map(quote)].join(" ");
}

/** One greedy or bandit run as the CLI executes it. */
export interface Execution<R> {
  kind: "greedy" | "bandit";
  label: string;
  output: string;
  identity: Record<string, unknown>;
  totalCalls: number;
  opts: RunOptions;
  setup: RunSetup;
  core: (deps: RunnerDeps) => Promise<R>;
  summary: (result: R) => Record<string, unknown>;
}

/**
 * The CLI around `runToFile`: Ctrl-C handling, progress, messages, the
 * resume command, the summary.
 */
export async function execute<R extends GreedyRun | BanditRun>(x: Execution<R>): Promise<void> {
  const { opts, output } = x;
  const stop = interruptOnSignal(
    "stopping (in-flight calls and evaluations are cancelled)…",
    (sig) => new RunInterrupted(sig),
  );
  const progress = createProgress({ label: x.label, total: x.totalCalls });
  let outcome: RunToFileResult<R>;
  try {
    outcome = await runToFile<R>({
      output,
      identity: x.identity,
      resume: opts.resume,
      force: opts.force,
      indent: 2,
      maxConsecutiveFailures: opts.maxConsecutiveFailures,
      preflight: async () => {
        for (const w of (await x.setup.client.preflight?.()) ?? [])
          process.stderr.write(`evoalloc: warning: ${w}\n`);
      },
      evaluator: () => x.setup.startEvaluator(),
      releaseEvaluator: (ev) => ev.close(),
      core: x.core,
      deps: {
        client: x.setup.client,
        llmLimit: x.setup.llmLimit,
        evalLimit: x.setup.evalLimit,
        now: () => performance.now() / 1000,
        signal: stop.signal,
        onEvent: (e: RunnerEvent) => progress.onEvent(e),
      },
      onStart: ({ replayed, journal }) => {
        stop.listen();
        if (opts.resume && replayed > 0)
          process.stderr.write(
            `evoalloc: resuming ${journal}: ${replayed} finished calls are replayed, not repeated\n`,
          );
      },
    });
  } catch (err) {
    progress.stop();
    if (err instanceof RunFileError)
      throw new UsageError(`${err.flag === "resume" ? "--resume" : "--output"}: ${err.message}`);
    if (err instanceof RunError) throw new Failure(err.message);
    if (!(err instanceof RunStopped)) throw err;
    if (err.interrupted) {
      process.stderr.write(
        `evoalloc: interrupted; ${err.calls} of ${x.totalCalls} calls are in the journal ${err.journal}\n` +
          `resume with:\n  ${resumeCommand()}\n`,
      );
      process.exitCode = 130;
      return;
    }
    // the journal keeps what finished: after fixing the cause, the run continues where it stopped
    if (err.cause instanceof InitialProgramError) process.stderr.write(`${err.cause.detail.trimEnd()}\n`);
    process.stderr.write(
      err.journal === null
        ? "evoalloc: the run stopped before any call finished; rerun the command after fixing the cause\n"
        : `evoalloc: the run stopped; ${err.calls} of ${x.totalCalls} calls are in the journal ${err.journal}\n` +
            `after fixing the cause, resume with:\n  ${resumeCommand()}\n`,
    );
    if (err.cause instanceof RunError) throw new Failure(err.cause.message);
    throw err.cause;
  } finally {
    stop.dispose();
  }
  progress.stop();
  if (outcome.state === "complete") {
    // finished already: resuming is a no-op, so scripts can rerun a grid safely
    process.stderr.write(`evoalloc: ${output} is complete; nothing to resume\n`);
    report(x, parsePythonJson(await readFile(output, "utf8")) as R);
    return;
  }
  report(x, outcome.result);
}

function report<R extends GreedyRun | BanditRun>(x: Execution<R>, result: R): void {
  const health = runHealth(result);
  const summary = { output: x.output, ...x.summary(result), ...health };
  const warning = failedCallsWarning(health);
  if (warning !== null) process.stderr.write(`evoalloc: warning: ${warning}\n`);
  if (x.opts.json) printJson(summary);
  else
    process.stdout.write(
      `${Object.entries(summary)
        .map(
          ([k, v]) =>
            `${k}: ${
              typeof v === "number" && !Number.isInteger(v)
                ? v.toFixed(6)
                : typeof v === "object" && v !== null
                  ? Object.entries(v)
                      .map(([s, n]) => `${s} ${n}`)
                      .join(", ")
                  : String(v)
            }`,
        )
        .join("\n")}\n`,
    );
}

/** The reason a run stopped on Ctrl-C (SIGINT) or SIGTERM. */
export class RunInterrupted extends Error {
  override name = "RunInterrupted";
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
  }
}
