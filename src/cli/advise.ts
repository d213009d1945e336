/**
 * `evoalloc advise --results DIR --task T --model M --C budget [--json]`: how
 * to spend C calls on one (task, model) — the split, whether parallel arms
 * help, threshold-reaching, what data would sharpen the answer.
 * `advise --validate`: leave-one-split-out check of the Φ-model's predictions.
 */
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import { type Advice, adviceText, advise } from "../analysis/advise.ts";
import { type ValidationCell, validatePhi } from "../analysis/advise-validate.ts";
import { fitPhi } from "../analysis/phi.ts";
import { longestCurves, splitOutcomes } from "../analysis/splits.ts";
import { onlineReach, tausOf } from "../analysis/studies.ts";
import { TableBuilder } from "../analysis/tables.ts";
import { type ReadEvent, type RunRecord, readResults } from "../log/read.ts";
import { buildPools } from "../replay/index.ts";
import { taskCeilings } from "../run/tasks.ts";
import { UsageError } from "./errors.ts";
import { intArg, numberListArg, parseOptions, posIntArg, printJson } from "./options.ts";
import { formatTable } from "./table.ts";

const Options = z.object({
  results: z.string().min(1),
  task: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  C: z.number().int().positive("must be a positive integer").optional(),
  tau: z.array(z.number()).optional(),
  tasksDir: z.string().min(1).optional(),
  bootstrap: z.number().int().nonnegative("must be an integer >= 0"),
  seed: z.number().int(),
  validate: z.boolean().optional(),
  json: z.boolean().optional(),
});

/**
 * One streaming pass: the tables, and the greedy runs without their children
 * (pools need only the best-so-far curves), so memory and GC stay small.
 */
async function readSlim(
  dir: string,
): Promise<{ tables: ReturnType<TableBuilder["finish"]>; runs: RunRecord[] }> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new UsageError(`--results: cannot read "${dir}"`);
  const builder = new TableBuilder();
  const runs: RunRecord[] = [];
  for await (const e of readResults([dir]) as AsyncIterable<ReadEvent>) {
    builder.add(e);
    if (e.kind === "greedy")
      runs.push({
        ...e,
        run: { ...e.run, trajectory: e.run.trajectory.map((g) => ({ ...g, children: [] })) },
      });
  }
  const tables = builder.finish();
  const files = new Set(tables.problems.map((p) => p.file));
  if (files.size > 0)
    process.stderr.write(
      `evoalloc: ${files.size} file(s) under ${dir} have problems and were left out (see evoalloc validate ${dir})\n`,
    );
  return { tables, runs };
}

const f4 = (v: number | null | undefined) => (v === null || v === undefined ? "-" : v.toFixed(4));
const ci = (c: [number, number] | null) => (c ? `[${f4(c[0])}, ${f4(c[1])}]` : "-");

function adviceReport(a: Advice): string {
  const out = [`${a.task} / ${a.model}  C=${a.C}`, "", ...adviceText(a), ""];
  out.push(
    formatTable(
      ["T", "N", "seeds", "observed", "95% CI", "Φ-model", "95% CI", "best − this", "95% CI", "Holm p"],
      a.splits.map((s) => {
        const c = a.comparisons.find((x) => x.T === s.T && x.N === s.N);
        const best = a.recommended?.T === s.T && a.recommended.N === s.N;
        return [
          s.T,
          s.N,
          s.n_seeds,
          f4(s.observed),
          ci(s.observed_ci95),
          f4(s.predicted),
          ci(s.predicted_ci95),
          best ? "(best)" : c ? f4(c.difference) : "-",
          c ? ci(c.ci95) : "-",
          c?.p_holm === null || c?.p_holm === undefined ? "-" : c.p_holm.toPrecision(2),
        ];
      }),
    ),
  );
  if (a.threshold.length) {
    out.push("", "Threshold-reaching within C (calls until 90% of seed resamples reach τ):");
    out.push(
      formatTable(
        ["τ", "method", "calls"],
        a.threshold.map((t) => [
          `${t.tau.toPrecision(3)}${t.tau_level === null ? "" : ` (${Math.round(t.tau_level * 100)}%)`}`,
          t.method,
          t.calls === null ? "not reached" : String(t.calls),
        ]),
      ),
    );
  }
  if (a.data_gaps.length)
    out.push("", "What would sharpen the answer:", ...a.data_gaps.map((g) => `  - ${g}`));
  if (a.notes.length) out.push("", "Notes:", ...a.notes.map((n) => `  - ${n}`));
  return `${out.join("\n")}\n`;
}

