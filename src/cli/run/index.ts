/**
 * `evoalloc run greedy|bandit|grid`: online experiments against an
 * OpenAI-compatible endpoint (or the built-in mutator). One file per
 * subcommand (greedy.ts, bandit.ts, grid.ts), each adding itself to `run`;
 * greedy and bandit share their flags (options.ts), their side effects
 * (setup.ts, which grid also uses for the client and the sandbox) and the
 * run-file life cycle with Ctrl-C and progress (execute.ts).
 */
import type { Command } from "commander";
import { version } from "../../version.ts";
import { registerBandit } from "./bandit.ts";
import { registerGreedy } from "./greedy.ts";
import { registerGrid } from "./grid.ts";

// One line per subcommand.
const SUBCOMMANDS: ((run: Command) => void)[] = [registerGreedy, registerBandit, registerGrid];

export function register(program: Command): void {
  const run = program
    .command("run")
    .description(`Run experiments online against an OpenAI-compatible endpoint (evoalloc ${version}).`);
  for (const add of SUBCOMMANDS) add(run);
}
