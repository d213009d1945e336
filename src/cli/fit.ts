/**
 * `evoalloc fit --results DIR [--json]`: the Φ-model and bilinear
 * depth–breadth fits, the saturating learning curves and the envelope
 * frontier of a results tree
 * (the report's fit tables, without replay or figures).
 */
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import { analyse, taskKeys } from "../analysis/analysis.ts";
import { fitsReport, fitsText } from "../analysis/fits.ts";
import { PHI_RESPONSES, type PhiResponse } from "../analysis/phi.ts";
import { collectTables } from "../analysis/tables.ts";
import { TIMEOUT_POLICIES } from "../log/kinds.ts";
import { readResults } from "../log/read.ts";
import { taskCeilings } from "../run/tasks.ts";
import { UsageError } from "./errors.ts";
import { intArg, parseOptions, printJson } from "./options.ts";
import { reportLeftOut } from "./results.ts";

const Options = z.object({
  results: z.string().min(1),
  timeoutPolicy: z.enum(TIMEOUT_POLICIES, {
    message: `must be one of ${TIMEOUT_POLICIES.join(", ")}`,
  }),
  response: z.enum(PHI_RESPONSES as [PhiResponse, ...PhiResponse[]], {
    message: `must be one of ${PHI_RESPONSES.join(", ")}`,
  }),
  tasksDir: z.string().min(1).optional(),
  bootstrap: z.number().int().nonnegative("must be an integer >= 0"),
  seed: z.number().int(),
  json: z.boolean().optional(),
});

export function register(program: Command): void {
  program
    .command("fit")
    .description(
      "The Φ-model and bilinear depth–breadth fits, saturating learning curves and the fitness–compute envelope.",
    )
    .requiredOption("--results <dir>", "results folder (searched recursively)")
    .option(
      "--timeout-policy <policy>",
      `how timed-out calls count in the FLOPs envelope (${TIMEOUT_POLICIES.join(", ")})`,
      "worst_case",
    )
    .option(
      "--response <response>",
      "Φ-model response: log = ln(1 − V/V*) (the paper's form), linear = V",
      "log",
    )
    .option(
      "--tasks-dir <dir>",
      "task folders, for each task's ceiling V* (task.json `ceiling`; default 1.0)",
    )
    .option(
      "--bootstrap <B>",
      "seed-cluster bootstrap resamples of the Φ-model (0 = none)",
      intArg("--bootstrap"),
      1000,
    )
    .option("--seed <n>", "seed of the bootstrap", intArg("--seed"), 0)
    .option("--json", "print the fits as JSON")
    .action(async (raw: unknown) => {
      const opts = parseOptions(Options, raw);
      const info = await stat(opts.results).catch(() => null);
      if (!info) throw new UsageError(`--results: cannot read "${opts.results}"`);
      const tables = await collectTables(readResults([opts.results]));
      reportLeftOut(tables.problems, opts.results);
      const fits = fitsReport(
        analyse(tables, {
          flopsPolicy: opts.timeoutPolicy,
          ceilings: taskCeilings(taskKeys(tables), opts.tasksDir),
          phiResponse: opts.response,
          bootstrap: opts.bootstrap,
          seed: opts.seed,
        }),
      );
      const { replay: _replay, ...rest } = fits;
      if (opts.json) printJson(rest);
      else process.stdout.write(fitsText(fits));
    });
}
