/**
 * `evoalloc validate PATH...`: checks every run file; one line per problem,
 * `FILE: json.path: message`; exit 0 when all are valid, 1 otherwise.
 */
import type { Command } from "commander";
import type { Problem } from "../log/read.ts";
import { scanResults } from "../log/scan.ts";
import { Failure } from "./errors.ts";
import { printJson, scanCommand, threadCount } from "./options.ts";
import { formatProblem } from "./results.ts";

export interface ValidateReport {
  files: number;
  valid: number;
  invalid: number;
  skipped: string[];
  problems: Problem[];
  warnings: Problem[];
}

export async function validatePaths(
  paths: string[],
  onEvent?: (line: string) => void,
  threads?: number,
): Promise<ValidateReport> {
  const report: ValidateReport = { files: 0, valid: 0, invalid: 0, skipped: [], problems: [], warnings: [] };
  for await (const ev of scanResults(paths, { threads })) {
    report.files++;
    if (ev.kind === "skipped") {
      report.skipped.push(ev.file);
      onEvent?.(`${ev.file}: skipped: not a run file`);
    } else if (ev.kind === "problem") {
      report.invalid++;
      report.problems.push(...ev.problems);
      for (const p of ev.problems) onEvent?.(formatProblem(p));
    } else {
      report.valid++;
      report.warnings.push(...ev.warnings);
      for (const w of ev.warnings) process.stderr.write(`${formatProblem(w, "warning")}\n`);
    }
  }
  return report;
}

export function register(program: Command): void {
  scanCommand(
    program,
    "validate",
    "Check result files against the log contract (schema, FLOPs, trajectory invariants).",
    "print the report as JSON",
  ).action(async (paths: string[], opts: { json?: boolean; threads?: number }) => {
    const print = opts.json ? undefined : (line: string) => process.stdout.write(`${line}\n`);
    const report = await validatePaths(paths, print, threadCount(opts.threads));
    if (opts.json) printJson(report);
    else
      process.stderr.write(
        `${report.files} files: ${report.valid} valid, ${report.invalid} with problems, ${report.skipped.length} skipped\n`,
      );
    if (report.invalid > 0) process.exitCode = 1;
    if (report.files === 0) throw new Failure(`no result files found under ${paths.join(", ")}`);
  });
}
