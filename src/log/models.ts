/**
 * The model registry: the models evoalloc knows (DESIGN.md "Models"), plus
 * any a user adds in a JSON file (`--models FILE`) without touching code.
 *
 * A model file is a JSON array of model objects, or an object
 * `{ "models": [...] }`; omitted fields take the defaults below.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";

export const ModelSpecSchema = z.object({
  key: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only"),
  /** Sent as the API's `model`. */
  name: z.string().min(1),
  params_active: z.number().nonnegative(),
  params_total: z.number().nonnegative().optional(),
  api_base_env: z.string().default("LLM_API_BASE"),
  api_key_env: z.string().default("LLM_API_KEY"),
  temperature: z.number().min(0).max(2).default(0.4),
  top_p: z.number().gt(0).max(1).default(0.95),
  max_tokens: z.number().int().positive().default(16000),
  timeout_s: z.number().positive().default(900),
  /** "openai": an OpenAI-compatible endpoint; "mutator": the built-in in-process proposer. */
  provider: z.enum(["openai", "mutator"]).default("openai"),
});
export type ModelSpec = z.infer<typeof ModelSpecSchema>;

const ModelListSchema = z.array(ModelSpecSchema);
const ModelFileSchema = z.object({ models: ModelListSchema });

const builtin = (m: z.input<typeof ModelSpecSchema>): ModelSpec => ModelSpecSchema.parse(m);

/** The built-in models, by key. */
export const BUILTIN_MODELS: Readonly<Record<string, ModelSpec>> = Object.freeze(
  Object.fromEntries(
    [
      builtin({
        key: "qwen3-8b",
        name: "Qwen/Qwen3-8B",
        params_active: 8_190_726_144,
        params_total: 8_190_726_144,
      }),
      builtin({
        key: "qwen3-14b",
        name: "Qwen/Qwen3-14B",
        params_active: 14_768_296_960,
        params_total: 14_768_296_960,
      }),
      builtin({
        key: "llama-8b",
        name: "meta-llama/Meta-Llama-3.1-8B-Instruct",
        params_active: 8_030_261_248,
        params_total: 8_030_261_248,
      }),
      // The built-in (1+N) mutation proposer: no model parameters, so 0 FLOPs.
      builtin({ key: "mutator", name: "mutator", params_active: 0, params_total: 0, provider: "mutator" }),
    ].map((m) => [m.key, m]),
  ),
);

export class ModelFileError extends Error {
  override name = "ModelFileError";
}

/**
 * Parses a user model file's JSON text. User models override built-ins of
 * the same key.
 * @throws ModelFileError naming the file and the JSON path of the first problem.
 */
export function parseModelFile(text: string, file: string): ModelSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  // pick the shape first, so an error names the field rather than "no union member matched"
  const result = Array.isArray(json) ? ModelListSchema.safeParse(json) : ModelFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ModelFileError(`${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return Array.isArray(result.data) ? result.data : result.data.models;
}

/** The registry: built-ins plus the models of `file` (when given). */
export async function loadModels(file?: string): Promise<Record<string, ModelSpec>> {
  const models: Record<string, ModelSpec> = { ...BUILTIN_MODELS };
  if (file === undefined) return models;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ModelFileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  for (const m of parseModelFile(text, file)) models[m.key] = m;
  return models;
}
