/**
 * Tidy tables of a results tree (arquero), built in one pass over the files:
 *
 *   runs         one row per greedy run file
 *   generations  one row per greedy run × generation g ≥ 0: best fitness so far,
 *                cumulative calls (children), cumulative FLOPs under each timeout policy
 *   children     one row per child: fitness, valid, improved on its parent, final status, tokens of
 *                its ok attempts (the ones FLOPs count, `okTokenSums`), latency of all its attempts
 *   bandits      one row per online bandit run file
 *   rounds       one row per bandit run × round: arm pulled, reward, running best, cumulative FLOPs
 *
 * Every table keeps `task`, `model` and the split columns so a figure's data
 * step can group without joins. Columns are filled as plain arrays while the
 * files stream past (no per-row objects), then wrapped once.
 */
import { type ColumnTable, table } from "arquero";
import { flopsAccount, okTokenSums } from "../log/flops.ts";
import type { Problem, ReadEvent, RunRecord } from "../log/read.ts";
import type { Attempt, BanditRun, GreedyRun, TimeoutPolicy } from "../log/schema.ts";

export interface Tables {
  runs: ColumnTable;
  generations: ColumnTable;
  children: ColumnTable;
  bandits: ColumnTable;
  rounds: ColumnTable;
  /** Files that could not be read or failed validation (whole-file problems and schema issues). */
  problems: Problem[];
  warnings: Problem[];
  /** JSON files that are not run files. */
  skipped: string[];
}

export * from "./table-rows.ts";

type Columns = Record<string, unknown[]>;

function columns<K extends string>(names: readonly K[]): Record<K, unknown[]> {
  return Object.fromEntries(names.map((n) => [n, [] as unknown[]])) as Record<K, unknown[]>;
}

const RUN_COLS = [
  "run_id",
  "file",
  "task",
  "model",
  "params_active",
  "C",
  "T",
  "N",
  "seed",
  "depth",
  "initial_fitness",
  "final_fitness",
  "calls",
  "attempts",
  "n_valid",
  "n_timeout",
  "n_error",
  "flops_worst_case",
  "flops_exclude",
  "flops_bounded",
  "prompt_tokens",
  "completion_tokens",
  "wall_time_s",
] as const;

/** The columns that place a generation or child row: its run, (task, model), split, seed and generation (`pushKeys`). */
const KEY_COLS = ["run_id", "task", "model", "C", "T", "N", "seed", "generation"] as const;

const GEN_COLS = [
  ...KEY_COLS,
  "best_fitness",
  "n_valid",
  "n_improved",
  "calls",
  "flops_worst_case",
  "flops_exclude",
  "flops_bounded",
] as const;

const CHILD_COLS = [
  ...KEY_COLS,
  "idx",
  "fitness",
  "valid",
  "parsed",
  "improved",
  "final_status",
  "n_attempts",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "latency_s",
  "finish_reason",
] as const;

const BANDIT_COLS = [
  "bandit_id",
  "file",
  "task",
  "model",
  "params_active",
  "algo",
  "C",
  "T_total",
  "N",
  "n_arms",
  "bandit_seed",
  "arm_seeds",
  "final_best_fitness",
  "best_arm_seed",
  "flops_worst_case",
  "wall_time_s",
] as const;

const ROUND_COLS = [
  "bandit_id",
  "task",
  "model",
  "algo",
  "C",
  "N",
  "n_arms",
  "bandit_seed",
  "round",
  "arm",
  "arm_seed",
  "reward",
  "running_best",
  "cumulative_flops",
] as const;

const POLICIES: readonly TimeoutPolicy[] = ["worst_case", "exclude", "bounded"];

/** Seconds spent on a child's attempts (non-finite latencies count 0). */
function latency(attempts: readonly Attempt[]): number {
  let s = 0;
  for (const a of attempts) s += Number.isFinite(a.latency_s) ? a.latency_s : 0;
  return s;
}

/**
 * Accumulates rows while result files stream past; `finish()` wraps the
 * columns into arquero tables. O(total children + attempts).
 */
export class TableBuilder {
  private readonly cols = {
    runs: columns(RUN_COLS),
    generations: columns(GEN_COLS),
    children: columns(CHILD_COLS),
    bandits: columns(BANDIT_COLS),
    rounds: columns(ROUND_COLS),
  };
  private readonly problems: Problem[] = [];
  private readonly warnings: Problem[] = [];
  private readonly skipped: string[] = [];
  private nRuns = 0;
  private nBandits = 0;

  /** Adds one reader event (a run, a skipped file, or a problem). */
  add(event: ReadEvent): void {
    if (event.kind === "greedy") this.addGreedy(event.file, event.run, event.warnings);
    else if (event.kind === "bandit") this.addBandit(event.file, event.run, event.warnings);
    else if (event.kind === "skipped") this.skipped.push(event.file);
    else if (event.kind === "problem") this.problems.push(...event.problems);
    // imported runs (other systems) have no attempts or generations: the report's baselines read them
  }

