/**
 * `evoalloc run grid --config FILE`: a whole experiment grid (src/run/grid/grid.ts)
 * — tasks × models × (T, N) splits × seeds, plus online bandit runs — under
 * one limit on calls in flight and one on evaluations in flight. Skips runs
 * whose result file exists, resumes interrupted ones, shows overall progress
 * and prints a summary. Parse → validate → run the core → print.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, relative, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { parsePythonJson } from "../../log/json.ts";
import type { ModelSpec } from "../../log/models.ts";
import { RunError } from "../../run/errors.ts";
import { runGrid } from "../../run/grid/grid.ts";
import { type GridConfig, GridConfigError, parseGridConfig } from "../../run/grid/grid-config.ts";
import { checkGridPolicies, gridModels, gridTasks } from "../../run/grid/inputs.ts";
import { gridPlan } from "../../run/grid/plan.ts";
import type { GridSummary } from "../../run/grid/summary.ts";
import type { Task } from "../../run/ports.ts";
import { Failure, UsageError } from "../errors.ts";
import { commandName, ensureOutputDir, intArg, parseOptions, printJson } from "../options.ts";
import { formatPlan, formatSummary, gridLine, progressPrinter } from "./grid-print.ts";
import { interruptOnSignal } from "./interrupt.ts";
import { gridChatClient, startSandbox } from "./setup.ts";

const GridOptionsSchema = z.object({
  config: z.string({ error: "is required" }).min(1, "is required"),
  output: z.string().min(1).optional(),
  parallelLlm: z.number().int().positive().optional(),
  parallelEval: z.number().int().positive().optional(),
  parallelRuns: z.number().int().positive().optional(),
  dryRun: z.boolean().optional(),
  force: z.boolean().optional(),
  json: z.boolean().optional(),
  queue: z.string().min(1, "must be a redis:// URL").optional(),
  wait: z.boolean().optional(),
  runRetries: z.number().int().nonnegative().optional(),
  retryDelayMs: z.number().int().nonnegative().optional(),
});

/** Adds `grid` to the `run` command. */
export function registerGrid(run: Command): void {
  run
    .command("grid")
    .description(
      "Run an experiment grid from a JSON config: tasks × models × (T, N) splits × seeds, plus online bandit runs",
    )
    .option("--config <file>", "grid config (JSON; see results/grid.json)")
    .option(
      "--output <dir>",
      "root of the result tree (default: the config's output, relative to the config file)",
    )
    .option(
      "--parallel-llm <n>",
      "LLM calls in flight over all runs (default: the config's, 16)",
      intArg("--parallel-llm"),
    )
    .option(
      "--parallel-eval <n>",
      "evaluations in flight over all runs (default: the config's, else the number of cores)",
      intArg("--parallel-eval"),
    )
    .option(
      "--parallel-runs <n>",
      "runs in progress at once (default: the config's, 8)",
      intArg("--parallel-runs"),
    )
    .option(
      "--dry-run",
      "list every run (task, model, split or policy, output, state: done/partial/todo) and stop",
    )
    .option("--force", "redo every run: existing results and journals are replaced")
    .option("--json", "print the summary as JSON on stdout")
    .option(
      "--queue <url>",
      "spread the grid over machines: enqueue its runs on Redis (redis://[:password@]host[:port][/db];" +
        " default $EVOALLOC_QUEUE when set) for `evoalloc worker`s, then follow them",
    )
    .option("--no-wait", "with --queue: enqueue and return without following")
    .option(
      "--run-retries <n>",
      "with --queue: a failed run is tried again up to n times (default 2)",
      intArg("--run-retries"),
    )
    .option(
      "--retry-delay-ms <ms>",
      "with --queue: delay before a failed run's first retry, doubled at each (default 5000)",
      intArg("--retry-delay-ms"),
    )
    .addHelpText(
      "after",
      "\nRerun the same command after an interruption: finished runs are skipped, interrupted ones resume from their journals." +
        "\nWith --queue, rerunning adds no duplicate jobs and retries failed runs (README: Many machines).",
    )
    .action(async (raw: unknown) => gridCommand(parseOptions(GridOptionsSchema, raw)));
}

type GridOptions = z.infer<typeof GridOptionsSchema>;

