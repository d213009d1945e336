/**
 * The imported run kind of the log contract: a run of another Evolve system
 * (OpenEvolve, ShinkaEvolve, LLM4AD) brought in by `evoalloc import`.
 *
 * One row per LLM call (an OpenEvolve iteration, a ShinkaEvolve generation,
 * an LLM4AD sample), row 0 being the initial program (no call). What the
 * source did not record is `null`, never guessed:
 *
 *   { kind: "imported", source: {system, version, path, files}, task, model,
 *     model_name, params_active, seed, seed_from, C, final_fitness,
 *     trajectory: [{call, best_fitness, fitness, valid, child_id, parent_id,
 *                   island, prompt_tokens, completion_tokens, flops, evidence}],
 *     total_flops, recovery: {share, recovered, missing_calls, disagreements, notes} }
 *
 * `best_fitness` is the best valid fitness so far (null until the first one):
 * best[c] = max(best[c−1], fitness[c]) over rows with `valid: true`.
 * Pure: schema and checks only; the reader dispatches here on `kind`.
 */
import { z } from "zod";
import { anyNumber } from "./schema.ts";

const count = z.number().int().nonnegative();

export const IMPORT_SYSTEMS = ["openevolve", "shinkaevolve", "llm4ad"] as const;
export type ImportSystem = (typeof IMPORT_SYSTEMS)[number];

export const ImportedRowSchema = z.looseObject({
  /** 0 for the initial program, then one per LLM call. */
  call: count,
  /** Best valid fitness so far; null before the first one. */
  best_fitness: anyNumber.nullable(),
  /** The child's fitness as the system scored it; null when unknown or not scored. */
  fitness: anyNumber.nullable(),
  /** true: scored without error; false: the call or its evaluation failed; null: unknown. */
  valid: z.boolean().nullable(),
  child_id: z.string().nullable(),
  parent_id: z.string().nullable(),
  island: z.number().int().nullable(),
  prompt_tokens: z.number().nonnegative().nullable(),
  completion_tokens: z.number().nonnegative().nullable(),
  /** 2 · params_active · (prompt + completion tokens), when both are known. */
  flops: z.number().nonnegative().nullable(),
  /** The sources this row rests on ("trace", "checkpoint", "log", "sqlite", "samples"). */
  evidence: z.array(z.string()),
});
export type ImportedRow = z.infer<typeof ImportedRowSchema>;

export const DisagreementSchema = z.looseObject({
  call: count,
  field: z.string(),
  message: z.string(),
});
export type Disagreement = z.infer<typeof DisagreementSchema>;

export const ImportedRunSchema = z.looseObject({
  kind: z.literal("imported"),
  source: z.looseObject({
    system: z.enum(IMPORT_SYSTEMS),
    version: z.string().nullable(),
    path: z.string(),
    files: z.array(z.string()),
  }),
  task: z.string(),
  model: z.string(),
  model_name: z.string().nullable(),
  params_active: z.number().nonnegative().nullable(),
  seed: z.number().int(),
  /** How the seed was found: "config", "name" or "fixed" (--seed-from N). */
  seed_from: z.enum(["config", "name", "fixed"]),
  /** LLM calls: trajectory rows − 1. */
  C: z.number().int().positive(),
  final_fitness: anyNumber,
  trajectory: z.array(ImportedRowSchema).min(2),
  /** Sum of the rows' FLOPs; null when no row has them. */
  total_flops: z.number().nonnegative().nullable(),
  recovery: z.looseObject({
    /** Share of calls 1..C whose outcome some source recorded. */
    share: z.number().min(0).max(1),
    recovered: count,
    missing_calls: z.array(count),
    disagreements: z.array(DisagreementSchema),
    notes: z.array(z.string()),
  }),
  wall_time_seconds: anyNumber.nullish(),
  evoalloc_version: z.string().optional(),
});
export type ImportedRun = z.infer<typeof ImportedRunSchema>;

export interface ImportedFinding {
  path: string;
  message: string;
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(12));

/**
 * The semantic checks of an imported run beyond its schema: rows numbered
 * 0..C, best_fitness follows the valid children exactly, final_fitness is the
 * last best, total_flops the sum of the rows', the recovered share matches
 * the missing calls. Non-finite child fitness is a warning. Pure.
 *
 * @example checkImported(run).problems // => []
 */
export function checkImported(run: ImportedRun): {
  problems: ImportedFinding[];
  warnings: ImportedFinding[];
} {
  const problems: ImportedFinding[] = [];
  const warnings: ImportedFinding[] = [];
  const p = (path: string, message: string) => problems.push({ path, message });
  const rows = run.trajectory;
  if (run.C !== rows.length - 1) p("C", `is ${run.C} but the trajectory has ${rows.length - 1} calls`);
  let best: number | null = null;
  let flops = 0;
  let anyFlops = false;
  for (let c = 0; c < rows.length; c++) {
    const r = rows[c]!;
    if (r.call !== c) p(`trajectory[${c}].call`, `is ${r.call}, expected ${c}`);
    if (r.fitness !== null && !Number.isFinite(r.fitness))
      warnings.push({ path: `trajectory[${c}].fitness`, message: `is not finite (${r.fitness})` });
    else if (r.valid === true && r.fitness !== null)
      best = best === null ? r.fitness : Math.max(best, r.fitness);
    if (r.best_fitness !== null && !Number.isFinite(r.best_fitness))
      p(`trajectory[${c}].best_fitness`, `is not finite (${r.best_fitness})`);
    else if (r.best_fitness !== best)
      p(
        `trajectory[${c}].best_fitness`,
        `is ${r.best_fitness === null ? "null" : fmt(r.best_fitness)} but the valid children so far give ${
          best === null ? "null" : fmt(best)
        }`,
      );
    if (r.flops !== null) {
      flops += r.flops;
      anyFlops = true;
    }
  }
  if (!Number.isFinite(run.final_fitness)) p("final_fitness", `is not finite (${run.final_fitness})`);
  else if (run.final_fitness !== best)
    p(
      "final_fitness",
      `${fmt(run.final_fitness)} differs from the last best_fitness ${best === null ? "null" : fmt(best)}`,
    );
  const total = anyFlops ? flops : null;
  if (
    (total === null) !== (run.total_flops === null) ||
    (total !== null &&
      run.total_flops !== null &&
      Math.abs(total - run.total_flops) > 1e-9 * Math.max(total, 1))
  )
    p("total_flops", `is ${run.total_flops} but the rows sum to ${total}`);
  const calls = rows.length - 1;
  const rec = run.recovery;
  if (rec.recovered + rec.missing_calls.length !== calls)
    p(
      "recovery.recovered",
      `${rec.recovered} recovered + ${rec.missing_calls.length} missing ≠ ${calls} calls`,
    );
  else if (calls > 0 && Math.abs(rec.share - rec.recovered / calls) > 1e-9)
    p("recovery.share", `is ${rec.share} but ${rec.recovered}/${calls} = ${rec.recovered / calls}`);
  return { problems, warnings };
}
