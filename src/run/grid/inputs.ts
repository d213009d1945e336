/**
 * What a grid config names, loaded and checked before anything runs: its
 * models (built in, and its `models_file`), its tasks (from `tasks_dir`
 * when given) and its bandit policies with their parameters. Paths in the
 * config are relative to `base`, the config file's folder. Every problem is
 * a GridConfigError naming the file and the field, as the config's own:
 * `g.json: tasks[1]: unknown task "nope" …`.
 */
import { resolve } from "node:path";
import { loadModels, ModelFileError, type ModelSpec } from "../../log/models.ts";
import { getPolicy, PolicyError, resolveParams } from "../../policies/index.ts";
import { NoEndpointError, resolveEndpoints } from "../llm/client.ts";
import type { Task } from "../ports.ts";
import { loadTask, TaskError } from "../tasks.ts";
import { type GridConfig, GridConfigError } from "./grid-config.ts";

/**
 * The config's models, built in and from its models_file. With `env`, each openai model must have its
 * endpoint there (null: not checked — with a queue, the workers call the endpoints from their own environment).
 * @throws GridConfigError for a bad models_file, an unknown model or a model without an endpoint.
 */
export async function gridModels(
  cfg: GridConfig,
  file: string,
  base: string,
  env: Record<string, string | undefined> | null,
): Promise<Record<string, ModelSpec>> {
  let models: Record<string, ModelSpec>;
  try {
    models = await loadModels(cfg.models_file === undefined ? undefined : resolve(base, cfg.models_file));
  } catch (err) {
    if (err instanceof ModelFileError) throw new GridConfigError(`${file}: models_file: ${err.message}`);
    throw err;
  }
  cfg.models.forEach((m, i) => {
    if (!Object.hasOwn(models, m))
      throw new GridConfigError(
        `${file}: models[${i}]: unknown model "${m}" (known: ${Object.keys(models).sort().join(", ")})`,
      );
    const spec = models[m]!;
    try {
      if (env !== null && spec.provider === "openai") resolveEndpoints(spec, env);
    } catch (err) {
      if (err instanceof NoEndpointError)
        throw new GridConfigError(
          `${file}: models[${i}]: ${err.message.replace("pass --api-base URL, or ", "")}`,
        );
      throw err;
    }
  });
  return models;
}

/**
 * The config's tasks by key.
 * @throws GridConfigError for a task that does not load (unknown, or a malformed task.json or config).
 */
export function gridTasks(cfg: GridConfig, file: string, base: string): Map<string, Task> {
  const tasks = new Map<string, Task>();
  cfg.tasks.forEach((key, i) => {
    try {
      tasks.set(
        key,
        cfg.tasks_dir === undefined ? loadTask(key) : loadTask(key, resolve(base, cfg.tasks_dir)),
      );
    } catch (err) {
      if (err instanceof TaskError) throw new GridConfigError(`${file}: tasks[${i}]: ${err.message}`);
      throw err;
    }
  });
  return tasks;
}

/**
 * Checks the bandit entries' policies and their parameters.
 * @throws GridConfigError for an unknown policy or a bad parameter.
 */
export function checkGridPolicies(cfg: GridConfig, file: string): void {
  cfg.bandit.forEach((e, i) => {
    e.algos.forEach((algo, j) => {
      try {
        getPolicy(algo);
      } catch (err) {
        if (err instanceof PolicyError)
          throw new GridConfigError(`${file}: bandit[${i}].algos[${j}]: ${err.message}`);
        throw err;
      }
    });
    for (const [algo, params] of Object.entries(e.params)) {
      try {
        resolveParams(algo, params);
      } catch (err) {
        if (err instanceof PolicyError)
          throw new GridConfigError(`${file}: bandit[${i}].params.${algo}: ${err.message}`);
        throw err;
      }
    }
  });
}
