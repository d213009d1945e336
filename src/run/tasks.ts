/**
 * Task folders. A task is a folder holding `initial_program.py` and
 * `evaluator.py` (`evaluate(program_path)`, the OpenEvolve convention); its key
 * is the folder's name. Everything else is optional, so an OpenEvolve example
 * folder is a task as it is:
 *
 *   value          first found in                                       else
 *   system prompt  config.yaml / config*.yaml  `prompt.system_message`   task.json `system_prompt`  → a generic one
 *   eval timeout   config.yaml / config*.yaml  `evaluator.timeout`       task.json `eval_timeout_s` → 300 s
 *   entry          task.json `entry_function` (documentation only: the evaluator imports the program)
 *   user prompt    task.json `prompt_template` (text) or `prompt_template_file` (path in the folder)
 *
 * Of several config files, `config.yaml` wins, else the first `config*.yaml`
 * (or `.yml`) by name. A user adds a task by dropping a folder into the tasks
 * directory (or by pointing `--tasks-dir` at a directory of task folders, or
 * at one task folder): no code change.
 *
 * task.json may also give `ceiling`, V* of the Φ-model (default 1.0).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Task, TaskSources } from "./ports.ts";
import { checkTemplate } from "./prompt.ts";
import { FormatError } from "./pyformat/index.ts";

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
  entry_function: z.string().min(1).optional(),
  eval_timeout_s: z.number().positive().optional(),
  system_prompt: z.string().min(1).optional(),
  description: z.string().optional(),
  prompt_template: z.string().min(1).optional(),
  prompt_template_file: z.string().min(1).optional(),
  /** V*, the best value a solution can score (the Φ-model's ceiling); default 1.0 (scores are normalised). */
  ceiling: z.number().positive().optional(),
});

/** The part of an OpenEvolve config that a task uses. */
const OpenEvolveConfigSchema = z.looseObject({
  prompt: z.looseObject({ system_message: z.string().nullish() }).nullish(),
  evaluator: z.looseObject({ timeout: z.number().positive().nullish() }).nullish(),
});

/** Used when neither a config file nor task.json gives a system prompt. */
export const GENERIC_SYSTEM_PROMPT =
  "You are an expert programmer. Improve the given Python program so that its evaluation score " +
  "(combined_score) is as high as possible. Return the complete program.";
/** Used when neither a config file nor task.json gives an evaluation timeout. */
export const DEFAULT_EVAL_TIMEOUT_S = 300;

const TASK_FILES = ["evaluator.py", "initial_program.py"] as const;

/**
 * The package root (holding `tasks/`, `src/run/sandbox/worker.py`), found from this
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
 * The OpenEvolve config of a task folder: `config.yaml`, else the first
 * `config*.yaml`/`config*.yml` by name; null when there is none.
 */
export function taskConfigFile(dir: string): string | null {
  if (existsSync(join(dir, "config.yaml"))) return join(dir, "config.yaml");
  const found = readdirSync(dir)
    .filter((f) => /^config.*\.ya?ml$/i.test(f))
    .sort();
  return found.length > 0 ? join(dir, found[0]!) : null;
}

