/**
 * `evoalloc summarize PATH... [--json]`: one row per run, FLOPs recomputed
 * from the attempts. Bad files are reported on stderr (exit 1) and never
 * stop the others.
 */
import type { Command } from "commander";
import { scanResults } from "../log/scan.ts";
import type { SummaryRow } from "../log/summary.ts";
import { printJson, scanCommand, threadCount } from "./options.ts";
import { formatProblem } from "./results.ts";
import { formatTable } from "./table.ts";

const sci = (x: number): string => (Number.isNaN(x) ? "-" : x === 0 ? "0" : x.toExponential(3));

export function register(program: Command): void {
  scanCommand(
    program,
    "summarize",
    "One row per run: task, model, split, seed, final fitness and recomputed FLOPs.",
    "print a JSON array of rows",
  ).action(async (paths: string[], opts: { json?: boolean; threads?: number }) => {
    const rows: SummaryRow[] = [];
    let problems = 0;
    for await (const ev of scanResults(paths, { threads: threadCount(opts.threads) })) {
      if (ev.kind === "problem") {
        problems++;
        for (const p of ev.problems) process.stderr.write(`${formatProblem(p)}\n`);
      } else if (ev.kind === "run") {
        rows.push(ev.row);
        for (const w of ev.warnings) process.stderr.write(`${formatProblem(w, "warning")}\n`);
      }
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