function validationReport(cells: ValidationCell[]): string {
  const out: string[] = [
    "Φ-model, leave one split out: each split's mean predicted by a fit without it.",
    "z = (observed − predicted) / the split's seed standard error; coverage: observed mean inside the 95% prediction interval.",
  ];
  for (const c of cells) {
    out.push(
      "",
      `${c.task} / ${c.model}: ${c.n_scored} of ${c.n_splits} splits scored; mean |z| = ${f4(c.mean_abs_z)}, coverage = ${c.coverage === null ? "-" : c.coverage.toFixed(3)}, mean |error| = ${f4(c.mean_abs_error)}`,
    );
    out.push(
      formatTable(
        ["C", "T", "N", "seeds", "observed", "se", "predicted", "95% PI", "z", "note"],
        c.rows.map((r) => [
          r.C,
          r.T,
          r.N,
          r.n_seeds,
          f4(r.observed),
          f4(r.se),
          f4(r.predicted),
          ci(r.prediction_interval),
          r.z === null ? "-" : r.z.toFixed(2),
          r.note ?? "",
        ]),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}

export function register(program: Command): void {
  program
    .command("advise")
    .description(
      "How to spend a budget of C calls on one (task, model): the split T × N, parallel arms, threshold-reaching, data gaps.",
    )
    .requiredOption("--results <dir>", "results folder (searched recursively)")
    .option("--task <task>", "task key (required unless --validate)")
    .option("--model <model>", "model key (required unless --validate)")
    .option("--C <c>", "budget in LLM calls (required unless --validate)", posIntArg("--C"))
    .option(
      "--tau <list>",
      "threshold-reaching levels τ, comma-separated (default: 50%, 75%, 90% of the best fitness seen)",
      numberListArg("--tau"),
    )
    .option(
      "--tasks-dir <dir>",
      "task folders, for each task's ceiling V* (task.json `ceiling`; default 1.0)",
    )
    .option("--bootstrap <B>", "bootstrap resamples behind the replay intervals", intArg("--bootstrap"), 200)
    .option("--seed <s>", "seed of every random choice", intArg("--seed"), 0)
    .option(
      "--validate",
      "leave-one-split-out check of the Φ-model's predictions (every task and model, or the ones given)",
    )
    .option("--json", "print the result as JSON")
    .action(async (raw: unknown) => {
      const opts = parseOptions(Options, raw);
      const { tables, runs } = await readSlim(opts.results);
      const outcomes = splitOutcomes(tables);
      const cells = [...new Set(outcomes.map((o) => `${o.task}\u0000${o.model}`))].sort();
      if (cells.length === 0) throw new UsageError(`--results: no greedy runs under ${opts.results}`);
      const tasks = [...new Set(outcomes.map((o) => o.task))];
      const known = (what: "task" | "model", v: string | undefined, among: string[]) => {
        if (v !== undefined && !among.includes(v))
          throw new UsageError(
            `--${what}: no greedy runs with ${what} "${v}" under ${opts.results} (${what}s: ${among.join(", ")})`,
          );
      };
      known("task", opts.task, tasks);
      if (opts.task)
        known("model", opts.model, [
          ...new Set(outcomes.filter((o) => o.task === opts.task).map((o) => o.model)),
        ]);
      const ceilings = taskCeilings(tasks, opts.tasksDir);
      const fitOpts = (task: string) => {
        const c = ceilings.get(task)!;
        return { ceiling: c.ceiling, ceilingSource: c.source, seed: opts.seed };
      };

      if (opts.validate) {
        const result = cells
          .map((k) => k.split("\u0000") as [string, string])
          .filter(([t, m]) => (!opts.task || t === opts.task) && (!opts.model || m === opts.model))
          .map(([t, m]) =>
            validatePhi(
              outcomes.filter((o) => o.task === t && o.model === m),
              fitOpts(t),
            ),
          );
        if (opts.json) printJson({ validation: result });
        else process.stdout.write(validationReport(result));
        return;
      }
      if (!opts.task) throw new UsageError("--task: required (or --validate)");
      if (!opts.model) throw new UsageError("--model: required (or --validate)");
      if (opts.C === undefined) throw new UsageError("--C: required (or --validate)");
      const { task, model, C } = opts;
      const mine = outcomes.filter((o) => o.task === task && o.model === model);
      const curves = longestCurves(tables).filter((c) => c.task === task && c.model === model);
      const taus = tausOf(tables, opts.tau).get(task) ?? [];
      const advice = advise(
        {
          task,
          model,
          C,
          outcomes: mine,
          curves,
          phi: fitPhi(mine, { ...fitOpts(task), bootstrap: 0 }),
          pools: buildPools(runs).filter((p) => p.task === task && p.model === model),
          online: onlineReach(tables, curves, new Map([[task, taus]]), 1000, opts.seed).filter(
            (r) => r.model === model,
          ),
          taus,
        },
        { bootstrap: opts.bootstrap, seed: opts.seed },
      );
      if (opts.json) printJson(advice);
      else process.stdout.write(adviceReport(advice));
    });
}
