/**
 * `evoalloc sweep`: the T × N sweep at a fixed budget C from logged greedy
 * runs: for each split T·N = C, the distribution of final fitness over seeds.
 */
import type { Command } from "commander";
import { z } from "zod";
import { importedReliability } from "../import/pools.ts";
import { ReplayError, type SweepResult, sweep } from "../replay/index.ts";
import { UsageError } from "./errors.ts";
import { numberArg, parseOptions, posIntArg, printJson } from "./options.ts";
import { loadRuns, selectGreedy, selectImportedPool } from "./results.ts";
import { formatTable } from "./table.ts";

const Options = z.object({
  results: z.string().min(1),
  task: z.string().min(1),
  model: z.string().min(1),
  C: z.number().int().positive("must be a positive integer"),
  prefixes: z.boolean().optional(),
  threshold: z.number().optional(),
  system: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

/** The `--json` object. */
export function sweepJson(res: SweepResult): Record<string, unknown> {
  return {
    task: res.task,
    model: res.model,
    C: res.C,
    prefixes: res.prefixes,
    threshold: res.threshold,
    splits: res.splits.map(({ finals: _finals, ...split }) => split),
  };
}

const f4 = (x: number | null): string => (x === null ? "-" : x.toFixed(4));
const sci = (x: number | null): string => (x === null ? "-" : x.toExponential(3));

function greedySweep(opts: z.infer<typeof Options>, all: Awaited<ReturnType<typeof loadRuns>>): SweepResult {
  const runs = selectGreedy(all, opts.results, opts.task, opts.model);
  try {
    return sweep(runs, opts);
  } catch (err) {
    if (err instanceof ReplayError) throw new UsageError(err.message);
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command("sweep")
    .description(
      "Final fitness over seeds for every split T·N = C of one (task, model), from logged greedy runs.",
    )
    .requiredOption("--results <dir>", "results folder (searched recursively)")
    .requiredOption("--task <task>", "task key")
    .requiredOption("--model <model>", "model key")
    .requiredOption("--C <c>", "budget in LLM calls (T·N)", posIntArg("--C"))
    .option("--prefixes", "also count the first T generations of deeper runs with the same N")
    .option("--threshold <x>", "success = final fitness >= x", numberArg("--threshold"))
    .option(
      "--system <name>",
      "imported runs of this system instead: their best after C calls (T = C, N = 1; longer runs through their first C calls)",
    )
    .option("--json", "print the result as JSON")
    .action(async (raw: unknown) => {
      const opts = parseOptions(Options, raw);
      let res: SweepResult;
      if (opts.system) {
        const { pool, records } = await selectImportedPool(opts.results, opts.system, opts.task, opts.model);
        for (const w of pool.warnings) process.stderr.write(`evoalloc: ${w}\n`);
        const split = importedReliability(pool, records, opts.C, opts.threshold);
        if (split.n_runs === 0)
          throw new UsageError(
            `--C: no ${opts.system} run of ${opts.task}/${opts.model} made ${opts.C} calls (most: ${Math.max(...pool.depths)})`,
          );
        res = {
          task: opts.task,
          model: opts.model,
          C: opts.C,
          prefixes: true,
          threshold: opts.threshold ?? null,
          splits: [split],
        };
      } else res = greedySweep(opts, await loadRuns(opts.results));
      if (res.splits.every((s) => s.n_runs === 0)) {
        const runs = selectGreedy(await loadRuns(opts.results), opts.results, opts.task, opts.model);
        const cs = [...new Set(runs.map((r) => r.run.C))].sort((a, b) => a - b);
        throw new UsageError(
          `--C: no runs of ${opts.task}/${opts.model} at C=${opts.C}${opts.prefixes ? " (prefixes included)" : ""} (C available: ${cs.join(", ")}${opts.prefixes ? "" : "; try --prefixes"})`,
        );
      }
      if (opts.json) {
        printJson(sweepJson(res));
        return;
      }
      process.stdout.write(
        `${res.task} / ${res.model}  C=${res.C}${res.prefixes ? "  (with prefixes of deeper runs)" : ""}\n${formatTable(
          [
            "T",
            "N",
            "runs",
            "mean",
            "95% CI (t)",
            "sd",
            "median",
            "q25",
            "q75",
            "min",
            "max",
            "success",
            "E[max of k]",
            "FLOPs",
          ],
          res.splits.map((s) => [
            s.T,
            s.N,
            s.n_runs,
            f4(s.mean),
            s.ci95 ? `[${f4(s.ci95[0])}, ${f4(s.ci95[1])}]` : s.n_runs === 1 ? "1 seed: none" : "-",
            f4(s.sd),
            f4(s.median),
            f4(s.q25),
            f4(s.q75),
            f4(s.min),
            f4(s.max),
            f4(s.success_rate),
            s.expected_max.length > 0 ? `k=${s.expected_max.length}: ${f4(s.expected_max.at(-1)!)}` : "-",
            sci(s.mean_flops),
          ]),
        )}\n`,
      );
    });
}
