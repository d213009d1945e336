/**
 * `evoalloc tasks [--tasks-dir DIR] [--check] [--json]`: the tasks a run can
 * use, each with its folder, entry, evaluation timeout, prompts and where each
 * value came from (an OpenEvolve config file, task.json or a default). With
 * `--check`, the initial program of each is evaluated in the sandbox: its
 * score, or the error that would make every run of it meaningless (exit 1).
 */
import type { Command } from "commander";
import type { EvalResult, Task } from "../run/ports.ts";
import { createEvaluator, SandboxError } from "../run/sandbox/sandbox.ts";
import { defaultTasksDir, listTasks, loadTask, TaskError } from "../run/tasks.ts";
import { UsageError } from "./errors.ts";
import { printJson } from "./options.ts";

export interface TaskRow {
  key: string;
  dir: string | null;
  entry: string | null;
  eval_timeout_s: number | null;
  system_prompt: string | null;
  config_file: string | null;
  /** Where each value came from (`default` when no file gave it). */
  sources: Task["sources"] | null;
  /** The task could not be loaded. */
  error?: string;
  /** `--check`: the initial program's evaluation. */
  check?: { fitness: number; status: EvalResult["status"]; error: string | null; duration_s: number };
}

/** One row per task folder of `tasksDir`; a folder that fails to load gets its error. */
export function describeTasks(tasksDir: string): TaskRow[] {
  return listTasks(tasksDir).map((key) => {
    try {
      const t = loadTask(key, tasksDir);
      return {
        key,
        dir: t.dir,
        entry: t.entry,
        eval_timeout_s: t.evalTimeoutS,
        system_prompt: t.systemPrompt,
        config_file: t.configFile ?? null,
        sources: t.sources ?? null,
      };
    } catch (err) {
      if (!(err instanceof TaskError)) throw err;
      const none = { dir: null, entry: null, eval_timeout_s: null, system_prompt: null, config_file: null };
      return { key, ...none, sources: null, error: err.message };
    }
  });
}

/** Evaluates each loadable task's initial program in the sandbox (one slot each, one task at a time). */
async function checkTasks(rows: TaskRow[], tasksDir: string): Promise<void> {
  for (const row of rows) {
    if (row.error !== undefined) continue;
    const task = loadTask(row.key, tasksDir);
    try {
      const ev = await createEvaluator(task, { parallel: 1 });
      try {
        const r = await ev.evaluate(task.initialProgram);
        row.check = { fitness: r.fitness, status: r.status, error: r.error, duration_s: r.duration_s };
      } finally {
        await ev.close();
      }
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      row.check = { fitness: 0, status: "error", error: err.message, duration_s: 0 };
    }
  }
}

const short = (text: string, n = 72): string => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
};

function formatRow(r: TaskRow): string {
  if (r.error !== undefined) return `${r.key}\n  error: ${r.error}`;
  const s = r.sources!;
  const lines = [
    `${r.key}  ${r.dir}`,
    `  entry:          ${r.entry ?? "(none: the evaluator imports the program)"}  [${s.entry}]`,
    `  eval timeout:   ${r.eval_timeout_s} s  [${s.evalTimeoutS}]`,
    `  system prompt:  "${short(r.system_prompt!)}"  [${s.systemPrompt}]`,
    `  user prompt:    ${s.promptTemplate === "default" ? "evoalloc's default" : "template"}  [${s.promptTemplate}]`,
  ];
  if (r.check !== undefined)
    lines.push(
      r.check.error === null
        ? `  initial score:  ${r.check.fitness}  (${r.check.duration_s.toFixed(2)} s)`
        : `  initial score:  FAILED (${r.check.status}): ${r.check.error.trim().split("\n").at(-1)}`,
    );
  return lines.join("\n");
}

export function register(program: Command): void {
  program
    .command("tasks")
    .description("List the tasks (folders, entry, timeout, prompts and where each value came from).")
    .option("--tasks-dir <dir>", "folder of task folders, or one task folder (default: the package's tasks/)")
    .option("--check", "evaluate each initial program in the sandbox; exit 1 when one fails")
    .option("--json", "print the rows as JSON")
    .action(async (opts: { tasksDir?: string; check?: boolean; json?: boolean }) => {
      const dir = opts.tasksDir ?? defaultTasksDir();
      let rows: TaskRow[];
      try {
        rows = describeTasks(dir);
      } catch (err) {
        if (err instanceof TaskError) throw new UsageError(`--tasks-dir: ${err.message}`);
        throw err;
      }
      if (rows.length === 0) throw new UsageError(`--tasks-dir: no task folders in ${dir}`);
      if (opts.check) await checkTasks(rows, dir);
      if (opts.json) printJson(rows);
      else process.stdout.write(`${rows.map(formatRow).join("\n\n")}\n`);
      const bad = rows.filter(
        (r) => r.error !== undefined || (r.check !== undefined && r.check.error !== null),
      );
      if (bad.length > 0) {
        process.stderr.write(
          `evoalloc: ${bad.length} of ${rows.length} tasks failed: ${bad.map((r) => r.key).join(", ")}\n`,
        );
        process.exitCode = 1;
      }
    });
}
