/**
 * The `evoalloc` command line. Each command lives in its own file that
 * registers itself on the program: parse, validate with zod, call the core,
 * print. Only this entry point decides exit codes (see errors.ts).
 */
import { Command, CommanderError } from "commander";
import { fsErrorText } from "../log/write.ts";
import { version } from "../version.ts";
import { Failure, UsageError } from "./errors.ts";

export type Register = (program: Command) => void;

// One line per command module, in the order of `evoalloc --help`. Modules are
// imported on demand: a command loads only its own module (the analysis and
// runner stacks cost about a second of startup), `--help` loads them all.
const commands: [name: string, load: () => Promise<{ register: Register }>][] = [
  ["run", () => import("./run/index.ts")],
  ["validate", () => import("./validate.ts")],
  ["summarize", () => import("./summarize.ts")],
  ["import", () => import("./import.ts")],
  ["serve", () => import("./serve.ts")],
  ["replay", () => import("./replay.ts")],
  ["sweep", () => import("./sweep.ts")],
  ["report", () => import("./report.ts")],
  ["fit", () => import("./fit.ts")],
  ["advise", () => import("./advise.ts")],
  ["tasks", () => import("./tasks.ts")],
  ["models", () => import("./models.ts")],
];

/** The program with every command, or only the one named by argv[2] when it is a command. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("evoalloc")
    .description("Budget allocation for LLM-guided evolutionary search: run, replay, analyse.")
    .version(version)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const named = commands.filter(([name]) => name === argv[2]);
  for (const [, load] of named.length === 1 ? named : commands) (await load()).register(program);
  return program;
}

/** Runs the CLI on `argv` (process.argv shape) and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
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
    if (typeof (err as NodeJS.ErrnoException)?.syscall === "string") {
      // the system refused (ENOSPC, EACCES, EROFS…): the environment's problem, not a bug
      process.stderr.write(`evoalloc: ${fsErrorText(err)}\n`);
      return 1;
    }
    process.stderr.write(
      `evoalloc: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
