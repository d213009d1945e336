/**
 * Synthetic result trees for the analysis tests: greedy runs that follow the
 * clean Φ-model (freeze the parent, N children, keep the best if strictly
 * better) and online bandit runs over such arms, written in the log contract's
 * shape. Children depend only on (seed, N, generation, idx) and the parent, so
 * a shallower run is an exact prefix of a deeper one with the same seed and N,
 * as in real logs. And `readTree`: a tree's tables and runs from one read.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectTables, type Tables } from "../src/analysis/tables.ts";
import { type RunRecord, readResults } from "../src/log/read.ts";
import type { BanditRun, Child, FlopsBlock, FlopsSummary, Generation, GreedyRun } from "../src/log/schema.ts";
import { rng } from "../src/util/rng.ts";

export interface TaskModel {
  task: string;
  model: string;
  paramsActive: number;
  /** Initial fitness and the mean gain per child draw. */
  f0?: number;
  step?: number;
}

const MAX_TOKENS = 2000;

function summary(
  policy: FlopsSummary["timeout_policy"],
  p: number,
  ok: { prompt: number; completion: number },
  nOk: number,
  nTimeout: number,
  timeoutTokens: number,
): FlopsSummary {
  const okFlops = 2 * p * (ok.prompt + ok.completion);
  const timeoutFlops = policy === "worst_case" ? 2 * p * timeoutTokens : 0;
  return {
    total_flops: okFlops + timeoutFlops,
    n_ok: nOk,
    n_timeout: nTimeout,
    n_error: 0,
    timeout_flops: timeoutFlops,
    timeout_policy: policy,
    sum_prompt_tokens: ok.prompt,
    sum_completion_tokens: ok.completion,
    sum_cached_prompt_tokens: 0,
    prefix_cache_hit_rate: 0,
  };
}

/** A greedy run of T generations of N children (deterministic in seed, N, task). */
export function greedyRun(tm: TaskModel, T: number, N: number, seed: number): GreedyRun {
  const f0 = tm.f0 ?? 0.3;
  const step = tm.step ?? 0.05;
  const trajectory: Generation[] = [
    {
      generation: 0,
      best_fitness: f0,
      n_children: 0,
      n_valid: 0,
      n_improved: 0,
      children: [],
      gen_time_s: 0,
    },
  ];
  let parent = f0;
  const tok = { prompt: 0, completion: 0 };
  let nOk = 0;
  let nTimeout = 0;
  let timeoutTokens = 0;
  const perGen: number[] = [];
  for (let g = 1; g <= T; g++) {
    const children: Child[] = [];
    let best = -Infinity;
    let nImproved = 0;
    let genFlops = 0;
    for (let idx = 0; idx < N; idx++) {
      const r = rng(seed * 7919 + tm.task.length * 131 + N, g * 4096 + idx);
      const attempts: Child["attempts"] = [];
      if (r.next() < 0.05) {
        attempts.push({
          attempt_idx: 0,
          status: "timeout",
          latency_s: 30,
          usage: null,
          finish_reason: null,
          timed_out: true,
          estimated_output_tokens: MAX_TOKENS,
        });
        nTimeout++;
        timeoutTokens += MAX_TOKENS;
        genFlops += 2 * tm.paramsActive * MAX_TOKENS;
      }
      const prompt = 400 + r.int(200);
      const completion = 200 + r.int(400);
      attempts.push({
        attempt_idx: attempts.length,
        status: "ok",
        latency_s: 1 + r.next(),
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        finish_reason: "stop",
        timed_out: false,
      });
      nOk++;
      tok.prompt += prompt;
      tok.completion += completion;
      genFlops += 2 * tm.paramsActive * (prompt + completion);
      const u = r.next();
      let fitness: number | null;
      let valid = true;
      if (u < 0.05) {
        fitness = null;
        valid = false;
      } else if (u < 0.15) {
        fitness = 0;
        valid = false;
      } else {
        // gains shrink as the parent approaches 1: a saturating landscape
        fitness = Math.min(1, Math.max(0, parent + step * (1 - parent) * (r.normal() - 0.6)));
      }
      if (fitness !== null) {
        if (fitness > parent) nImproved++;
        if (fitness > best) best = fitness;
      }
      children.push({
        idx,
        seed: (seed * 1000 + g * 10 + idx) >>> 0,
        fitness,
        valid,
        attempts,
        final_status: "ok",
      });
    }
    const nParsed = children.filter((c) => c.fitness !== null).length;
    const parentFitness = parent;
    if (best > parent) parent = best;
    perGen.push(genFlops);
    trajectory.push({
      generation: g,
      best_fitness: parent,
      parent_fitness: parentFitness,
      n_children: N,
      n_valid: nParsed,
      n_improved: nImproved,
      children,
      gen_time_s: 1.5,
    });
  }
  const p = tm.paramsActive;
  const flops: FlopsBlock = {
    params_active: p,
    worst_case: summary("worst_case", p, tok, nOk, nTimeout, timeoutTokens),
    exclude: summary("exclude", p, tok, nOk, nTimeout, timeoutTokens),
    bounded: summary("bounded", p, tok, nOk, nTimeout, timeoutTokens),
  };
  return {
    task: tm.task,
    model: tm.model,
    model_name: tm.model,
    C: T * N,
    T,
    N,
    seed,
    final_fitness: parent,
    final_metrics: { combined_score: parent },
    trajectory,
    wall_time_seconds: 1.5 * T,
    flops,
    flops_per_generation: perGen,
  };
}

