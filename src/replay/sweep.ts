/**
 * The T × N sweep at a fixed budget C: for each split T·N = C, the
 * distribution of final fitness over seeds. With `prefixes`, a deeper run
 * (T' ≥ T, same N) also counts through its first T generations — child
 * seeds do not depend on T, so it contains the run (T, N) — each seed once
 * per split, an exact run preferred (then the lexicographically first path).
 */
import { generationFlops } from "../log/flops.ts";
import type { RunRecord } from "../log/read.ts";
import type { GreedyRun } from "../log/schema.ts";
import { tInterval } from "../util/interval.ts";
import { mean, sd } from "../util/stats.ts";
import { ReplayError } from "./errors.ts";
import { expectedMaxOfK, quantile } from "./stats.ts";

export interface SweepOptions {
  task: string;
  model: string;
  C: number;
  /** Count the first T generations of deeper runs with the same N. */
  prefixes?: boolean;
  /** Success = final ≥ threshold; success_rate is null without it. */
  threshold?: number;
}

export interface SweepSplit {
  T: number;
  N: number;
  n_runs: number;
  /** Seeds behind this split, ascending. */
  seeds: number[];
  /** How many of them are prefixes of deeper runs. */
  n_prefix: number;
  mean: number | null;
  /** Student-t 95% interval of the mean (t with n − 1 df); null with fewer than 2 seeds. */
  ci95: [number, number] | null;
  sd: number | null;
  median: number | null;
  q25: number | null;
  q75: number | null;
  min: number | null;
  max: number | null;
  success_rate: number | null;
  /** expected_max[k−1] = expected best of k runs, k = 1..min(n, 10). */
  expected_max: number[];
  /** Mean worst-case FLOPs over the runs (of the first T generations for prefixes). */
  mean_flops: number | null;
  /** Final fitness of each seed, in `seeds` order. */
  finals: number[];
}

export interface SweepResult {
  task: string;
  model: string;
  C: number;
  prefixes: boolean;
  threshold: number | null;
  splits: SweepSplit[];
}

const num = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Divisors T of C, ascending (the splits T·N = C). */
export function splitsOf(c: number): { T: number; N: number }[] {
  const out: { T: number; N: number }[] = [];
  for (let t = 1; t <= c; t++) if (c % t === 0) out.push({ T: t, N: c / t });
  return out;
}

/**
 * The sweep over every split of C (splits without runs have n_runs 0 and
 * null statistics). Bandit runs are ignored. O(runs + splits·n log n).
 * @throws ReplayError when C is not a positive integer.
 */
export function sweep(runs: readonly RunRecord[], opts: SweepOptions): SweepResult {
  if (!(Number.isInteger(opts.C) && opts.C >= 1))
    throw new ReplayError(`C must be an integer >= 1, got ${opts.C}`);
  const greedy = runs
    .filter((r): r is Extract<RunRecord, { kind: "greedy" }> => r.kind === "greedy")
    .filter((r) => r.run.task === opts.task && r.run.model === opts.model)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const splits = splitsOf(opts.C).map(({ T, N }) => {
    const chosen = new Map<number, { rec: (typeof greedy)[number]; exact: boolean }>();
    for (const rec of greedy) {
      const r = rec.run;
      if (r.N !== N) continue;
      const depth = r.trajectory.length - 1;
      const exact = r.T === T && depth >= T;
      if (!exact && !(opts.prefixes && depth >= T && r.T >= T)) continue;
      const prev = chosen.get(r.seed);
      if (!prev || (exact && !prev.exact)) chosen.set(r.seed, { rec, exact });
    }
    const seeds = [...chosen.keys()].sort((a, b) => a - b);
    const finals: number[] = [];
    const flops: number[] = [];
    let nPrefix = 0;
    for (const seed of seeds) {
      const { rec, exact } = chosen.get(seed)!;
      finals.push(exact ? finalOf(rec.run, T) : rec.run.trajectory[T]!.best_fitness);
      if (exact && rec.run.T === T) flops.push(rec.flops.worst_case);
      else {
        nPrefix += exact ? 0 : 1;
        flops.push(prefixFlops(rec.run, T));
      }
    }
    return splitStats({ T, N, seeds, finals, flops, nPrefix, threshold: opts.threshold });
  });
  return {
    task: opts.task,
    model: opts.model,
    C: opts.C,
    prefixes: opts.prefixes ?? false,
    threshold: opts.threshold ?? null,
    splits,
  };
}

/**
 * The statistics of one split from its seeds' final fitness and FLOPs (also
 * used for imported runs at C calls: T = C, N = 1). Pure.
 * @example splitStats({T: 4, N: 1, seeds: [1, 2], finals: [0.5, 1], flops: [], nPrefix: 0}).expected_max // => [0.75, 1]
 */
export function splitStats(a: {
  T: number;
  N: number;
  seeds: number[];
  finals: number[];
  flops: number[];
  nPrefix: number;
  threshold?: number;
}): SweepSplit {
  const { T, N, seeds, finals, flops } = a;
  const n = finals.length;
  const ti = n > 0 ? tInterval(finals) : null;
  return {
    T,
    N,
    n_runs: n,
    seeds,
    n_prefix: a.nPrefix,
    mean: num(mean(finals)),
    ci95: ti && ti.lo !== null && ti.hi !== null ? ([ti.lo, ti.hi] as [number, number]) : null,
    sd: num(sd(finals)),
    median: num(quantile(finals, 0.5)),
    q25: num(quantile(finals, 0.25)),
    q75: num(quantile(finals, 0.75)),
    min: n > 0 ? Math.min(...finals) : null,
    max: n > 0 ? Math.max(...finals) : null,
    success_rate:
      a.threshold === undefined || n === 0
        ? null
        : finals.filter((f) => f >= (a.threshold as number)).length / n,
    expected_max: Array.from({ length: Math.min(n, 10) }, (_, i) => expectedMaxOfK(finals, i + 1)),
    mean_flops: num(mean(flops)),
    finals,
  };
}

/** A run's final fitness after T generations (final_fitness when the trajectory is exactly T deep). */
function finalOf(run: GreedyRun, t: number): number {
  return run.trajectory.length - 1 === t ? run.final_fitness : run.trajectory[t]!.best_fitness;
}

function prefixFlops(run: GreedyRun, t: number): number {
  const perGen = generationFlops({ trajectory: run.trajectory.slice(0, t + 1) }, run.flops.params_active);
  let s = 0;
  for (const f of perGen) s += f;
  return s;
}
