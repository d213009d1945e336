/**
 * The one-row summary of a run (what `summarize` prints and `scan` returns
 * without shipping whole runs between threads).
 */
import type { FlopsTotals } from "./flops.ts";
import type { ImportedRecord, RunRecord } from "./read.ts";

export interface SummaryRow {
  /** The file's path as reached from the path the user gave. */
  path: string;
  kind: "greedy" | "bandit" | "imported";
  task: string;
  model: string;
  /** Bandit runs' policy, imported runs' system; null for greedy runs. */
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
  /** Total FLOPs recomputed from the attempts (bandit: summed over arms); imported: the rows' sum, NaN (null in JSON) when unknown. */
  flops: FlopsTotals;
}

/** One summary row of a run (pure). */
export function summaryRow(rec: RunRecord | ImportedRecord): SummaryRow {
  if (rec.kind === "imported") {
    const r = rec.run;
    const total = r.total_flops ?? Number.NaN;
    return {
      path: rec.file,
      kind: "imported",
      task: r.task,
      model: r.model,
      algo: r.source.system,
      C: r.C,
      T: r.C,
      N: 1,
      n_arms: null,
      seed: r.seed,
      final_fitness: r.final_fitness,
      flops: { worst_case: total, exclude: total, bounded: total },
    };
  }
  // greedy and bandit runs fill the same columns; a bandit run names some otherwise and adds algo, n_arms
  const r = rec.run;
  const f = rec.flops;
  const greedy = rec.kind === "greedy";
  return {
    path: rec.file,
    kind: rec.kind,
    task: r.task,
    model: r.model,
    algo: greedy ? null : rec.run.algo,
    C: r.C,
    T: greedy ? rec.run.T : rec.run.T_total,
    N: r.N,
    n_arms: greedy ? null : rec.run.n_arms,
    seed: greedy ? rec.run.seed : rec.run.bandit_seed,
    final_fitness: greedy ? rec.run.final_fitness : rec.run.final_best_fitness,
    flops: { worst_case: f.worst_case, exclude: f.exclude, bounded: f.bounded },
  };
}
