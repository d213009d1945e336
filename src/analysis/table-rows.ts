/**
 * The rows of the runs, bandits and rounds tables, typed, as `objects()`
 * returns them (tables.ts fills the columns).
 */
import type { Tables } from "./tables.ts";

/** A row of the runs table as `runRows` returns it. */
export interface RunRow {
  run_id: number;
  file: string;
  task: string;
  model: string;
  params_active: number;
  C: number;
  T: number;
  N: number;
  seed: number;
  depth: number;
  initial_fitness: number;
  final_fitness: number;
  calls: number;
  attempts: number;
  n_valid: number;
  n_timeout: number;
  n_error: number;
  flops_worst_case: number;
  flops_exclude: number;
  flops_bounded: number;
  prompt_tokens: number;
  completion_tokens: number;
  wall_time_s: number;
}

/** A row of the bandits table as `banditRows` returns it. */
export interface BanditRow {
  bandit_id: number;
  file: string;
  task: string;
  model: string;
  params_active: number;
  algo: string;
  C: number;
  T_total: number;
  N: number;
  n_arms: number;
  bandit_seed: number;
  /** The arms' seeds, space-separated. */
  arm_seeds: string;
  final_best_fitness: number;
  best_arm_seed: number;
  flops_worst_case: number;
  wall_time_s: number;
}

/** A row of the rounds table as `roundRows` returns it. */
export interface RoundRow {
  bandit_id: number;
  task: string;
  model: string;
  algo: string;
  C: number;
  N: number;
  n_arms: number;
  bandit_seed: number;
  round: number;
  arm: number;
  arm_seed: number | null;
  reward: number | null;
  running_best: number | null;
  cumulative_flops: number | null;
}

/** The runs table as row objects. */
export const runRows = (t: Pick<Tables, "runs">): RunRow[] => t.runs.objects() as RunRow[];
/** The bandits table as row objects. */
export const banditRows = (t: Pick<Tables, "bandits">): BanditRow[] => t.bandits.objects() as BanditRow[];
/** The rounds table as row objects. */
export const roundRows = (t: Pick<Tables, "rounds">): RoundRow[] => t.rounds.objects() as RoundRow[];
