/**
 * A grid's plan: every run of the config with its state on disk (done: a
 * result exists; partial: a journal of an unfinished run; todo: nothing yet),
 * what `run grid --dry-run` lists.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { journalPath } from "../journal.ts";
import { expandGrid, type GridConfig } from "./grid-config.ts";

/** The path of a run's result file when it exists in either form (.json or .json.gz), else null. */
export function existingResult(root: string, path: string): string | null {
  const base = path.replace(/\.gz$/, "");
  for (const p of [base, `${base}.gz`]) if (existsSync(join(root, p))) return join(root, p);
  return null;
}

/** One run of a grid's plan (`--dry-run`). */
export interface PlannedRun {
  kind: "greedy" | "bandit";
  task: string;
  model: string;
  /** Greedy: generations; bandit: rounds (T_total). */
  T: number;
  N: number;
  /** Greedy runs. */
  seed?: number;
  /** Bandit runs. */
  algo?: string;
  K?: number;
  bandit_seed?: number;
  calls: number;
  /** Relative to the root. */
  output: string;
  /** done: a result exists; partial: a journal of an unfinished run; todo: nothing yet. */
  state: "done" | "partial" | "todo";
}

export interface GridPlan {
  root: string;
  runs: number;
  calls: number;
  to_run: number;
  calls_to_run: number;
  states: { done: number; partial: number; todo: number };
  plan: PlannedRun[];
}

/** What `run grid` would do: every run with its state (with `force`, every run is redone). */
export function gridPlan(cfg: GridConfig, root: string, force: boolean): GridPlan {
  const plan = expandGrid(cfg, cfg.gzip ? ".json.gz" : ".json").map((r): PlannedRun => {
    const state =
      existingResult(root, r.path) !== null
        ? "done"
        : existsSync(journalPath(join(root, r.path)))
          ? "partial"
          : "todo";
    const common = { task: r.task, model: r.model, N: r.N, calls: r.calls, output: r.path, state } as const;
    return r.kind === "greedy"
      ? { kind: "greedy", ...common, T: r.T, seed: r.seed }
      : { kind: "bandit", ...common, T: r.T_total, algo: r.algo, K: r.nArms, bandit_seed: r.banditSeed };
  });
  const todo = plan.filter((p) => force || p.state !== "done");
  return {
    root,
    runs: plan.length,
    calls: plan.reduce((s, r) => s + r.calls, 0),
    to_run: todo.length,
    calls_to_run: todo.reduce((s, r) => s + r.calls, 0),
    states: {
      done: plan.filter((p) => p.state === "done").length,
      partial: plan.filter((p) => p.state === "partial").length,
      todo: plan.filter((p) => p.state === "todo").length,
    },
    plan,
  };
}
