/**
 * Imported runs as replay pools and as reliability splits. A pool is one
 * configuration — (system, task, model) — whose arms are its runs, one curve
 * per seed, one round per LLM call (N = 1): f_s(c) is the run's best fitness
 * after c calls. Pure.
 *
 *   imported records ─> group by (system, task, model) ─> curves (leading nulls floored) ─> Pool
 */
import type { ImportedRecord } from "../log/read.ts";
import type { Pool } from "../replay/pool.ts";
import { type SweepSplit, splitStats } from "../replay/sweep.ts";

export interface ImportedPool extends Pool {
  system: string;
  /** Runs whose first calls had no valid score yet (those calls count with the pool's floor). */
  floored: number;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One pool per (system, task, model), sorted. Per seed the longest run is
 * used (ties: the first path); another run of the same seed is a warning.
 * Calls before a run's first valid score have no best yet: they take the
 * pool's lowest observed fitness (a floor that never wins a max), which is
 * counted in `floored` and said in a warning. O(total calls).
 *
 * @example buildImportedPools(recs).map((p) => [p.system, p.seeds.length]) // => [["openevolve", 3]]
 */
export function buildImportedPools(recs: readonly ImportedRecord[]): ImportedPool[] {
  const groups = new Map<string, ImportedRecord[]>();
  for (const rec of recs) {
    const k = JSON.stringify([rec.run.source.system, rec.run.task, rec.run.model]);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(rec);
  }
  const pools: ImportedPool[] = [];
  for (const [k, list] of groups) {
    const [system, task, model] = JSON.parse(k) as [string, string, string];
    const bySeed = new Map<number, ImportedRecord>();
    const warnings: string[] = [];
    for (const rec of [...list].sort((a, b) => b.run.C - a.run.C || cmp(a.file, b.file))) {
      const prev = bySeed.get(rec.run.seed);
      if (prev)
        warnings.push(`${rec.file}: seed ${rec.run.seed} also in ${prev.file} (the longer run is used)`);
      else bySeed.set(rec.run.seed, rec);
    }
    const seeds = [...bySeed.keys()].sort((a, b) => a - b);
    let floor = Number.POSITIVE_INFINITY;
    for (const s of seeds)
      for (const row of bySeed.get(s)!.run.trajectory)
        if (row.best_fitness !== null) floor = Math.min(floor, row.best_fitness);
    let floored = 0;
    const curves = seeds.map((s) => {
      const rows = bySeed.get(s)!.run.trajectory;
      if (rows[0]!.best_fitness === null) floored++;
      return Float64Array.from(rows, (r) => r.best_fitness ?? floor);
    });
    if (floored > 0)
      warnings.push(
        `${floored} run(s) start without a scored program: their calls before the first score count as ${floor} (the pool's lowest fitness)`,
      );
    pools.push({
      system,
      task,
      model,
      N: 1,
      seeds,
      curves,
      depths: curves.map((c) => c.length - 1),
      files: seeds.map((s) => bySeed.get(s)!.file),
      warnings,
      floored,
    });
  }
  return pools.sort((a, b) => cmp(a.system, b.system) || cmp(a.task, b.task) || cmp(a.model, b.model));
}

/**
 * Sweep-style reliability of one imported pool at C calls: the runs that made
 * at least C calls, each with its best after C calls (T = C, N = 1; a longer
 * run counts through its first C calls, as a prefix):
 * mean, interval, quantiles, success rate, expected best of k runs, mean FLOPs
 * (of the first C calls, over runs that report tokens).
 */
export function importedReliability(
  pool: ImportedPool,
  recs: readonly ImportedRecord[],
  C: number,
  threshold?: number,
): SweepSplit {
  const seeds: number[] = [];
  const finals: number[] = [];
  const flops: number[] = [];
  let nPrefix = 0;
  const byFile = new Map(recs.map((r) => [r.file, r]));
  pool.seeds.forEach((seed, j) => {
    if (pool.depths[j]! < C) return;
    seeds.push(seed);
    if (pool.depths[j]! > C) nPrefix++;
    finals.push(pool.curves[j]![C]!);
    const rows = byFile.get(pool.files[j]!)?.run.trajectory ?? [];
    let f = 0;
    let known = false;
    for (let c = 1; c <= C; c++) {
      const x = rows[c]?.flops;
      if (x !== null && x !== undefined) {
        f += x;
        known = true;
      }
    }
    if (known) flops.push(f);
  });
  return splitStats({ T: C, N: 1, seeds, finals, flops, nPrefix, threshold });
}
