/**
 * The references of each online bandit run: what the same arm set would have
 * reached with the run's rounds G allocated by the uniform, single-run and
 * hindsight-oracle rules (as replay defines them, src/replay/engine.ts
 * `references`), from the greedy curves of the arms' seeds.
 *
 *   tables.generations ─> longest curve per (task, model, N, seed) ─┐
 *   tables.bandits + rounds ─> arm seeds, G ───────────────────────┴─> references(K curves, G) ─> rows
 *
 * An arm's curve is its seed's longest greedy run with the same (task, model,
 * N) (the run's arms are prefixes of those, child seeds not depending on T);
 * references are capped at the logged depth L, and `capped` says when some
 * arm's L < G. A run whose arm seeds have no greedy run is left out with a note.
 */
import { curveTable, type Pool, references } from "../replay/index.ts";
import { type BanditRow, banditRows, type Tables } from "./tables.ts";

export interface BanditReferenceRow
  extends Record<string, unknown>,
    Pick<BanditRow, "bandit_id" | "task" | "model" | "algo" | "C" | "N" | "n_arms" | "bandit_seed"> {
  /** Rounds the run made (its G). */
  rounds: number;
  /** The run's own final best fitness. */
  online: number;
  uniform: number;
  single: number;
  oracle: number;
  /** Some arm's logged depth L is below G (references capped at L). */
  capped: boolean;
}

export interface BanditReferences {
  rows: BanditReferenceRow[];
  notes: string[];
}

const key = (task: unknown, model: unknown, n: unknown, seed: unknown): string =>
  JSON.stringify([task, model, n, seed]);

/** One row per online bandit run whose arms all have greedy curves. O(generation rows + runs·K). */
export function banditReferences(t: Tables): BanditReferences {
  const out: BanditReferences = { rows: [], notes: [] };
  const nb = t.bandits.numRows();
  if (nb === 0) return out;

  // the longest greedy curve per (task, model, N, seed); ties keep the first file read (sorted paths)
  const g = t.generations;
  const col = (name: string) => g.array(name) as ArrayLike<unknown>;
  const [runId, task, model, nCol, seed, gen, best] = [
    col("run_id"),
    col("task"),
    col("model"),
    col("N"),
    col("seed"),
    col("generation"),
    col("best_fitness"),
  ];
  const runCurves = new Map<number, { k: string; curve: number[] }>();
  for (let i = 0; i < g.numRows(); i++) {
    const id = runId[i] as number;
    let entry = runCurves.get(id);
    if (!entry) runCurves.set(id, (entry = { k: key(task[i], model[i], nCol[i], seed[i]), curve: [] }));
    entry.curve[gen[i] as number] = best[i] as number;
  }
  const curves = new Map<string, number[]>();
  for (const { k, curve } of runCurves.values()) {
    const have = curves.get(k);
    if (!have || curve.length > have.length) curves.set(k, curve);
  }

  const roundsOf = new Map<number, number>();
  const roundIds = t.rounds.array("bandit_id") as ArrayLike<number>;
  for (let i = 0; i < roundIds.length; i++) roundsOf.set(roundIds[i]!, (roundsOf.get(roundIds[i]!) ?? 0) + 1);

  const bandits = banditRows(t);
  for (const b of bandits) {
    const G = roundsOf.get(b.bandit_id) ?? 0;
    if (G === 0) continue;
    const seeds = b.arm_seeds === "" ? [] : b.arm_seeds.split(" ").map(Number);
    const armCurves = seeds.map((s) => curves.get(key(b.task, b.model, b.N, s)));
    const missing = seeds.filter((_, a) => armCurves[a] === undefined);
    if (seeds.length === 0 || missing.length > 0) {
      out.notes.push(
        `${b.file}: no greedy run of arm seed(s) ${missing.join(", ")} with ${b.task} / ${b.model} / N=${b.N}: no references`,
      );
      continue;
    }
    const pool: Pool = {
      task: b.task,
      model: b.model,
      N: b.N,
      seeds,
      curves: armCurves.map((c) => Float64Array.from(c!)),
      depths: armCurves.map((c) => c!.length - 1),
      files: seeds.map(() => ""),
      warnings: [],
    };
    const k = seeds.length;
    const refs = references(
      curveTable(pool),
      { k, count: 1, arms: Int32Array.from(seeds, (_, a) => a), enumerated: false },
      G,
    );
    out.rows.push({
      bandit_id: b.bandit_id,
      task: b.task,
      model: b.model,
      algo: b.algo,
      C: b.C,
      N: b.N,
      n_arms: b.n_arms,
      bandit_seed: b.bandit_seed,
      rounds: G,
      online: b.final_best_fitness,
      uniform: refs.uniform[0]!,
      single: refs.single[0]!,
      oracle: refs.oracle[0]!,
      capped: pool.depths.some((d) => d < G),
    });
  }
  return out;
}
