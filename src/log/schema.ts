/**
 * The log contract: zod schemas for the result files that `run` writes and
 * `replay`/`analysis` read. Compatible with the reference Python
 * implementation's files (see DESIGN.md "The log contract"); every field that
 * evoalloc adds is optional, so reference files parse unchanged, and objects
 * are loose, so fields added later survive a round trip.
 *
 * Numbers that Python may write as `NaN`/`Infinity` (fitness values) use
 * `anyNumber`, which accepts non-finite values; the semantic checks in
 * `check.ts` turn them into problems or warnings with a JSON path.
 */
import { z } from "zod";
import { TIMEOUT_POLICIES } from "./kinds.ts";

/** A JSON number, finite or not (Python writes NaN and Infinity literals). */
export const anyNumber = z.custom<number>((v) => typeof v === "number", { message: "expected a number" });
const int = z.number().int();
const count = z.number().int().nonnegative();

export const UsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** One try of one LLM call (retries are separate attempts). */
export const AttemptSchema = z.looseObject({
  attempt_idx: count,
  /** "ok" | "timeout" | "error:<ErrorName>" */
  status: z.string(),
  latency_s: anyNumber,
  usage: UsageSchema.nullable(),
  finish_reason: z.string().nullable(),
  timed_out: z.boolean(),
  /** Timeouts: the max_tokens asked for (the worst-case output). */
  estimated_output_tokens: z.number().nullish(),
  error: z.string().nullish(),
  /** evoalloc: which endpoint answered (several replicas may serve one run). */
  endpoint: z.string().optional(),
  /** evoalloc: length in characters of the reasoning text returned beside the answer (`reasoning_content`). */
  reasoning_content_chars: count.optional(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const ChildSchema = z.looseObject({
  idx: count,
  seed: count,
  /** null when no code could be parsed from the answer. */
  fitness: anyNumber.nullable(),
  /** Evaluated without an "error". */
  valid: z.boolean(),
  attempts: z.array(AttemptSchema),
  final_status: z.enum(["ok", "timeout", "error"]),
  // evoalloc additions
  metrics: z.record(z.string(), z.unknown()).nullish(),
  error: z.string().nullish(),
  code_sha256: z.string().nullish(),
  code: z.string().nullish(),
});
export type Child = z.infer<typeof ChildSchema>;

export const GenerationSchema = z.looseObject({
  generation: count,
  /** Best so far (non-decreasing over generations). */
  best_fitness: anyNumber,
  /** Absent on generation 0. */
  parent_fitness: anyNumber.nullish(),
  n_children: count,
  n_valid: count,
  n_improved: count,
  children: z.array(ChildSchema),
  gen_time_s: anyNumber,
  // evoalloc addition: sha256 of the program that was the parent of this generation
  parent_sha256: z.string().nullish(),
});
export type Generation = z.infer<typeof GenerationSchema>;

export const TimeoutPolicySchema = z.enum(TIMEOUT_POLICIES);
export type TimeoutPolicy = z.infer<typeof TimeoutPolicySchema>;

export const FlopsSummarySchema = z.looseObject({
  total_flops: z.number(),
  n_ok: count,
  n_timeout: count,
  n_error: count,
  timeout_flops: z.number(),
  timeout_policy: TimeoutPolicySchema,
  sum_prompt_tokens: z.number(),
  sum_completion_tokens: z.number(),
  sum_cached_prompt_tokens: z.number(),
  prefix_cache_hit_rate: z.number(),
});
export type FlopsSummary = z.infer<typeof FlopsSummarySchema>;

export const FlopsBlockSchema = z.looseObject({
  params_active: z.number(),
  worst_case: FlopsSummarySchema,
  exclude: FlopsSummarySchema,
  bounded: FlopsSummarySchema,
});
export type FlopsBlock = z.infer<typeof FlopsBlockSchema>;

export const GreedyRunSchema = z.looseObject({
  task: z.string(),
  model: z.string(),
  model_name: z.string(),
  C: int.positive(),
  T: int.positive(),
  N: int.positive(),
  seed: int,
  final_fitness: anyNumber,
  final_metrics: z.record(z.string(), z.unknown()).nullish(),
  trajectory: z.array(GenerationSchema).min(1),
  wall_time_seconds: anyNumber,
  flops: FlopsBlockSchema,
  flops_per_generation: z.array(z.number()),
  // evoalloc additions
  final_program: z.string().nullish(),
  evoalloc_version: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type GreedyRun = z.infer<typeof GreedyRunSchema>;

export const BanditRunSchema = z.looseObject({
  task: z.string(),
  model: z.string(),
  model_name: z.string(),
  params_active: z.number(),
  algo: z.string(),
  C: int.positive(),
  T_total: int.positive(),
  N: int.positive(),
  n_arms: int.positive(),
  arm_seeds: z.array(int),
  bandit_seed: int,
  selections: z.array(count),
  rewards: z.array(anyNumber),
  running_best: z.array(anyNumber),
  flops_per_round: z.array(z.number()),
  cumulative_flops: z.array(z.number()),
  total_flops_worst_case: z.number(),
  final_best_fitness: anyNumber,
  best_arm_seed: int,
  arm_pulls: z.array(count),
  arm_final_fitness: z.array(anyNumber),
  arm_results: z.array(GreedyRunSchema),
  wall_time_seconds: anyNumber,
  // evoalloc additions
  T_cap_per_arm: int.positive().optional(),
  policy_params: z.record(z.string(), z.unknown()).optional(),
  evoalloc_version: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type BanditRun = z.infer<typeof BanditRunSchema>;
