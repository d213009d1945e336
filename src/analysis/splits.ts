/**
 * Split outcomes: the final fitness of every seed at every depth × breadth
 * split (T, N) with T·N = C, for each budget C logged for a (task, model).
 * A run (T', N) with T' ≥ T contains the run (T, N) as its first T
 * generations (child seeds do not depend on T), so a seed also counts at the
 * splits its deeper runs cover, once per split, an exact run preferred
 * (DESIGN.md "T × N sweep at fixed C").
 */
import type { TimeoutPolicy } from "../log/schema.ts";
import { runRows, type Tables } from "./tables.ts";

export interface SplitOutcome {
  task: string;
  model: string;
  C: number;
  T: number;
  N: number;
  seed: number;
  fitness: number;
  /** Cumulative calls and worst-case FLOPs after T generations. */
  calls: number;
  flops: number;
  /** True when a run file logged exactly this split; false for a prefix of a deeper run. */
  exact: boolean;
}

/** A seed's longest logged curve for one (task, model, N). */
export interface Curve {
  task: string;
  model: string;
  N: number;
  seed: number;
  file: string;
  /** best_fitness, cumulative calls and worst-case FLOPs, index = generation 0..L. */
  best: number[];
  calls: number[];
  flops: number[];
  /** Cumulative FLOPs under each timeout policy, index = generation 0..L. */
  flopsBy: Record<TimeoutPolicy, number[]>;
}

const key = (...parts: (string | number)[]) => parts.join("\u0000");

/**
 * The longest curve per (task, model, N, seed) (ties: the lexicographically
 * first file), from the generations table. O(rows).
 */
export function longestCurves(t: Tables): Curve[] {
  const runs = runRows(t);
  const byRun = new Map<number, { file: string; depth: number }>();
  for (const r of runs) byRun.set(r.run_id, r);
  const g = t.generations;
  const id = g.array("run_id") as ArrayLike<number>;
  const task = g.array("task") as ArrayLike<string>;
  const model = g.array("model") as ArrayLike<string>;
  const N = g.array("N") as ArrayLike<number>;
  const seed = g.array("seed") as ArrayLike<number>;
  const gen = g.array("generation") as ArrayLike<number>;
  const best = g.array("best_fitness") as ArrayLike<number>;
  const calls = g.array("calls") as ArrayLike<number>;
  const flops = g.array("flops_worst_case") as ArrayLike<number>;
  const flopsEx = g.array("flops_exclude") as ArrayLike<number>;
  const flopsBd = g.array("flops_bounded") as ArrayLike<number>;
  const chosen = new Map<string, { runId: number; file: string; depth: number }>();
  // first pass: pick the run per curve key (generation-0 rows, one per run)
  for (let i = 0; i < g.numRows(); i++) {
    if (gen[i] !== 0) continue;
    const k = key(task[i]!, model[i]!, N[i]!, seed[i]!);
    const info = byRun.get(id[i]!)!;
    const cur = chosen.get(k);
    if (!cur || info.depth > cur.depth || (info.depth === cur.depth && info.file < cur.file))
      chosen.set(k, { runId: id[i]!, file: info.file, depth: info.depth });
  }
  const curves = new Map<number, Curve>();
  for (const [, c] of chosen) {
    curves.set(c.runId, {
      task: "",
      model: "",
      N: 0,
      seed: 0,
      file: c.file,
      best: [],
      calls: [],
      flops: [],
      flopsBy: { worst_case: [], exclude: [], bounded: [] },
    });
  }
  for (let i = 0; i < g.numRows(); i++) {
    const c = curves.get(id[i]!);
    if (!c) continue;
    if (gen[i] === 0) {
      c.task = task[i]!;
      c.model = model[i]!;
      c.N = N[i]!;
      c.seed = seed[i]!;
    }
    c.best[gen[i]!] = best[i]!;
    c.calls[gen[i]!] = calls[i]!;
    c.flops[gen[i]!] = flops[i]!;
    c.flopsBy.worst_case[gen[i]!] = flops[i]!;
    c.flopsBy.exclude[gen[i]!] = flopsEx[i]!;
    c.flopsBy.bounded[gen[i]!] = flopsBd[i]!;
  }
  return [...curves.values()].sort(
    (a, b) => a.task.localeCompare(b.task) || a.model.localeCompare(b.model) || a.N - b.N || a.seed - b.seed,
  );
}

/** Budgets C logged per (task, model), ascending. */
export function budgets(t: Tables): Map<string, number[]> {
  const out = new Map<string, Set<number>>();
  for (const r of runRows(t)) {
    const k = key(r.task, r.model);
    if (!out.has(k)) out.set(k, new Set());
    out.get(k)!.add(r.C);
  }
  return new Map([...out].map(([k, s]) => [k, [...s].sort((a, b) => a - b)]));
}

/**
 * Every seed's outcome at every split of every logged budget, exact runs
 * preferred over prefixes of deeper runs. Sorted by task, model, C, T, seed.
 */
export function splitOutcomes(t: Tables): SplitOutcome[] {
  const exact = new Map<string, { fitness: number; calls: number; flops: number }>();
  for (const r of runRows(t)) {
    exact.set(key(r.task, r.model, r.T, r.N, r.seed), {
      fitness: r.final_fitness,
      calls: r.calls,
      flops: r.flops_worst_case,
    });
  }
  const byCell = budgets(t);
  const out: SplitOutcome[] = [];
  for (const c of longestCurves(t)) {
    const L = c.best.length - 1;
    for (const C of byCell.get(key(c.task, c.model)) ?? []) {
      if (C % c.N !== 0) continue;
      const T = C / c.N;
      const e = exact.get(key(c.task, c.model, T, c.N, c.seed));
      const base = { task: c.task, model: c.model, C, T, N: c.N, seed: c.seed };
      if (e) out.push({ ...base, ...e, exact: true });
      else if (T <= L)
        out.push({ ...base, fitness: c.best[T]!, calls: c.calls[T]!, flops: c.flops[T]!, exact: false });
    }
  }
  return out
    .filter((o) => Number.isFinite(o.fitness))
    .sort(
      (a, b) =>
        a.task.localeCompare(b.task) ||
        a.model.localeCompare(b.model) ||
        a.C - b.C ||
        a.T - b.T ||
        a.seed - b.seed,
    );
}
