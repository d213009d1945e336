/**
 * `evoalloc report [--results DIR] [--out DIR] [--format svg,png,html]`:
 * the figures, fit tables and self-contained HTML report of a results tree.
 * A progress bar goes to stderr; `--json` prints what was written.
 */
import { stat } from "node:fs/promises";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { z } from "zod";
import { FORMATS, type Format, type Progress, runReport } from "../analysis/report.ts";
import { TIMEOUT_POLICIES } from "../log/kinds.ts";
import { UsageError } from "./errors.ts";
import { ensureOutputDir, intArg, numberListArg, parseOptions, printJson } from "./options.ts";

const Options = z.object({
  results: z.string().min(1),
  out: z.string().min(1),
  format: z.string(),
  bootstrap: z.number().int().nonnegative("must be an integer >= 0"),
  maxInstances: z.number().int().positive("must be a positive integer"),
  timeoutPolicy: z.enum(TIMEOUT_POLICIES, {
    message: `must be one of ${TIMEOUT_POLICIES.join(", ")}`,
  }),
  seed: z.number().int(),
  tau: z.array(z.number()).optional(),
  progress: z.boolean(),
  json: z.boolean().optional(),
});

/** "svg,png" → ["svg", "png"]; throws a UsageError naming the unknown format. */
export function parseFormats(value: string): Format[] {
  const parts = value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  if (parts.length === 0) throw new UsageError(`--format: empty (choose from ${FORMATS.join(", ")})`);
  for (const p of parts)
    if (!(FORMATS as readonly string[]).includes(p))
      throw new UsageError(`--format: unknown format "${p}" (choose from ${FORMATS.join(", ")})`);
  return [...new Set(parts)] as Format[];
}

/**
 * The page's time stamp from SOURCE_DATE_EPOCH (seconds since 1970, the
 * reproducible-builds convention), or none when it is unset or empty.
 *
 * @throws UsageError when it is not a whole number of seconds.
 * @example sourceDate("0") // => "1970-01-01T00:00:00Z"
 */
export function sourceDate(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d{1,12}$/.test(value))
    throw new UsageError(`SOURCE_DATE_EPOCH: "${value}" is not a whole number of seconds since 1970`);
  return new Date(Number(value) * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

/** A cli-progress bar on stderr (drawn only on a terminal). */
function progressBar(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { stage() {}, tick() {}, done() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: " {stage} [{bar}] {value}/{total} {detail}",
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    stage(name, total) {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { stage: name.padEnd(17), detail: "" });
        started = true;
      } else {
        bar.setTotal(Math.max(total, 1));
        bar.update(0, { stage: name.padEnd(17), detail: "" });
      }
    },
    tick(detail) {
      bar.increment(1, { detail: detail ?? "" });
    },
    done() {
      if (started) bar.stop();
    },
  };
}

export function register(program: Command): void {
  program
    .command("report")
    .description(
      "Figures (Vega-Lite, SVG, PNG), fit tables, CSV tables and one self-contained HTML report from a results tree.",
    )
    .option("--results <dir>", "results folder (searched recursively)", "results")
    .option("--out <dir>", "output folder", "reports")
    .option("--format <list>", `comma-separated formats among ${FORMATS.join(", ")}`, FORMATS.join(","))
    .option("--bootstrap <B>", "bootstrap resamples behind the replay intervals", intArg("--bootstrap"), 200)
    .option(
      "--max-instances <M>",
      "replay instances per pool (every K-subset up to M, else a seeded sample of M)",
      intArg("--max-instances"),
      2000,
    )
    .option(
      "--timeout-policy <policy>",
      `how timed-out calls count on the FLOPs axis (${TIMEOUT_POLICIES.join(", ")})`,
      "worst_case",
    )
    .option("--seed <s>", "seed of the replay instances and bootstrap", intArg("--seed"), 0)
    .option(
      "--tau <list>",
      "threshold-reaching levels τ, comma-separated (default: 50%, 75% and 90% of the best fitness seen per task)",
      numberListArg("--tau"),
    )
    .option("--no-progress", "no progress bar")
    .option("--json", "print a JSON summary of what was written")
    .action(async (raw: unknown) => {
      const opts = parseOptions(Options, raw);
      const formats = parseFormats(opts.format);
      const generated = sourceDate(process.env.SOURCE_DATE_EPOCH);
      const info = await stat(opts.results).catch(() => null);
      if (!info?.isDirectory()) throw new UsageError(`--results: "${opts.results}" is not a readable folder`);
      await ensureOutputDir("--out", opts.out);
      const summary = await runReport(
        {
          results: opts.results,
          out: opts.out,
          formats,
          bootstrap: opts.bootstrap,
          maxInstances: opts.maxInstances,
          timeoutPolicy: opts.timeoutPolicy,
          seed: opts.seed,
          ...(opts.tau ? { tau: opts.tau } : {}),
          ...(generated ? { generated } : {}),
        },
        progressBar(opts.progress && !opts.json),
      );
      if (summary.problem_files.length > 0)
        process.stderr.write(
          `evoalloc: ${summary.problem_files.length} result file(s) could not be used; they are listed in the report\n`,
        );
      if (opts.json) {
        printJson(summary);
        return;
      }
      const page = formats.includes("html") ? `${opts.out}/index.html` : opts.out;
      process.stderr.write(
        `${summary.runs} greedy and ${summary.bandits} bandit runs → ${summary.figures.length} figures` +
          `${summary.skipped.length ? ` (${summary.skipped.length} not drawn: ${summary.skipped.map((s) => s.name).join(", ")})` : ""}` +
          ` in ${summary.seconds.toFixed(1)} s\n`,
      );
      process.stdout.write(`${page}\n`);
    });
}
