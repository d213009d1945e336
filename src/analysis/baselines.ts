/**
 * Baselines: other systems' imported runs side by side with evoalloc's greedy
 * and bandit runs of the same task, at equal LLM calls (and at equal FLOPs
 * where both sides have tokens) — the paper's main-table comparison. Pure.
 *
 *   run records ─> units (best-so-far per step, calls per step, cumulative FLOPs)
 *     ─> tasks with both sides ─> budgets C ─> per method: mean, IQM, t interval over runs,
 *        threshold-reaching (earliest calls at which ≥ 90% of bootstrap resamples of the mean curve reach τ)
 */

import type { ImportedRecord, RunRecord } from "../log/read.ts";
import { iqm } from "../replay/stats.ts";
import { tInterval } from "../util/interval.ts";
import { mean } from "../util/stats.ts";
import { bootstrapMeanCurves, earliestReach, REACH_LEVEL } from "./threshold.ts";

/** One run as a curve over steps (a generation, a bandit round, an imported call). */
export interface BaselineUnit {
  task: string;
  model: string;
  kind: "greedy" | "bandit" | "imported";
  /** "greedy N=4", "ucb K=10 N=4", "openevolve". */
  method: string;
  callsPerStep: number;
  /** Best so far after each step, step 0 = before any call; null before the first score (imported). */
  curve: (number | null)[];
  /** Cumulative FLOPs after each step; null when unknown. */
  cumFlops: number[] | null;
}

const cumsum = (xs: readonly number[]): number[] => {
  let s = 0;
  return [0, ...xs.map((x) => (s += x))];
};

/** The unit of a greedy or bandit run (worst-case FLOPs as stored, which validate checks; a model without parameters has none). */
export function evoallocUnit(rec: RunRecord): BaselineUnit {
  if (rec.kind === "greedy") {
    const r = rec.run;
    const P = r.flops.params_active;
    return {
      task: r.task,
      model: r.model,
      kind: "greedy",
      method: `greedy N=${r.N}`,
      callsPerStep: r.N,
      curve: r.trajectory.map((g) => g.best_fitness),
      cumFlops: P > 0 ? cumsum(r.flops_per_generation) : null,
    };
  }
  const r = rec.run;
  const start = Math.max(
    ...r.arm_results.map((a) => a.trajectory[0]?.best_fitness ?? Number.NEGATIVE_INFINITY),
  );
  return {
    task: r.task,
    model: r.model,
    kind: "bandit",
    method: `${r.algo} K=${r.n_arms} N=${r.N}`,
    callsPerStep: r.N,
    curve: [start, ...r.running_best],
    cumFlops: r.params_active > 0 ? [0, ...r.cumulative_flops] : null,
  };
}

/** The unit of an imported run (FLOPs only when every call has them). */
export function importedUnit(rec: ImportedRecord): BaselineUnit {
  const r = rec.run;
  const rows = r.trajectory;
  const known = rows.slice(1).every((x) => x.flops !== null);
  return {
    task: r.task,
    model: r.model,
    kind: "imported",
    method: r.source.system,
    callsPerStep: 1,
    curve: rows.map((x) => x.best_fitness),
    cumFlops: known ? cumsum(rows.slice(1).map((x) => x.flops!)) : null,
  };
}

export interface BaselineRow extends Record<string, unknown> {
  task: string;
  /** "calls": every method after `budget` calls; "flops": after spending at most `budget` FLOPs. */
  axis: "calls" | "flops";
  budget: number;
  kind: BaselineUnit["kind"];
  method: string;
  model: string;
  n_runs: number;
  mean: number;
  iqm: number;
  /** Student-t 95% interval of the mean over runs; null with one run. */
  ci95_lo: number | null;
  ci95_hi: number | null;
  /** Mean FLOPs spent by the calls (null when unknown). */
  mean_flops: number | null;
  tau: number;
  /** Earliest calls at which ≥ 90% of bootstrap resamples of the mean curve reach τ (null: not within the budget). */
  reach_calls: number | null;
}

export interface BaselineOptions {
  /** Bootstrap resamples behind threshold-reaching. */
  replicates: number;
  seed: number;
  /** τ = level × the best fitness any run of the task reached. Default 0.9. */
  tauLevel?: number;
}

const key = (u: BaselineUnit): string => JSON.stringify([u.kind, u.method, u.model]);

/** The value of a unit after `calls` calls, or undefined when it did not make them. */
function at(u: BaselineUnit, calls: number): number | null | undefined {
  if (calls % u.callsPerStep !== 0) return undefined;
  const s = calls / u.callsPerStep;
  return s < u.curve.length ? u.curve[s] : undefined;
}