/** A grid's checked inputs: its config (with the flags' overrides), file, result root, models and tasks. */
interface GridInputs {
  cfg: GridConfig;
  file: string;
  root: string;
  models: Record<string, ModelSpec>;
  tasks: Map<string, Task>;
}

/** `run grid`: its inputs checked, then the queue (with a queue URL), the plan (`--dry-run`) or the local grid. */
async function gridCommand(opts: GridOptions): Promise<void> {
  const { cfg, file } = readConfig(opts.config);
  if (opts.parallelLlm !== undefined) cfg.parallel_llm = opts.parallelLlm;
  if (opts.parallelEval !== undefined) cfg.parallel_eval = opts.parallelEval;
  if (opts.parallelRuns !== undefined) cfg.parallel_runs = opts.parallelRuns;
  const base = dirname(resolve(file));
  const root = resolve(opts.output ?? resolve(base, cfg.output));
  const queueUrl = opts.queue ?? (opts.dryRun ? undefined : process.env.EVOALLOC_QUEUE || undefined);
  // with a queue the workers call the endpoints, from their own environment
  const { models, tasks } = await gridInputs(cfg, file, base, queueUrl === undefined ? process.env : null);
  if (queueUrl !== undefined && !opts.dryRun) {
    const { enqueueGridCommand } = await import("./grid-queue.ts");
    await enqueueGridCommand({ ...opts, queue: queueUrl, cfg, file, root, models, tasks });
    return;
  }
  if (opts.dryRun) {
    const plan = gridPlan(cfg, root, opts.force ?? false);
    if (opts.json) printJson(plan);
    else process.stdout.write(formatPlan(plan));
    return;
  }
  await localGrid(opts, { cfg, file, root, models, tasks });
}

/** The grid in this process, with a progress line and Ctrl-C; prints the summary. */
async function localGrid(opts: GridOptions, g: GridInputs): Promise<void> {
  const { cfg, file, root } = g;
  await ensureOutputDir("--output", root);
  const stop = interruptOnSignal(
    "stopping the grid (journals stay consistent)…",
    (sig) => new Error(`interrupted by ${sig}`),
  );
  stop.listen();
  const show = progressPrinter(gridLine, (p) => p.runsDone === p.runsTotal);
  let summary: GridSummary;
  try {
    summary = await runGrid(cfg, {
      root,
      models: g.models,
      loadTask: (key) => g.tasks.get(key)!,
      makeClient: (m) => gridChatClient(m, cfg),
      startEvaluator: (task, parallel) => startSandbox(task, { parallel }),
      defaultParallelEval: availableParallelism(),
      now: () => performance.now() / 1000,
      signal: stop.signal,
      onProgress: show.update,
      log: show.log,
      configLabel: relative(root, resolve(file)) || file,
      force: opts.force ?? false,
    });
  } catch (err) {
    if (err instanceof RunError) throw new Failure(err.message);
    throw err;
  } finally {
    show.stop();
    stop.dispose();
  }
  if (opts.json) printJson(summary);
  else process.stdout.write(formatSummary(summary));
  if (summary.interrupted) {
    process.stderr.write(
      `evoalloc: interrupted; resume with the same command:\n  ${commandName()} run grid --config ${opts.config}${opts.output ? ` --output ${opts.output}` : ""}\n`,
    );
    process.exitCode = 130;
    return;
  }
  if (summary.failures.length > 0)
    throw new Failure(`${summary.failures.length} run(s) failed; rerun the same command to retry them`);
}

/** The config's models and tasks, loaded, and its policies checked. @throws UsageError naming the file and the field. */
async function gridInputs(
  cfg: GridConfig,
  file: string,
  base: string,
  env: Record<string, string | undefined> | null,
): Promise<Pick<GridInputs, "models" | "tasks">> {
  try {
    const models = await gridModels(cfg, file, base, env);
    const tasks = gridTasks(cfg, file, base);
    checkGridPolicies(cfg, file);
    return { models, tasks };
  } catch (err) {
    if (err instanceof GridConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** Reads and validates the config file. @throws UsageError naming the file and the field. */
export function readConfig(file: string): { cfg: GridConfig; file: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `--config: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  let json: unknown;
  try {
    json = parsePythonJson(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return { cfg: parseGridConfig(json, file), file };
  } catch (err) {
    if (err instanceof GridConfigError) throw new UsageError(err.message);
    throw err;
  }
}
