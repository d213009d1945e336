/**
 * The paper's two-step bandit ablation on a replayed pool, and the K
 * ablation (arXiv 2605.29268):
 *
 *   single run, all G rounds ──pool effect──> random over K arms ──allocation effect──> policy
 *
 * The pool effect (random − single) is what K independent trajectories with
 * the best kept buy; the allocation effect (policy − random) is what choosing
 * which arm to pull adds. Each step is a paired difference on the replay's
 * common instances, with the replay's interval for it. Pure.
 */
import { holm, type Interval, type ReplayResult } from "../replay/index.ts";

export interface PairedDiff {
  a: string;
  b: string;
  /** Mean over instances of Y_a − Y_b. */
  diff: number;
  ci95: Interval;
  /** Two-sided p for diff = 0 (the replay's paired test); null when undefined. */
  p: number | null;
}

/** The paired difference a − b from a replay's comparisons (either order), or null when not compared. */
export function pairedDiff(r: ReplayResult, a: string, b: string): PairedDiff | null {
  for (const c of r.comparisons) {
    if (c.a === a && c.b === b) return { a, b, diff: c.mean_diff, ci95: c.ci95, p: c.p_value };
    if (c.a === b && c.b === a) {
      const ci95: Interval = c.ci95 ? [-c.ci95[1], -c.ci95[0]] : null;
      return { a, b, diff: -c.mean_diff, ci95, p: c.p_value };
    }
  }
  return null;
}

export interface EffectsRow extends Record<string, unknown> {
  task: string;
  model: string;
  N: number;
  K: number;
  G: number;
  seeds: number;
  policy: string;
  /** random − single, the same for every policy of the pool. */
  pool_effect: number;
  pool_ci95: Interval;
  /** policy − random (0 for random itself). */
  allocation_effect: number;
  allocation_ci95: Interval;
  /** policy − single. */
  total_effect: number;
  total_ci95: Interval;
  total_p: number | null;
  /** Holm-adjusted over the policies of this pool and K. */
  total_p_holm: number | null;
}

/**
 * Pool, allocation and total effect of every policy of one replay. Null when
 * the replay has no `random` policy (the middle step needs it).
 */
export function effects(r: ReplayResult): EffectsRow[] | null {
  if (!("random" in r.policies)) return null;
  const pool = pairedDiff(r, "random", "single");
  if (!pool) return null;
  const rows = Object.keys(r.policies).map((policy): EffectsRow => {
    const alloc = policy === "random" ? null : pairedDiff(r, policy, "random");
    const total = pairedDiff(r, policy, "single")!;
    return {
      task: r.task,
      model: r.model,
      N: r.N,
      K: r.K,
      G: r.rounds,
      seeds: r.pool.length,
      policy,
      pool_effect: pool.diff,
      pool_ci95: pool.ci95,
      allocation_effect: alloc ? alloc.diff : 0,
      allocation_ci95: alloc ? alloc.ci95 : [0, 0],
      total_effect: total.diff,
      total_ci95: total.ci95,
      total_p: total.p,
      total_p_holm: null,
    };
  });
  const adj = holm(rows.map((x) => x.total_p));
  rows.forEach((x, i) => {
    x.total_p_holm = adj[i]!;
  });
  return rows;
}

/** The K values of the ablation that fit a pool of S seeds: {2, 3, 5, 10, 20, 50} ∩ [2, S − 1]. */
export const ABLATION_K = [2, 3, 5, 10, 20, 50] as const;
export function ablationKs(S: number): number[] {
  return ABLATION_K.filter((k) => k >= 2 && k <= S - 1);
}