  private addGreedy(file: string, run: GreedyRun, warnings: Problem[]): void {
    this.warnings.push(...warnings);
    const id = this.nRuns++;
    const p = run.flops.params_active;
    // one pass over the attempts gives every policy's per-generation series and the run's token sums
    const account = flopsAccount(run.trajectory, p);
    const perGen = POLICIES.map((pol) => account.perGeneration[pol]);
    const { runs, generations: gens, children: kids } = this.cols;
    // children by outcome (a child's final status, not its attempts' as in the FLOPs block)
    const n = { calls: 0, attempts: 0, valid: 0, timeout: 0, error: 0 };
    const cum = [0, 0, 0];
    for (let g = 0; g < run.trajectory.length; g++) {
      const gen = run.trajectory[g]!;
      if (g > 0) for (let k = 0; k < 3; k++) cum[k]! += perGen[k]![g - 1] ?? 0;
      for (const child of gen.children) {
        const t = okTokenSums(child.attempts);
        n.calls++;
        n.attempts += child.attempts.length;
        if (child.valid) n.valid++;
        if (child.final_status === "timeout") n.timeout++;
        else if (child.final_status === "error") n.error++;
        const fit = child.fitness;
        pushKeys(kids, id, run, g);
        kids.idx.push(child.idx);
        kids.fitness.push(fit !== null && Number.isFinite(fit) ? fit : null);
        kids.valid.push(child.valid);
        kids.parsed.push(fit !== null);
        // strictly better than the generation's parent (n_improved's rule)
        const parent = gen.parent_fitness;
        kids.improved.push(fit !== null && typeof parent === "number" && fit > parent);
        kids.final_status.push(child.final_status);
        kids.n_attempts.push(child.attempts.length);
        kids.prompt_tokens.push(t.prompt);
        kids.completion_tokens.push(t.completion);
        kids.cached_tokens.push(t.cached);
        kids.latency_s.push(latency(child.attempts));
        kids.finish_reason.push(child.attempts.at(-1)?.finish_reason ?? null);
      }
      pushKeys(gens, id, run, g);
      gens.best_fitness.push(gen.best_fitness);
      gens.n_valid.push(gen.n_valid);
      gens.n_improved.push(gen.n_improved);
      gens.calls.push(n.calls);
      gens.flops_worst_case.push(cum[0]);
      gens.flops_exclude.push(cum[1]);
      gens.flops_bounded.push(cum[2]);
    }
    const row: Record<(typeof RUN_COLS)[number], unknown> = {
      run_id: id,
      file,
      task: run.task,
      model: run.model,
      params_active: p,
      C: run.C,
      T: run.T,
      N: run.N,
      seed: run.seed,
      depth: run.trajectory.length - 1,
      initial_fitness: run.trajectory[0]!.best_fitness,
      final_fitness: run.final_fitness,
      calls: n.calls,
      attempts: n.attempts,
      n_valid: n.valid,
      n_timeout: n.timeout,
      n_error: n.error,
      flops_worst_case: cum[0],
      flops_exclude: cum[1],
      flops_bounded: cum[2],
      // the children's ok-attempt tokens (okTokenSums), summed once by the FLOPs pass
      prompt_tokens: account.block.worst_case.sum_prompt_tokens,
      completion_tokens: account.block.worst_case.sum_completion_tokens,
      wall_time_s: run.wall_time_seconds,
    };
    push(runs, row);
  }

  private addBandit(file: string, run: BanditRun, warnings: Problem[]): void {
    this.warnings.push(...warnings);
    const id = this.nBandits++;
    const { bandits, rounds } = this.cols;
    const total = run.cumulative_flops.at(-1) ?? run.total_flops_worst_case;
    push(bandits, {
      bandit_id: id,
      file,
      task: run.task,
      model: run.model,
      params_active: run.params_active,
      algo: run.algo,
      C: run.C,
      T_total: run.T_total,
      N: run.N,
      n_arms: run.n_arms,
      bandit_seed: run.bandit_seed,
      arm_seeds: run.arm_seeds.join(" "),
      final_best_fitness: run.final_best_fitness,
      best_arm_seed: run.best_arm_seed,
      flops_worst_case: total,
      wall_time_s: run.wall_time_seconds,
    });
    for (let r = 0; r < run.selections.length; r++) {
      const arm = run.selections[r]!;
      push(rounds, {
        bandit_id: id,
        task: run.task,
        model: run.model,
        algo: run.algo,
        C: run.C,
        N: run.N,
        n_arms: run.n_arms,
        bandit_seed: run.bandit_seed,
        round: r + 1,
        arm,
        arm_seed: run.arm_seeds[arm] ?? null,
        reward: run.rewards[r] ?? null,
        running_best: run.running_best[r] ?? null,
        cumulative_flops: run.cumulative_flops[r] ?? null,
      });
    }
  }

  finish(): Tables {
    return {
      runs: table(this.cols.runs),
      generations: table(this.cols.generations),
      children: table(this.cols.children),
      bandits: table(this.cols.bandits),
      rounds: table(this.cols.rounds),
      problems: this.problems,
      warnings: this.warnings,
      skipped: this.skipped,
    };
  }
}

/** The keys a generation or child row of greedy run `id` starts with (no row object: columns stay plain arrays). */
function pushKeys(
  cols: Record<(typeof KEY_COLS)[number], unknown[]>,
  id: number,
  run: GreedyRun,
  g: number,
): void {
  cols.run_id.push(id);
  cols.task.push(run.task);
  cols.model.push(run.model);
  cols.C.push(run.C);
  cols.T.push(run.T);
  cols.N.push(run.N);
  cols.seed.push(run.seed);
  cols.generation.push(g);
}

function push(cols: Columns, row: Record<string, unknown>): void {
  for (const key of Object.keys(cols)) cols[key]!.push(row[key]);
}

/** Tables from run records already in memory. */
export function buildTables(records: Iterable<RunRecord | ReadEvent>): Tables {
  const b = new TableBuilder();
  for (const r of records) b.add(r);
  return b.finish();
}

/** Tables from a stream of reader events (one pass; `onEvent` sees each, for progress). */
export async function collectTables(
  events: AsyncIterable<ReadEvent>,
  onEvent?: (event: ReadEvent) => void,
): Promise<Tables> {
  const b = new TableBuilder();
  for await (const e of events) {
    b.add(e);
    onEvent?.(e);
  }
  return b.finish();
}
