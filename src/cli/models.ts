/**
 * `evoalloc models [--models FILE] [--json]`: the models a run can use (the
 * built-in ones and those of a model file), each with the name sent as the
 * API's `model`, its active parameters (the FLOPs factor) and where its
 * endpoint would come from now (`--api-base` aside). Never prints a key.
 */
import type { Command } from "commander";
import type { ModelSpec } from "../log/models.ts";
import { modelsOption, printJson } from "./options.ts";
import { formatTable } from "./table.ts";

export interface ModelRow {
  key: string;
  name: string;
  params_active: number;
  params_total: number | null;
  provider: ModelSpec["provider"];
  /** The variable naming its endpoint (OPENAI_BASE_URL is the fallback). */
  api_base_env: string;
  /** e.g. "in-process", "$LLM_API_BASE", "$OPENAI_BASE_URL", "none". */
  endpoint_source: string;
  endpoint: string | null;
}

/**
 * Where a model's calls would go without `--api-base`: its own variable, else
 * OPENAI_BASE_URL; "none" when neither is set.
 *
 * @example endpointOf(BUILTIN_MODELS["qwen3-8b"], { LLM_API_BASE: "http://h/v1" }) // => { source: "$LLM_API_BASE", url: "http://h/v1" }
 */
export function endpointOf(
  model: ModelSpec,
  env: Record<string, string | undefined>,
): { source: string; url: string | null } {
  if (model.provider === "mutator") return { source: "in-process", url: null };
  for (const name of [model.api_base_env, "OPENAI_BASE_URL"]) {
    const url = env[name];
    if (url !== undefined && url !== "") return { source: `$${name}`, url };
  }
  return { source: "none", url: null };
}

export function describeModels(
  models: Record<string, ModelSpec>,
  env: Record<string, string | undefined>,
): ModelRow[] {
  return Object.values(models)
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((m) => {
      const e = endpointOf(m, env);
      return {
        key: m.key,
        name: m.name,
        params_active: m.params_active,
        params_total: m.params_total ?? null,
        provider: m.provider,
        api_base_env: m.api_base_env,
        endpoint_source: e.source,
        endpoint: e.url,
      };
    });
}

export function register(program: Command): void {
  program
    .command("models")
    .description("List the models (name sent to the API, active parameters, endpoint source).")
    .option("--models <file>", "JSON file of extra models")
    .option("--json", "print the rows as JSON")
    .action(async (opts: { models?: string; json?: boolean }) => {
      const models = await modelsOption(opts.models);
      const rows = describeModels(models, process.env);
      if (opts.json) return printJson(rows);
      const where = (r: ModelRow): string =>
        r.endpoint !== null
          ? `${r.endpoint_source} = ${r.endpoint}`
          : r.endpoint_source === "none"
            ? `none: set --api-base, $${r.api_base_env} or $OPENAI_BASE_URL`
            : r.endpoint_source;
      process.stdout.write(
        `${formatTable(
          ["key", "name", "active params", "endpoint"],
          rows.map((r) => [r.key, r.name, r.params_active, where(r)]),
        )}\n`,
      );
    });
}
