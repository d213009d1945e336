/**
 * Synthetic greedy runs that satisfy the log contract, for tests,
 * benchmarks and examples: a given best-so-far curve, one child per
 * generation with one ok attempt of `tokens` tokens (so FLOPs are not zero),
 * the FLOPs block recomputed by src/log.
 */
import { runFlopsFields } from "../log/flops.ts";
import type { RunRecord } from "../log/read.ts";
import type { Generation, GreedyRun } from "../log/schema.ts";
import { rng } from "../util/rng.ts";

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

export interface PhiSweepSpec {
  /** (β0, a, b, c) of the surface. */
  beta: [number, number, number, number];
  budgets: number[];
  seeds: number[];
  /** Standard deviations of the seed effect (shared by all of a seed's runs) and of the run effect. */
  seedSd?: number;
  runSd?: number;
  /** "log": V = 1 − exp(y) (the Φ-model's form); "linear": V = y. */
  response?: "log" | "linear";
  /** Smallest N per budget (default 1: every power-of-two split T = 1 … C). */
  minN?: number;
  rngSeed?: number;
}

/**
 * Best-so-far curves of a synthetic T × N sweep with a known depth–breadth
 * surface: for seed s and breadth N, after T generations
 * y = β0 + a·ln T + b·ln N + c·ln T·ln N + u_s + e_{s,N} (u a seed effect, e a
 * run effect, both normal), V = 1 − exp(y) (or y), generation 0 at V = 0. One
 * curve per (N, seed), as deep as the largest budget needs, so a split
 * (T, N) is the curve's first T generations. Curves never fall (the running
 * maximum is taken; it binds only when a + c·ln N has the wrong sign).
 */
export function phiSweepCurves(spec: PhiSweepSpec): { N: number; seed: number; curve: number[] }[] {
  const [b0, a, b, c] = spec.beta;
  const r = rng(spec.rngSeed ?? 1, 77);
  const seedEffect = new Map(spec.seeds.map((s) => [s, (spec.seedSd ?? 0.05) * r.normal()]));
  const depthOf = new Map<number, number>();
  for (const C of spec.budgets)
    for (let T = 1; T <= C; T *= 2) {
      const N = C / T;
      if (N < (spec.minN ?? 1)) continue;
      depthOf.set(N, Math.max(depthOf.get(N) ?? 0, T));
    }
  const out: { N: number; seed: number; curve: number[] }[] = [];
  for (const [N, depth] of [...depthOf].sort((x, y) => x[0] - y[0]))
    for (const seed of spec.seeds) {
      const e = (spec.runSd ?? 0.05) * r.normal();
      const curve = [0];
      for (let T = 1; T <= depth; T++) {
        const u = Math.log(T);
        const z = Math.log(N);
        const y = b0 + a * u + b * z + c * u * z + seedEffect.get(seed)! + e;
        curve.push(Math.max(curve[T - 1]!, spec.response === "linear" ? y : 1 - Math.exp(y)));
      }
      out.push({ N, seed, curve });
    }
  return out;
}
