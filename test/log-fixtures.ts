/** Hand-made runs for the log tests: small, worked out by hand. */

import { runFlopsFields } from "../src/log/flops.ts";
import type { Attempt, Child, Generation, GreedyRun } from "../src/log/schema.ts";

export function attempt(partial: Partial<Attempt>): Attempt {
  return {
    attempt_idx: 0,
    status: "ok",
    latency_s: 0.1,
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
    finish_reason: "stop",
    timed_out: false,
    ...partial,
  };
}

export function child(idx: number, fitness: number | null, attempts: Attempt[]): Child {
  return {
    idx,
    seed: 1000 + idx,
    fitness,
    valid: fitness !== null,
    attempts,
    final_status: fitness === null ? "error" : "ok",
  };
}

/** A consistent greedy run from per-generation children (flops recomputed, so it validates). */
export function greedyRun(
  gens: Child[][],
  opts: { params?: number; seed?: number; f0?: number } = {},
): GreedyRun {
  const params = opts.params ?? 10;
  let best = opts.f0 ?? 0.1;
  const trajectory: Generation[] = [
    {
      generation: 0,
      best_fitness: best,
      n_children: 0,
      n_valid: 0,
      n_improved: 0,
      children: [],
      gen_time_s: 0,
    },
  ];
  gens.forEach((children, i) => {
    const parent = best;
    for (const c of children) if (c.fitness !== null && c.fitness > best) best = c.fitness;
    trajectory.push({
      generation: i + 1,
      best_fitness: best,
      parent_fitness: parent,
      n_children: children.length,
      n_valid: children.filter((c) => c.fitness !== null).length,
      n_improved: children.filter((c) => c.fitness !== null && c.fitness > parent).length,
      children,
      gen_time_s: 1,
    });
  });
  const N = Math.max(1, gens[0]?.length ?? 1);
  const T = gens.length;
  return {
    task: "cp",
    model: "test-model",
    model_name: "Test/Model",
    C: T * N,
    T,
    N,
    seed: opts.seed ?? 0,
    final_fitness: best,
    final_metrics: { combined_score: best },
    trajectory,
    wall_time_seconds: 1,
    ...runFlopsFields(trajectory, params),
  };
}