/**
 * The comparison table: for every task with imported runs and evoalloc runs,
 * at every budget C (a run's total calls, either side) that runs of both
 * sides reach, one row per
 * method (greedy per breadth N with prefixes of deeper runs, bandit per
 * policy, imported per system); then, where imported and evoalloc methods
 * both have FLOPs, the same at the smallest mean FLOPs among them.
 * O(units · steps · replicates) for threshold-reaching.
 */
export function baselineTable(
  units: readonly BaselineUnit[],
  opts: BaselineOptions,
): { rows: BaselineRow[]; notes: string[] } {
  const rows: BaselineRow[] = [];
  const notes: string[] = [];
  const tasks = [...new Set(units.map((u) => u.task))].sort();
  for (const task of tasks) {
    const mine = units.filter((u) => u.task === task);
    const imported = mine.filter((u) => u.kind === "imported");
    const ours = mine.filter((u) => u.kind !== "imported");
    if (imported.length === 0 || ours.length === 0) continue;
    let best = Number.NEGATIVE_INFINITY;
    let floor = Number.POSITIVE_INFINITY;
    for (const u of mine)
      for (const v of u.curve)
        if (v !== null) {
          best = Math.max(best, v);
          floor = Math.min(floor, v);
        }
    const tau = (opts.tauLevel ?? REACH_LEVEL) * best;
    // budgets: evoalloc runs' totals and imported runs' depths that both sides reach
    const candidates = new Set([...mine.map((u) => (u.curve.length - 1) * u.callsPerStep)]);
    const budgets = [...candidates]
      .filter(
        (c) =>
          c >= 1 && imported.some((u) => at(u, c) !== undefined) && ours.some((u) => at(u, c) !== undefined),
      )
      .sort((a, b) => a - b);
    if (budgets.length === 0) {
      notes.push(`${task}: no budget in calls that both imported and evoalloc runs reach`);
      continue;
    }
    for (const C of budgets) {
      const groups = new Map<string, BaselineUnit[]>();
      for (const u of mine) {
        if (at(u, C) === undefined) continue;
        const k = key(u);
        const list = groups.get(k);
        if (list) list.push(u);
        else groups.set(k, [u]);
      }
      const callRows: BaselineRow[] = [];
      for (const list of groups.values()) {
        const u0 = list[0]!;
        const values = list.map((u) => at(u, C) ?? floor);
        const flops = list.every((u) => u.cumFlops)
          ? list.map((u) => u.cumFlops![C / u.callsPerStep]!)
          : null;
        const steps = C / u0.callsPerStep;
        const curves = list.map((u) => Float64Array.from(u.curve.slice(0, steps + 1), (v) => v ?? floor));
        const reach = earliestReach(bootstrapMeanCurves(curves, opts.replicates, opts.seed), tau);
        const ti = tInterval(values);
        callRows.push({
          task,
          axis: "calls",
          budget: C,
          kind: u0.kind,
          method: u0.method,
          model: u0.model,
          n_runs: list.length,
          mean: mean(values),
          iqm: iqm(values),
          ci95_lo: ti.lo,
          ci95_hi: ti.hi,
          mean_flops: flops ? mean(flops) : null,
          tau,
          reach_calls: reach === null ? null : reach * u0.callsPerStep,
        });
      }
      callRows.sort(
        (a, b) =>
          a.kind.localeCompare(b.kind) || a.method.localeCompare(b.method) || a.model.localeCompare(b.model),
      );
      rows.push(...callRows);
      // equal FLOPs: only where an imported method and an evoalloc method both have them
      const withFlops = callRows.filter((r) => r.mean_flops !== null && r.mean_flops > 0);
      if (!withFlops.some((r) => r.kind === "imported") || !withFlops.some((r) => r.kind !== "imported"))
        continue;
      const F = Math.min(...withFlops.map((r) => r.mean_flops!));
      for (const r of withFlops) {
        const list = groups.get(JSON.stringify([r.kind, r.method, r.model]))!;
        const values = list.map((u) => {
          let s = 0;
          while (s + 1 < u.curve.length && u.cumFlops![s + 1]! <= F) s++;
          return u.curve[s] ?? floor;
        });
        const ti = tInterval(values);
        rows.push({
          ...r,
          axis: "flops",
          budget: F,
          mean: mean(values),
          iqm: iqm(values),
          ci95_lo: ti.lo,
          ci95_hi: ti.hi,
          mean_flops: F,
          reach_calls: null,
        });
      }
    }
  }
  return { rows, notes };
}
