/**
 * The `evoalloc` command line. Each command lives in its own file that
 * registers itself on the program: parse, validate with zod, call the core,
 * print. Only this entry point decides exit codes (see errors.ts).
 */
import { Command, CommanderError } from "commander";
import { version } from "../version.ts";
import { Failure, UsageError } from "./errors.ts";
import * as fit from "./fit.ts";
import * as replay from "./replay.ts";
import * as report from "./report.ts";
import * as run from "./run.ts";
import * as serve from "./serve.ts";
import * as summarize from "./summarize.ts";
import * as sweep from "./sweep.ts";
import * as validate from "./validate.ts";

export type Register = (program: Command) => void;

// One line per command module; keep the order of `evoalloc --help`.
const commands: Register[] = [
  run.register,
  validate.register,
  summarize.register,
  serve.register,
  replay.register,
  sweep.register,
  report.register,
  fit.register,
];

export function buildProgram(): Command {
  const program = new Command("evoalloc")
    .description("Budget allocation for LLM-guided evolutionary search: run, replay, analyse.")
    .version(version)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI on `argv` (process.argv shape) and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; parse errors were already printed by commander
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      )
        return 0;
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`evoalloc: ${err.message}\n`);
      return 2;
    }
    if (err instanceof Failure) {
      process.stderr.write(`evoalloc: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(
      `evoalloc: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
