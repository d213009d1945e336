/**
 * Semantic checks of a parsed run beyond its schema (the `validate`
 * contract): stored FLOPs agree with the recomputation from the attempts,
 * final fitness is the last best, best never decreases, C = T·N, and the
 * trajectory has the right number of rows, usage objects are usable
 * (usage.ts: non-negative integer token counts, cached ≤ prompt). Non-finite best/final fitness is a
 * problem; a non-finite child fitness a warning.
 *
 * Pure: takes a run, returns findings with JSON paths.
 */
import { addTotals, type FlopsTotals, flopsAccount, roundSeries } from "./flops.ts";
import { TIMEOUT_POLICIES } from "./kinds.ts";
import type { BanditRun, GreedyRun } from "./schema.ts";
import { usageProblem } from "./usage.ts";

export interface Finding {
  /** JSON path inside the file ("" for the whole file). */
  path: string;
  message: string;
}

export interface CheckResult {
  problems: Finding[];
  warnings: Finding[];
  /** Total FLOPs recomputed from the attempts (a bandit run: summed over its arms). */
  flops: FlopsTotals;
}

const emptyResult = (): CheckResult => ({
  problems: [],
  warnings: [],
  flops: { worst_case: 0, exclude: 0, bounded: 0 },
});

/** Relative tolerance between stored and recomputed FLOPs (DESIGN.md). */
export const FLOPS_RTOL = 1e-9;

function close(a: number, b: number, rtol = FLOPS_RTOL): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b));
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(12));

/**
 * Checks a greedy run. `prefix` is the JSON path of the run inside its file
 * (`arm_results[2].` for an arm); `arm` holds the arm's pull count, which
 * changes the row-count rule (at most T + 1 rows, exactly pulls + 1).
 */
export function checkGreedy(
  run: GreedyRun,
  prefix = "",
  arm?: { pulls: number | undefined; paramsActive: number },
  out: CheckResult = emptyResult(),
): CheckResult {
  const p = (path: string, message: string) => out.problems.push({ path: prefix + path, message });
  const w = (path: string, message: string) => out.warnings.push({ path: prefix + path, message });
  const traj = run.trajectory;

  if (run.C !== run.T * run.N) p("C", `C = ${run.C} but T·N = ${run.T}·${run.N} = ${run.T * run.N}`);
  if (arm === undefined) {
    if (traj.length !== run.T + 1) p("trajectory", `has ${traj.length} rows, expected T + 1 = ${run.T + 1}`);
  } else {
    if (traj.length > run.T + 1) p("trajectory", `has ${traj.length} rows, more than T + 1 = ${run.T + 1}`);
    if (arm.pulls !== undefined && traj.length !== arm.pulls + 1)
      p("trajectory", `has ${traj.length} rows, expected the arm's pulls + 1 = ${arm.pulls + 1}`);
  }

  let prev = Number.NEGATIVE_INFINITY;
  for (let g = 0; g < traj.length; g++) {
    const gen = traj[g]!;
    if (gen.generation !== g) p(`trajectory[${g}].generation`, `is ${gen.generation}, expected ${g}`);
    if (!Number.isFinite(gen.best_fitness))
      p(`trajectory[${g}].best_fitness`, `is not finite (${gen.best_fitness})`);
    else {
      if (gen.best_fitness < prev)
        p(`trajectory[${g}].best_fitness`, `decreases: ${fmt(gen.best_fitness)} after ${fmt(prev)}`);
      prev = gen.best_fitness;
    }
    if (gen.n_children !== gen.children.length)
      p(`trajectory[${g}].n_children`, `is ${gen.n_children} but ${gen.children.length} children are listed`);
    gen.children.forEach((c, i) => {
      if (c.fitness !== null && !Number.isFinite(c.fitness))
        w(`trajectory[${g}].children[${i}].fitness`, `is not finite (${c.fitness})`);
      c.attempts.forEach((a, j) => {
        const bad = usageProblem(a.usage);
        if (bad !== null) p(`trajectory[${g}].children[${i}].attempts[${j}].usage`, bad);
      });
    });
  }

  if (!Number.isFinite(run.final_fitness)) p("final_fitness", `is not finite (${run.final_fitness})`);
  else {
    const last = traj[traj.length - 1]?.best_fitness;
    if (last !== undefined && Number.isFinite(last) && run.final_fitness !== last)
      p("final_fitness", `${fmt(run.final_fitness)} differs from the last best_fitness ${fmt(last)}`);
  }

  const params = arm?.paramsActive ?? run.flops.params_active;
  if (run.flops.params_active !== params)
    p("flops.params_active", `is ${run.flops.params_active} but the bandit run's params_active is ${params}`);
  const account = flopsAccount(traj, run.flops.params_active);
  addTotals(out.flops, account.block);
  for (const policy of TIMEOUT_POLICIES) {
    const stored = run.flops[policy];
    const mine = account.block[policy];
    for (const key of ["total_flops", "timeout_flops", "n_ok", "n_timeout", "n_error"] as const) {
      if (!close(stored[key], mine[key]))
        p(`flops.${policy}.${key}`, `stored ${fmt(stored[key])} but the attempts give ${fmt(mine[key])}`);
    }
  }
  const perGen = account.perGeneration.worst_case;
  if (run.flops_per_generation.length !== perGen.length)
    p("flops_per_generation", `has ${run.flops_per_generation.length} entries, expected ${perGen.length}`);
  else
    perGen.forEach((x, i) => {
      const stored = run.flops_per_generation[i]!;
      if (!close(stored, x))
        p(`flops_per_generation[${i}]`, `stored ${fmt(stored)} but the attempts give ${fmt(x)}`);
    });
  return out;
}

