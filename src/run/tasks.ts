/**
 * Task folders: `tasks/<key>/{initial_program.py, evaluator.py, task.json}`.
 * A user adds a task by dropping a folder into the tasks directory (or by
 * pointing `--tasks-dir` at a directory of task folders, or at one task
 * folder): no code change.
 *
 * task.json: `{"entry_function": "construct_packing", "eval_timeout_s": 120,
 * "system_prompt": "...", "description": "..." (optional)}`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Task } from "./types.ts";

/** Bad task folder or unknown task key. The CLI maps it to exit 2. */
export class TaskError extends Error {
  override name = "TaskError";
}

/** `key` names no task folder; `known` lists those that exist. */
export class UnknownTaskError extends TaskError {
  override name = "UnknownTaskError";
  constructor(
    readonly key: string,
    readonly known: string[],
    readonly tasksDir: string,
  ) {
    super(`unknown task "${key}" in ${tasksDir}; known tasks: ${known.length ? known.join(", ") : "(none)"}`);
  }
}

export const TaskJsonSchema = z.object({
  entry_function: z.string().min(1),
  eval_timeout_s: z.number().positive(),
  system_prompt: z.string().min(1),
  description: z.string().optional(),
});

const TASK_FILES = ["task.json", "evaluator.py", "initial_program.py"] as const;

/**
 * The package root (holding `tasks/`, `src/run/worker.py`), found from this
 * module's location: the same two levels up from src/run/ and dist/run/.
 */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

/** The tasks shipped with the package. */
export function defaultTasksDir(): string {
  return join(packageRoot(), "tasks");
}

function isTaskFolder(dir: string): boolean {
  return TASK_FILES.every((f) => existsSync(join(dir, f)));
}

/**
 * Keys of the task folders in `tasksDir`, sorted. When `tasksDir` is itself a
 * task folder, its one key is its base name.
 *
 * @example listTasks() // => ["cp", "ht", "mmd"]
 * @throws TaskError when `tasksDir` is not a directory.
 */
export function listTasks(tasksDir: string = defaultTasksDir()): string[] {
  if (!existsSync(tasksDir) || !statSync(tasksDir).isDirectory())
    throw new TaskError(`tasks directory ${tasksDir} does not exist or is not a directory`);
  if (isTaskFolder(tasksDir)) return [basename(resolve(tasksDir))];
  return readdirSync(tasksDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isTaskFolder(join(tasksDir, e.name)))
    .map((e) => e.name)
    .sort();
}

/**
 * Loads and validates one task folder.
 *
 * @throws UnknownTaskError (lists the known keys) when there is no such folder;
 *   TaskError naming the file and field when task.json is malformed.
 */
export function loadTask(key: string, tasksDir: string = defaultTasksDir()): Task {
  const known = listTasks(tasksDir);
  if (!known.includes(key)) throw new UnknownTaskError(key, known, tasksDir);
  const dir = resolve(isTaskFolder(tasksDir) ? tasksDir : join(tasksDir, key));
  const jsonPath = join(dir, "task.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonPath, "utf8"));
  } catch (err) {
    throw new TaskError(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = TaskJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TaskError(`${jsonPath}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return {
    key,
    dir,
    initialProgram: readFileSync(join(dir, "initial_program.py"), "utf8"),
    evaluatorPath: join(dir, "evaluator.py"),
    entry: parsed.data.entry_function,
    evalTimeoutS: parsed.data.eval_timeout_s,
    systemPrompt: parsed.data.system_prompt,
  };
}
