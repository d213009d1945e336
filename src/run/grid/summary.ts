/**
 * A grid's summary: the final fitness of every result file of the grid
 * (skipped runs included), as mean, sd, min and max over seeds per greedy
 * split and per bandit policy.
 */
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { parsePythonJson } from "../../log/json.ts";
import { mean, sd } from "../../util/stats.ts";
import type { BanditGridRun, GreedyGridRun, GridRun } from "./grid-config.ts";
import { existingResult } from "./plan.ts";

export interface GreedyRow {
  task: string;
  model: string;
  C: number;
  T: number;
  N: number;
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export interface BanditRow {
  task: string;
  model: string;
  algo: string;
  C: number;
  K: number;
  n: number;
  mean: number;
  sd: number;
}

export interface GridSummary {
  root: string;
  runs: { total: number; run: number; resumed: number; skipped: number; failed: number };
  calls: { total: number; done: number; replayed: number };
  evaluations: { run: number; reused: number };
  wall_time_s: number;
  interrupted: boolean;
  failures: { path: string; error: string }[];
  greedy: GreedyRow[];
  bandit: BanditRow[];
}

/**
 * The final fitness of every run of `runs` that has a result file under
 * `root`, beside the ones already known in `finals` (which it extends).
 */
export async function readFinals(
  runs: readonly GridRun[],
  root: string,
  finals: Map<string, number>,
): Promise<void> {
  for (const r of runs) {
    if (finals.has(r.path)) continue;
    const file = existingResult(root, r.path);
    if (file === null) continue;
    const f = await readFinal(file);
    if (f !== null) finals.set(r.path, f);
  }
}

/** The final (best) fitness of a result file (.json or .json.gz), or null when it cannot be read. */
export async function readFinal(file: string): Promise<number | null> {
  try {
    let bytes = await readFile(file);
    if (file.endsWith(".gz")) bytes = gunzipSync(bytes);
    const json = parsePythonJson(bytes.toString("utf8")) as Record<string, unknown>;
    const f = json.final_best_fitness ?? json.final_fitness;
    return typeof f === "number" ? f : null;
  } catch {
    return null;
  }
}

/** n, mean, sd (0 for one value) and range of a group's final fitnesses (never empty). */
function stats(xs: number[]): { n: number; mean: number; sd: number; min: number; max: number } {
  const n = xs.length;
  return { n, mean: mean(xs), sd: n > 1 ? sd(xs) : 0, min: Math.min(...xs), max: Math.max(...xs) };
}

/** The summary's rows of a grid's runs, over those with a final fitness in `finals`: greedy and bandit. */
export function summaryRows(
  runs: readonly GridRun[],
  finals: Map<string, number>,
): Pick<GridSummary, "greedy" | "bandit"> {
  return {
    greedy: greedyRows(
      runs.filter((r): r is GreedyGridRun => r.kind === "greedy"),
      finals,
    ),
    bandit: banditRows(
      runs.filter((r): r is BanditGridRun => r.kind === "bandit"),
      finals,
    ),
  };
}

/** Greedy rows: per (task, model, C, T), over seeds. */
export function greedyRows(runs: GreedyGridRun[], finals: Map<string, number>): GreedyRow[] {
  const groups = new Map<string, { r: GreedyGridRun; xs: number[] }>();
  for (const r of runs) {
    const f = finals.get(r.path);
    if (f === undefined) continue;
    const key = `${r.task}\0${r.model}\0${r.T * r.N}\0${r.T}`;
    const g = groups.get(key) ?? { r, xs: [] };
    g.xs.push(f);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ r, xs }) => ({ task: r.task, model: r.model, C: r.T * r.N, T: r.T, N: r.N, ...stats(xs) }))
    .sort((a, b) => a.task.localeCompare(b.task) || a.model.localeCompare(b.model) || a.C - b.C || a.T - b.T);
}

/** Bandit rows: per (task, model, policy, C, K), over seeds. */
export function banditRows(runs: BanditGridRun[], finals: Map<string, number>): BanditRow[] {
  const groups = new Map<string, { r: BanditGridRun; xs: number[] }>();
  for (const r of runs) {
    const f = finals.get(r.path);
    if (f === undefined) continue;
    const key = `${r.task}\0${r.model}\0${r.algo}\0${r.calls}\0${r.nArms}`;
    const g = groups.get(key) ?? { r, xs: [] };
    g.xs.push(f);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ r, xs }) => {
      const s = stats(xs);
      return {
        task: r.task,
        model: r.model,
        algo: r.algo,
        C: r.T_total * r.N,
        K: r.nArms,
        n: s.n,
        mean: s.mean,
        sd: s.sd,
      };
    })
    .sort(
      (a, b) =>
        a.task.localeCompare(b.task) || a.model.localeCompare(b.model) || a.algo.localeCompare(b.algo),
    );
}
