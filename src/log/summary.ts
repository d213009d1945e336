/**
 * The one-row summary of a run (what `summarize` prints and `scan` returns
 * without shipping whole runs between threads).
 */
import type { FlopsTotals } from "./flops.ts";
import type { RunRecord } from "./read.ts";

export interface SummaryRow {
  /** The file's path as reached from the path the user gave. */
  path: string;
  kind: "greedy" | "bandit";
  task: string;
  model: string;
  /** Bandit runs' policy; null for greedy runs. */
  algo: string | null;
  C: number;
  /** T_total for a bandit run. */
  T: number;
  N: number;
  n_arms: number | null;
  /** bandit_seed for a bandit run. */
  seed: number;
  /** final_best_fitness for a bandit run. */
  final_fitness: number;
  /** Total FLOPs recomputed from the attempts (bandit: summed over arms). */
  flops: FlopsTotals;
}

/** One summary row of a run (pure). */
export function summaryRow(rec: RunRecord): SummaryRow {
  const f = rec.flops;
  const flops = { worst_case: f.worst_case, exclude: f.exclude, bounded: f.bounded };
  if (rec.kind === "greedy") {
    const r = rec.run;
    return {
      path: rec.file,
      kind: "greedy",
      task: r.task,
      model: r.model,
      algo: null,
      C: r.C,
      T: r.T,
      N: r.N,
      n_arms: null,
      seed: r.seed,
      final_fitness: r.final_fitness,
      flops,
    };
  }
  const r = rec.run;
  return {
    path: rec.file,
    kind: "bandit",
    task: r.task,
    model: r.model,
    algo: r.algo,
    C: r.C,
    T: r.T_total,
    N: r.N,
    n_arms: r.n_arms,
    seed: r.bandit_seed,
    final_fitness: r.final_best_fitness,
    flops,
  };
}