/** The first zod issue as `FILE: path: message` (a TaskError). */
function schemaError(file: string, error: z.ZodError): TaskError {
  const issue = error.issues[0];
  return new TaskError(`${file}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
}

function readTaskJson(dir: string): z.infer<typeof TaskJsonSchema> | null {
  const jsonPath = join(dir, "task.json");
  if (!existsSync(jsonPath)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonPath, "utf8"));
  } catch (err) {
    throw new TaskError(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = TaskJsonSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(jsonPath, parsed.error);
  return parsed.data;
}

function readConfig(file: string | null): z.infer<typeof OpenEvolveConfigSchema> | null {
  if (file === null) return null;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new TaskError(`${file}: not valid YAML (${(err as Error).message.split("\n")[0]})`);
  }
  if (raw === null || raw === undefined) return null;
  const parsed = OpenEvolveConfigSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(file, parsed.error);
  return parsed.data;
}

/**
 * A task setting and where it came from: the config file's value when it is set (not empty, not 0), else
 * task.json's when present, else the default (source null).
 */
function setting<V>(
  [fromConfig, configField]: [V | null | undefined, string],
  [fromJson, jsonField]: [V | undefined, string],
  dflt: V,
): [V, string | null] {
  if (fromConfig) return [fromConfig, configField];
  if (fromJson !== undefined) return [fromJson, jsonField];
  return [dflt, null];
}

/**
 * Loads one task folder, resolving each value from the config file, task.json
 * or a default, and recording where it came from (`task.sources`).
 *
 * @example loadTask("cp").sources.evalTimeoutS // => "task.json eval_timeout_s"
 * @throws UnknownTaskError (lists the known keys) when there is no such folder;
 *   TaskError naming the file and field when task.json or the config is malformed.
 */
export function loadTask(key: string, tasksDir: string = defaultTasksDir()): Task {
  const known = listTasks(tasksDir);
  if (!known.includes(key)) throw new UnknownTaskError(key, known, tasksDir);
  const dir = resolve(isTaskFolder(tasksDir) ? tasksDir : join(tasksDir, key));
  const json = readTaskJson(dir);
  const configFile = taskConfigFile(dir);
  const config = readConfig(configFile);
  const cfgName = configFile === null ? "" : basename(configFile);
  const sources: TaskSources = {
    systemPrompt: "default",
    evalTimeoutS: "default",
    entry: "none",
    promptTemplate: "default",
  };

  const [systemPrompt, promptFrom] = setting(
    [config?.prompt?.system_message, `${cfgName} prompt.system_message`],
    [json?.system_prompt, "task.json system_prompt"],
    GENERIC_SYSTEM_PROMPT,
  );
  const [evalTimeoutS, timeoutFrom] = setting(
    [config?.evaluator?.timeout, `${cfgName} evaluator.timeout`],
    [json?.eval_timeout_s, "task.json eval_timeout_s"],
    DEFAULT_EVAL_TIMEOUT_S,
  );
  if (promptFrom !== null) sources.systemPrompt = promptFrom;
  if (timeoutFrom !== null) sources.evalTimeoutS = timeoutFrom;
  if (json?.entry_function !== undefined) sources.entry = "task.json entry_function";
  let promptTemplate: string | null = null;
  if (json?.prompt_template !== undefined) {
    promptTemplate = json.prompt_template;
    sources.promptTemplate = "task.json prompt_template";
  } else if (json?.prompt_template_file !== undefined) {
    const file = resolve(dir, json.prompt_template_file);
    if (!existsSync(file))
      throw new TaskError(`${join(dir, "task.json")}: prompt_template_file: ${file} does not exist`);
    promptTemplate = readFileSync(file, "utf8");
    sources.promptTemplate = `task.json prompt_template_file (${json.prompt_template_file})`;
  }
  if (promptTemplate !== null) {
    try {
      checkTemplate(promptTemplate);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      const field = json?.prompt_template !== undefined ? "prompt_template" : "prompt_template_file";
      throw new TaskError(`${join(dir, "task.json")}: ${field}: ${err.message}`);
    }
  }
  return {
    key,
    dir,
    initialProgram: readFileSync(join(dir, "initial_program.py"), "utf8"),
    evaluatorPath: join(dir, "evaluator.py"),
    entry: json?.entry_function ?? null,
    evalTimeoutS,
    systemPrompt,
    description: json?.description ?? null,
    promptTemplate,
    configFile,
    sources,
    ...(json?.ceiling !== undefined ? { ceiling: json.ceiling } : {}),
  };
}

/**
 * The ceiling V* of each task key (task.json `ceiling`; 1.0 when it gives
 * none or there is no such task folder), with where each value came from.
 *
 * @example taskCeilings(["cp"]).get("cp") // => { ceiling: 1, source: "default 1.0 (task.json gives no ceiling)" }
 */
export function taskCeilings(
  keys: readonly string[],
  tasksDir: string = defaultTasksDir(),
): Map<string, { ceiling: number; source: string }> {
  const out = new Map<string, { ceiling: number; source: string }>();
  for (const key of keys) {
    try {
      const t = loadTask(key, tasksDir);
      out.set(
        key,
        t.ceiling !== undefined
          ? { ceiling: t.ceiling, source: "task.json" }
          : { ceiling: 1, source: "default 1.0 (task.json gives no ceiling)" },
      );
    } catch (err) {
      if (!(err instanceof TaskError)) throw err;
      out.set(key, { ceiling: 1, source: `default 1.0 (${err.message})` });
    }
  }
  return out;
}
