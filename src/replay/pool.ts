/**
 * Pools of per-seed curves: for one (task, model, N), the best-so-far curve
 * f_s(0..L_s) of each seed, from greedy run files only (arms inside bandit
 * runs are not independent seeds). One curve per seed: the longest run
 * (ties: the lexicographically first path). A shorter run with the same seed
 * and N is a prefix of the longer one (child seeds do not depend on T); when
 * it is not, the pool records a warning.
 */
import type { RunRecord } from "../log/read.ts";

export interface Pool {
  task: string;
  model: string;
  N: number;
  /** Seeds in ascending order; arm i of an enumerated instance is the i-th smallest of its seeds. */
  seeds: number[];
  /** curves[j][g] = best fitness of seed j after g generations, g = 0..depths[j]. */
  curves: Float64Array[];
  /** Logged depth L of each seed (generations after the initial program). */
  depths: number[];
  /** The file each curve comes from. */
  files: string[];
  /** Runs that disagree with the curve chosen for their seed (not a prefix). */
  warnings: string[];
}

const key = (task: string, model: string, n: number): string => JSON.stringify([task, model, n]);

/**
 * Groups greedy runs into pools, one per (task, model, N), sorted by task,
 * model, N. Bandit runs are ignored. O(total trajectory length).
 *
 * @example buildPools(runs).map((p) => [p.task, p.model, p.N, p.seeds.length]) // => [["cp", "qwen3-8b", 4, 20]]
 */
export function buildPools(runs: readonly RunRecord[]): Pool[] {
  const groups = new Map<string, Map<number, { file: string; curve: number[] }[]>>();
  for (const rec of runs) {
    if (rec.kind !== "greedy") continue;
    const r = rec.run;
    const k = key(r.task, r.model, r.N);
    let bySeed = groups.get(k);
    if (!bySeed) groups.set(k, (bySeed = new Map()));
    let list = bySeed.get(r.seed);
    if (!list) bySeed.set(r.seed, (list = []));
    list.push({ file: rec.file, curve: r.trajectory.map((g) => g.best_fitness) });
  }
  const pools: Pool[] = [];
  for (const [k, bySeed] of groups) {
    const [task, model, n] = JSON.parse(k) as [string, string, number];
    const seeds = [...bySeed.keys()].sort((a, b) => a - b);
    const pool: Pool = { task, model, N: n, seeds, curves: [], depths: [], files: [], warnings: [] };
    for (const seed of seeds) {
      const list = bySeed
        .get(seed)!
        .sort((a, b) => b.curve.length - a.curve.length || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      const chosen = list[0]!;
      for (const other of list.slice(1)) {
        if (other.curve.some((v, g) => !Object.is(v, chosen.curve[g])))
          pool.warnings.push(
            `${other.file}: seed ${seed} is not a prefix of ${chosen.file} (the longer run is used)`,
          );
      }
      pool.curves.push(Float64Array.from(chosen.curve));
      pool.depths.push(chosen.curve.length - 1);
      pool.files.push(chosen.file);
    }
    pools.push(pool);
  }
  return pools.sort((a, b) =>
    a.task !== b.task
      ? a.task < b.task
        ? -1
        : 1
      : a.model !== b.model
        ? a.model < b.model
          ? -1
          : 1
        : a.N - b.N,
  );
}
