/**
 * `evoalloc summarize PATH... [--json]`: one row per run, FLOPs recomputed
 * from the attempts. Bad files are reported on stderr (exit 1) and never
 * stop the others.
 */
import type { Command } from "commander";
import type { FlopsTotals } from "../log/flops.ts";
import { type RunRecord, readResults } from "../log/read.ts";
import { printJson } from "./options.ts";
import { formatTable } from "./table.ts";
import { formatProblem } from "./validate.ts";

export interface SummaryRow {
  path: string;
  kind: "greedy" | "bandit";
  task: string;
  model: string;
  algo: string | null;
  C: number;
  T: number;
  N: number;
  n_arms: number | null;
  seed: number;
  final_fitness: number;
  flops: FlopsTotals;
}

/** One summary row of a run (pure). */
export function summaryRow(rec: RunRecord): SummaryRow {
  const f = rec.flops;
  const flops = { worst_case: f.worst_case, exclude: f.exclude, bounded: f.bounded };
  if (rec.kind === "greedy") {
    const r = rec.run;
    return {
      path: rec.file,
      kind: "greedy",
      task: r.task,
      model: r.model,
      algo: null,
      C: r.C,
      T: r.T,
      N: r.N,
      n_arms: null,
      seed: r.seed,
      final_fitness: r.final_fitness,
      flops,
    };
  }
  const r = rec.run;
  return {
    path: rec.file,
    kind: "bandit",
    task: r.task,
    model: r.model,
    algo: r.algo,
    C: r.C,
    T: r.T_total,
    N: r.N,
    n_arms: r.n_arms,
    seed: r.bandit_seed,
    final_fitness: r.final_best_fitness,
    flops,
  };
}

const sci = (x: number): string => (x === 0 ? "0" : x.toExponential(3));

export function register(program: Command): void {
  program
    .command("summarize")
    .description("One row per run: task, model, split, seed, final fitness and recomputed FLOPs.")
    .argument("<paths...>", "result files or folders (searched recursively for .json and .json.gz)")
    .option("--json", "print a JSON array of rows")
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const rows: SummaryRow[] = [];
      let problems = 0;
      for await (const ev of readResults(paths)) {
        if (ev.kind === "problem") {
          problems++;
          for (const p of ev.problems) process.stderr.write(`${formatProblem(p)}\n`);
        } else if (ev.kind !== "skipped") rows.push(summaryRow(ev));
      }
      if (opts.json) printJson(rows);
      else {
        const table = formatTable(
          ["path", "kind", "task", "model", "algo", "C", "T", "N", "K", "seed", "final", "FLOPs (worst)"],
          rows.map((r) => [
            r.path,
            r.kind,
            r.task,
            r.model,
            r.algo ?? "-",
            r.C,
            r.T,
            r.N,
            r.n_arms ?? "-",
            r.seed,
            r.final_fitness.toFixed(6),
            sci(r.flops.worst_case),
          ]),
        );
        process.stdout.write(
          `${table}\n${rows.length} runs${problems > 0 ? `, ${problems} files with problems` : ""}\n`,
        );
      }
      if (problems > 0) process.exitCode = 1;
    });
}
