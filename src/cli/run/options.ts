/**
 * The flags every `run` subcommand shares (greedy, bandit): commander
 * declares them (`addRunOptions`), zod validates them (`RunOptionsSchema`,
 * extended by each subcommand; `parseOptions` of ../options.ts names the
 * flag of the first issue).
 */
import { type Command, Option } from "commander";
import { z } from "zod";

/** commander's raw options shared by every `run` subcommand (strings, as typed). */
export interface RawRunOptions {
  task?: string;
  model?: string;
  T?: string;
  N?: string;
  parallelLlm?: string;
  output?: string;
  apiBase?: string;
  maxTokens?: string;
  timeout?: string;
  temperature?: string;
  retries?: string;
  backoff?: string;
  retryPolicy?: string;
  models?: string;
  tasksDir?: string;
  promptTemplate?: string;
  resume?: boolean;
  force?: boolean;
  isolation?: string;
  evalMemory?: string;
  parallelEval?: string;
  maxConsecutiveFailures?: string;
  json?: boolean;
}

/** An integer flag (a string, as typed) of at least `min`. */
export const intFlag = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^[-+]?\d+$/, "must be an integer")
    .transform(Number)
    .refine(
      Number.isSafeInteger,
      `must be an integer within ±${Number.MAX_SAFE_INTEGER} (larger ones are rounded)`,
    )
    .refine((n) => n >= min, `must be an integer >= ${min}`);
/** A number flag (a string, as typed). */
const numFlag = z
  .string()
  .trim()
  .refine((s) => s !== "" && Number.isFinite(Number(s)), "must be a number")
  .transform(Number);

/** "2G", "512M", "1.5GiB", "2147483648" → bytes (powers of 1024). */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { "": 0, K: 1, M: 2, G: 3, T: 4 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G" | "T"];
  return Math.round(Number(m[1]) * 1024 ** unit);
}

/** The shared flags, validated; each subcommand extends it with its own. */
export const RunOptionsSchema = z.object({
  task: z.string({ error: "is required" }).min(1, "is required"),
  model: z.string({ error: "is required" }).min(1, "is required"),
  T: intFlag(1),
  N: intFlag(1),
  parallelLlm: intFlag(1).default(5),
  output: z.string().min(1).optional(),
  apiBase: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
    )
    .refine(
      (urls) => urls.length > 0 && urls.every((u) => /^https?:\/\/\S+$/.test(u)),
      "must be http(s) URLs separated by commas",
    )
    .optional(),
  maxTokens: intFlag(1).optional(),
  timeout: numFlag.refine((x) => x > 0, "must be > 0").optional(),
  temperature: numFlag.refine((x) => x >= 0 && x <= 2, "must be in [0, 2]").optional(),
  retries: intFlag(0).default(2),
  backoff: numFlag.refine((x) => x >= 0, "must be >= 0").default(1),
  retryPolicy: z
    .enum(["evoalloc", "reference"], { error: "must be evoalloc or reference" })
    .default("evoalloc"),
  models: z.string().optional(),
  tasksDir: z.string().optional(),
  promptTemplate: z.string().min(1).optional(),
  resume: z.boolean().default(false),
  force: z.boolean().default(false),
  isolation: z.enum(["prefork", "fresh"], { error: "must be prefork or fresh" }).default("prefork"),
  evalMemory: z
    .string()
    .transform((s, ctx) => {
      const b = parseBytes(s);
      if (b === null || b < 64 * 1024 ** 2) {
        ctx.addIssue({ code: "custom", message: 'must be a size of at least 64M, e.g. "2G"' });
        return z.NEVER;
      }
      return b;
    })
    .optional(),
  parallelEval: intFlag(1).optional(),
  maxConsecutiveFailures: intFlag(0).default(10),
  json: z.boolean().default(false),
});
export type RunOptions = z.infer<typeof RunOptionsSchema>;

/** Adds the flags every `run` subcommand shares. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option("--task <key>", "task key (a folder of --tasks-dir)")
    .option("--model <key>", "model key (built in, or from --models FILE)")
    .option("--parallel-llm <n>", "LLM calls in flight", "5")
    .option("--output <path>", "result file (default: the reference's path under results/)")
    .option("--api-base <urls>", "endpoint URL(s), comma-separated replicas (default: the model's env vars)")
    .option("--max-tokens <n>", "max_tokens per call (default: the model's)")
    .option("--timeout <seconds>", "per-attempt timeout (default: the model's)")
    .option("--temperature <x>", "sampling temperature (default: the model's)")
    .option("--retries <n>", "tries after the first failed one", "2")
    .option("--backoff <seconds>", "first wait before a retry (doubles, with jitter; Retry-After wins)", "1")
    .addOption(
      new Option(
        "--retry-policy <policy>",
        "evoalloc: --retries/--backoff, no retry of 4xx but 408/409/429; reference: every failure retried after a fixed 5 s, 3 tries",
      )
        .choices(["evoalloc", "reference"])
        .default("evoalloc"),
    )
    .option("--models <file>", "JSON file of extra models")
    .option("--tasks-dir <dir>", "folder of task folders (default: the package's tasks/)")
    .option(
      "--prompt-template <file>",
      "user message as a Python str.format template ({current_program}, {fitness:.6f}, {generation}, {task_description})",
    )
    .option("--resume", "continue an interrupted run from its journal")
    .option("--force", "overwrite an existing result or journal")
    .addOption(
      new Option("--isolation <mode>", "evaluation sandbox").choices(["prefork", "fresh"]).default("prefork"),
    )
    .option("--eval-memory <size>", "memory cap per candidate, e.g. 2G (default 2G)")
    .option("--parallel-eval <n>", "evaluations in flight (default: the number of cores)")
    .option(
      "--max-consecutive-failures <n>",
      "stop after this many calls in a row got no answer (0: never)",
      "10",
    )
    .option("--json", "print a JSON summary on stdout");
}
