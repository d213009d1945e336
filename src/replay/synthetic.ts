/**
 * Synthetic greedy runs that satisfy the log contract, for tests,
 * benchmarks and examples: a given best-so-far curve, one child per
 * generation with one ok attempt of `tokens` tokens (so FLOPs are not zero),
 * the FLOPs block recomputed by src/log.
 */
import { runFlopsFields } from "../log/flops.ts";
import type { RunRecord } from "../log/read.ts";
import type { Generation, GreedyRun } from "../log/schema.ts";

export interface SyntheticRunSpec {
  task: string;
  model: string;
  N: number;
  seed: number;
  /** best_fitness after g = 0..T generations (non-decreasing). */
  curve: number[];
  paramsActive?: number;
  /** Prompt + completion tokens of each generation's single attempt. Default 1000. */
  tokens?: number;
}

/** A greedy run object (what a result file holds). T = curve.length − 1. */
export function syntheticGreedyRun(spec: SyntheticRunSpec): GreedyRun {
  const t = spec.curve.length - 1;
  const params = spec.paramsActive ?? 8e9;
  const tokens = spec.tokens ?? 1000;
  const trajectory: Generation[] = spec.curve.map((best, g) =>
    g === 0
      ? {
          generation: 0,
          best_fitness: best,
          n_children: 0,
          n_valid: 0,
          n_improved: 0,
          children: [],
          gen_time_s: 0,
        }
      : {
          generation: g,
          best_fitness: best,
          parent_fitness: spec.curve[g - 1]!,
          n_children: 1,
          n_valid: 1,
          n_improved: best > spec.curve[g - 1]! ? 1 : 0,
          children: [
            {
              idx: 0,
              seed: g,
              fitness: best,
              valid: true,
              final_status: "ok",
              attempts: [
                {
                  attempt_idx: 0,
                  status: "ok",
                  latency_s: 1,
                  usage: {
                    prompt_tokens: Math.floor(tokens / 2),
                    completion_tokens: tokens - Math.floor(tokens / 2),
                    total_tokens: tokens,
                  },
                  finish_reason: "stop",
                  timed_out: false,
                  estimated_output_tokens: null,
                },
              ],
            },
          ],
          gen_time_s: 1,
        },
  );
  return {
    task: spec.task,
    model: spec.model,
    model_name: spec.model,
    C: t * spec.N,
    T: t,
    N: spec.N,
    seed: spec.seed,
    final_fitness: spec.curve[t]!,
    final_metrics: { combined_score: spec.curve[t]! },
    trajectory,
    wall_time_seconds: t,
    ...runFlopsFields(trajectory, params),
  };
}

/** The reader's record of a synthetic run (as `loadResults` would return it). */
export function syntheticRecord(spec: SyntheticRunSpec, file?: string): RunRecord {
  const run = syntheticGreedyRun(spec);
  const wc = run.flops.worst_case.total_flops;
  return {
    kind: "greedy",
    file: file ?? `${spec.task}/${spec.model}/greedy_C${run.C}_T${run.T}_N${spec.N}_seed${spec.seed}.json`,
    run,
    warnings: [],
    flops: { worst_case: wc, exclude: run.flops.exclude.total_flops, bounded: run.flops.bounded.total_flops },
    bytes: 0,
  };
}
