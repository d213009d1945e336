/**
 * The `evoalloc` command line. Each command lives in its own module that
 * registers itself on the program: parse, validate with zod, call the core,
 * print. Only this entry point decides exit codes (see errors.ts); `main`
 * returns the code, the launcher (bin/evoalloc.js) sets it, so tests call
 * `main` in-process.
 *
 *   argv ─> command named? ─yes─> import its module only ─> parse ─> exit code
 *                          └─no──> the table below (no module) ─> help, version or usage error
 */
import { Command, CommanderError, Help } from "commander";
import { fsErrorText } from "../log/write.ts";
import { version } from "../version.ts";
import { Failure, UsageError } from "./errors.ts";

export type Register = (program: Command) => void;

/** One command of `evoalloc --help`: what the list shows, and the module that registers it. */
export interface CommandEntry {
  name: string;
  /** the arguments shown after the name in the list (commander's own term for the module's command) */
  usage: string;
  description: string;
  load: () => Promise<{ register: Register }>;
}

// The top-level help shows this table and imports no command module (the analysis and runner stacks
// cost several times the CPU of the help itself); a command imports only its own module.
// test/cli-main.test.ts checks the usage and description against the modules'.
export const commands: readonly CommandEntry[] = [
  {
    name: "run",
    usage: "",
    description: `Run experiments online against an OpenAI-compatible endpoint (evoalloc ${version}).`,
    load: () => import("./run/index.ts"),
  },
  {
    name: "validate",
    usage: "[options] <paths...>",
    description: "Check result files against the log contract (schema, FLOPs, trajectory invariants).",
    load: () => import("./validate.ts"),
  },
  {
    name: "summarize",
    usage: "[options] <paths...>",
    description: "One row per run: task, model, split, seed, final fitness and recomputed FLOPs.",
    load: () => import("./summarize.ts"),
  },
  {
    name: "import",
    usage: "[options] <system-or-dir> [dirs...]",
    description:
      "Import OpenEvolve, ShinkaEvolve or LLM4AD run folders as imported runs (replay, sweep, report read them).",
    load: () => import("./import.ts"),
  },
  {
    name: "serve",
    usage: "[options]",
    description:
      "OpenAI-compatible dry-run endpoint whose model is the built-in mutator (POST /v1/chat/completions, GET /v1/models)",
    load: () => import("./serve.ts"),
  },
  {
    name: "worker",
    usage: "[options]",
    description:
      "Run the jobs of grids enqueued with `run grid --queue` (many machines: README, Many machines)",
    load: () => import("./worker.ts"),
  },
  {
    name: "grid",
    usage: "",
    description: "Grids spread over machines (see `run grid --queue`)",
    load: () => import("./grid-status.ts"),
  },
  {
    name: "replay",
    usage: "[options]",
    description:
      "Replay allocation policies over logged greedy runs of one (task, model, N), against the uniform, single-run and oracle allocations.",
    load: () => import("./replay.ts"),
  },
  {
    name: "sweep",
    usage: "[options]",
    description:
      "Final fitness over seeds for every split T·N = C of one (task, model), from logged greedy runs.",
    load: () => import("./sweep.ts"),
  },
  {
    name: "report",
    usage: "[options]",
    description:
      "Figures (Vega-Lite, SVG, PNG), fit tables, CSV tables and one self-contained HTML report from a results tree.",
    load: () => import("./report.ts"),
  },
  {
    name: "fit",
    usage: "[options]",
    description:
      "The Φ-model and bilinear depth–breadth fits, saturating learning curves and the fitness–compute envelope.",
    load: () => import("./fit.ts"),
  },
  {
    name: "advise",
    usage: "[options]",
    description:
      "How to spend a budget of C calls on one (task, model): the split T × N, parallel arms, threshold-reaching, data gaps.",
    load: () => import("./advise.ts"),
  },
  {
    name: "tasks",
    usage: "[options]",
    description: "List the tasks (folders, entry, timeout, prompts and where each value came from).",
    load: () => import("./tasks.ts"),
  },
  {
    name: "models",
    usage: "[options]",
    description: "List the models (name sent to the API, active parameters, endpoint source).",
    load: () => import("./models.ts"),
  },
];

/** The program without its commands: name, description, version, help and error behaviour. */
export function baseProgram(): Command {
  return new Command("evoalloc")
    .description("Budget allocation for LLM-guided evolutionary search: run, replay, analyse.")
    .version(version)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
}

/**
 * The program for `argv` (process.argv shape): with the command that argv[2]
 * names (or argv[3] after `help`) registered by its module; otherwise with
 * every command listed from the table, none loaded, for the top-level help,
 * `--version` and the "unknown command" error (with its suggestion).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = baseProgram();
  const name = argv[2] === "help" ? argv[3] : argv[2];
  const named = commands.find((c) => c.name === name);
  if (named !== undefined) {
    (await named.load()).register(program);
    return program;
  }
  for (const c of commands) program.command(c.name).description(c.description);
  const usage = new Map(commands.map((c) => [c.name, c.usage]));
  const term = Help.prototype.subcommandTerm;
  program.configureHelp({
    subcommandTerm: (cmd) => {
      const args = usage.get(cmd.name());
      return args === undefined ? term.call(new Help(), cmd) : `${cmd.name()}${args ? ` ${args}` : ""}`;
    },
  });
  return program;
}

let running: readonly string[] = process.argv.slice(2);

/** The arguments (after `evoalloc`) of the command line being run, e.g. for the resume command a run prints. */
export const commandArgs = (): string[] => [...running];

/** Runs the CLI on `argv` (process.argv shape) and resolves to the exit code; never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  // commands that finish with problems set process.exitCode (validate, summarize…): read it, then put
  // back what the caller had, so that an in-process call leaves the process as it found it
  const before = { exitCode: process.exitCode, running };
  process.exitCode = undefined;
  running = argv.slice(2);
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    return exitCodeOf(err);
  } finally {
    process.exitCode = before.exitCode;
    running = before.running;
  }
}

/** The exit code of an error thrown by a command, its one-line message written to stderr. */
function exitCodeOf(err: unknown): number {
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
