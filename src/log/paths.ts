/**
 * File names of the log contract (DESIGN.md "Result tree"): where a run's
 * result lives under a results root, and the files that sit beside a result
 * while it is being written (journal, lock, temporary files).
 *
 *   <root>/<task>/<model>/greedy_C<C>_T<T>_N<N>_seed<seed>.json[.gz]
 *   <root>/bandit/<task>/<model>/<algo>_C<C>_T<T>_K<K>_seed<bandit_seed>.json[.gz]
 *   <result without .gz>.journal.jsonl   finished calls/evaluations of an unfinished run
 *   <result without .gz>.lock            the process writing the result (pid, host)
 *   .<result name>.<pid>.<hex>.tmp        an atomic write in progress
 */
import { basename, join } from "node:path";

/** Result extension: ".json" or ".json.gz". */
export type ResultExt = ".json" | ".json.gz";

/** What names a greedy run's result file. */
export interface GreedyRunName {
  task: string;
  model: string;
  T: number;
  N: number;
  seed: number;
}

/** What names a bandit run's result file. */
export interface BanditRunName {
  task: string;
  model: string;
  algo: string;
  T_total: number;
  N: number;
  nArms: number;
  banditSeed: number;
}

/**
 * A greedy run's result path relative to the results root.
 * @example greedyResultPath({ task: "cp", model: "m", T: 2, N: 4, seed: 1 }) // => "cp/m/greedy_C8_T2_N4_seed1.json"
 */
export function greedyResultPath(r: GreedyRunName, ext: ResultExt = ".json"): string {
  return join(r.task, r.model, `greedy_C${r.T * r.N}_T${r.T}_N${r.N}_seed${r.seed}${ext}`);
}

/**
 * A bandit run's result path relative to the results root (C = T_total·N).
 * @example banditResultPath({ task: "cp", model: "m", algo: "ucb", T_total: 8, N: 4, nArms: 5, banditSeed: 0 }) // => "bandit/cp/m/ucb_C32_T8_K5_seed0.json"
 */
export function banditResultPath(r: BanditRunName, ext: ResultExt = ".json"): string {
  return join(
    "bandit",
    r.task,
    r.model,
    `${r.algo}_C${r.T_total * r.N}_T${r.T_total}_K${r.nArms}_seed${r.banditSeed}${ext}`,
  );
}

const stem = (output: string): string => output.replace(/\.gz$/, "");

/** The journal of a result being written: `<output without .gz>.journal.jsonl`. */
export function journalPath(output: string): string {
  return `${stem(output)}.journal.jsonl`;
}

/** The lock of a result being written: `<output without .gz>.lock`. */
export function lockPath(output: string): string {
  return `${stem(output)}.lock`;
}

/** The name of an atomic write's temporary file for `path` (same folder). */
export function tmpName(path: string, pid: number, hex: string): string {
  return `.${basename(path)}.${pid}.${hex}.tmp`;
}

/** Whether `name` is a temporary file of an atomic write of `path` (any process). */
export function isTmpOf(path: string, name: string): boolean {
  const prefix = `.${basename(path)}.`;
  return name.startsWith(prefix) && /^\d+\.[0-9a-f]+\.tmp$/.test(name.slice(prefix.length));
}