/** An online bandit run: round-robin-then-greedy selection over K arms (enough structure for the figures). */
export function banditRun(
  tm: TaskModel,
  algo: string,
  C: number,
  N: number,
  K: number,
  banditSeed: number,
): BanditRun {
  const T = C / N;
  const armSeeds = Array.from({ length: K }, (_, i) => 40 + i);
  const full = armSeeds.map((s) => greedyRun(tm, T, N, s));
  const r = rng(banditSeed, algo.length);
  const pulls = new Array<number>(K).fill(0);
  const selections: number[] = [];
  const rewards: number[] = [];
  const runningBest: number[] = [];
  const flopsPerRound: number[] = [];
  const cumulative: number[] = [];
  let best = -Infinity;
  let total = 0;
  for (let t = 0; t < T; t++) {
    const arm = t < K ? t : r.int(K);
    const k = ++pulls[arm]!;
    const arun = full[arm]!;
    const reward = arun.trajectory[k]!.best_fitness;
    selections.push(arm);
    rewards.push(reward);
    best = Math.max(best, reward);
    runningBest.push(best);
    const f = arun.flops_per_generation[k - 1]!;
    flopsPerRound.push(f);
    total += f;
    cumulative.push(total);
  }
  const armResults = armSeeds.map((armSeed, i) => {
    const cut = greedyRun(tm, pulls[i]!, N, armSeed);
    return { ...cut, T, C: T * N };
  });
  const armFinal = armResults.map((a) => a.final_fitness);
  const bestArm = armFinal.indexOf(Math.max(...armFinal));
  return {
    task: tm.task,
    model: tm.model,
    model_name: tm.model,
    params_active: tm.paramsActive,
    algo,
    C,
    T_total: T,
    N,
    n_arms: K,
    arm_seeds: armSeeds,
    bandit_seed: banditSeed,
    selections,
    rewards,
    running_best: runningBest,
    flops_per_round: flopsPerRound,
    cumulative_flops: cumulative,
    total_flops_worst_case: total,
    final_best_fitness: Math.max(...armFinal),
    best_arm_seed: armSeeds[bestArm]!,
    arm_pulls: pulls,
    arm_final_fitness: armFinal,
    arm_results: armResults,
    wall_time_seconds: 1.5 * T,
  };
}

export interface TreeOptions {
  tasks?: TaskModel[];
  budgets?: number[];
  minN?: number;
  seeds?: number[];
  /** Extra deep runs: T, N and seeds. */
  deep?: { T: number; N: number; seeds: number[] };
  bandits?: { algos: string[]; C: number; N: number; K: number; seeds: number[] };
}

export const DEFAULT_TASKS: TaskModel[] = [
  { task: "cp", model: "qwen3-8b", paramsActive: 8_190_726_144, f0: 0.3, step: 0.08 },
  { task: "ht", model: "mutator", paramsActive: 0, f0: 0.5, step: 0.05 },
];

/** Writes a results tree under `dir` (greedy splits at every budget, deep runs, bandit runs). Returns the files. */
export function writeTree(dir: string, opts: TreeOptions = {}): string[] {
  const tasks = opts.tasks ?? DEFAULT_TASKS;
  const budgets = opts.budgets ?? [16, 64];
  const minN = opts.minN ?? 4;
  const seeds = opts.seeds ?? [0, 1, 2, 3];
  const files: string[] = [];
  const put = (rel: string, value: unknown) => {
    const path = join(dir, rel);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, JSON.stringify(value));
    files.push(path);
  };
  for (const tm of tasks) {
    for (const C of budgets) {
      for (let T = 1; T <= C / minN; T *= 2) {
        const N = C / T;
        for (const seed of seeds)
          put(`${tm.task}/${tm.model}/greedy_C${C}_T${T}_N${N}_seed${seed}.json`, greedyRun(tm, T, N, seed));
      }
    }
    if (opts.deep) {
      const { T, N } = opts.deep;
      for (const seed of opts.deep.seeds)
        put(
          `${tm.task}/${tm.model}/greedy_C${T * N}_T${T}_N${N}_seed${seed}.json`,
          greedyRun(tm, T, N, seed),
        );
    }
    if (opts.bandits) {
      const b = opts.bandits;
      for (const algo of b.algos)
        for (const s of b.seeds)
          put(
            `bandit/${tm.task}/${tm.model}/${algo}_C${b.C}_T${b.C / b.N}_K${b.K}_seed${s}.json`,
            banditRun(tm, algo, b.C, b.N, b.K, s),
          );
    }
  }
  return files;
}

/**
 * The analysis tables of `paths` and their runs (what loadResults lists as `runs`), reading every file
 * once: collectTables and loadResults each read the whole tree.
 */
export async function readTree(paths: string[]): Promise<{ tables: Tables; runs: RunRecord[] }> {
  const runs: RunRecord[] = [];
  const tables = await collectTables(readResults(paths), (e) => {
    if (e.kind === "greedy" || e.kind === "bandit") runs.push(e);
  });
  return { tables, runs };
}