/** Checks a bandit run and each of its arms. */
export function checkBandit(run: BanditRun): CheckResult {
  const out = emptyResult();
  const armGenFlops: number[][] = [];
  const p = (path: string, message: string) => out.problems.push({ path, message });
  const K = run.n_arms;
  const R = run.selections.length;

  if (run.C !== run.T_total * run.N)
    p("C", `C = ${run.C} but T_total·N = ${run.T_total}·${run.N} = ${run.T_total * run.N}`);
  if (R > run.T_total) p("selections", `has ${R} rounds, more than T_total = ${run.T_total}`);
  else if (R < run.T_total)
    // the reference (and older evoalloc) wrote the budget asked when every arm ran out
    out.warnings.push({
      path: "C",
      message:
        `C = ${run.C} counts the budget asked, but the run stopped after ${R} of T_total = ${run.T_total} rounds: ` +
        `${R * run.N} calls were made`,
    });
  for (const key of ["arm_seeds", "arm_pulls", "arm_final_fitness", "arm_results"] as const) {
    if (run[key].length !== K) p(key, `has ${run[key].length} entries, expected n_arms = ${K}`);
  }
  for (const key of ["rewards", "running_best", "flops_per_round", "cumulative_flops"] as const) {
    if (run[key].length !== R) p(key, `has ${run[key].length} entries, expected one per round (${R})`);
  }
  const pulls = new Array<number>(K).fill(0);
  run.selections.forEach((a, r) => {
    if (a >= K) p(`selections[${r}]`, `arm ${a} is out of range [0, ${K})`);
    else pulls[a]!++;
  });
  pulls.forEach((n, a) => {
    const stored = run.arm_pulls[a];
    if (stored !== undefined && stored !== n)
      p(`arm_pulls[${a}]`, `is ${stored} but selections pull arm ${a} ${n} times`);
  });

  let prev = Number.NEGATIVE_INFINITY;
  run.running_best.forEach((x, r) => {
    if (!Number.isFinite(x)) p(`running_best[${r}]`, `is not finite (${x})`);
    else if (x < prev) p(`running_best[${r}]`, `decreases: ${fmt(x)} after ${fmt(prev)}`);
    else prev = x;
  });
  if (!Number.isFinite(run.final_best_fitness))
    p("final_best_fitness", `is not finite (${run.final_best_fitness})`);
  else if (run.arm_final_fitness.length > 0) {
    const best = Math.max(...run.arm_final_fitness);
    if (Number.isFinite(best) && run.final_best_fitness !== best)
      p(
        "final_best_fitness",
        `${fmt(run.final_best_fitness)} differs from the best arm_final_fitness ${fmt(best)}`,
      );
  }

  run.arm_results.forEach((arm, a) => {
    checkGreedy(arm, `arm_results[${a}].`, { pulls: pulls[a], paramsActive: run.params_active }, out);
    armGenFlops.push(flopsAccount(arm.trajectory, run.params_active).perGeneration.worst_case);
    if (arm.N !== run.N) p(`arm_results[${a}].N`, `is ${arm.N} but the bandit run's N is ${run.N}`);
    const seed = run.arm_seeds[a];
    if (seed !== undefined && arm.seed !== seed)
      p(`arm_results[${a}].seed`, `is ${arm.seed} but arm_seeds[${a}] is ${seed}`);
  });

  if (out.problems.some((f) => f.path.startsWith("selections") || f.path.startsWith("arm_results")))
    return out;
  let cum = 0;
  roundSeries(run.selections, armGenFlops).forEach((x, r) => {
    cum += x;
    const stored = run.flops_per_round[r];
    if (stored !== undefined && !close(stored, x))
      p(`flops_per_round[${r}]`, `stored ${fmt(stored)} but the arm's generation gives ${fmt(x)}`);
    const storedCum = run.cumulative_flops[r];
    if (storedCum !== undefined && !close(storedCum, cum))
      p(`cumulative_flops[${r}]`, `stored ${fmt(storedCum)} but the running sum is ${fmt(cum)}`);
  });
  if (!close(run.total_flops_worst_case, cum))
    p(
      "total_flops_worst_case",
      `stored ${fmt(run.total_flops_worst_case)} but the rounds sum to ${fmt(cum)}`,
    );
  return out;
}
