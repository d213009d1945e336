/**
 * Synthetic greedy run files for the replay benchmark: S seeds × L
 * generations of one (task, model, N), written as log-contract result files
 * (`<dir>/<task>/<model>/greedy_C…_T…_N…_seed….json`). Curves rise with
 * diminishing, seed-dependent steps, like real best-so-far curves.
 *
 *   node --import tsx bench/replay-data.ts DIR [S=40] [L=64]
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { syntheticGreedyRun } from "../src/replay/synthetic.ts";
import { rng } from "../src/util/rng.ts";

export const TASK = "synth";
export const MODEL = "bench-model";
export const N = 4;

/** Seed s's best-so-far curve of depth L. */
export function syntheticCurve(seed: number, depth: number): number[] {
  const r = rng(seed, 77);
  const start = 0.2 + 0.1 * r.next();
  const rate = 0.02 + 0.04 * r.next();
  const out = [start];
  let v = start;
  for (let g = 1; g <= depth; g++) {
    if (r.next() < 0.35) v = Math.min(1, v + rate * r.next() * (1 - v) * 3);
    out.push(v);
  }
  return out;
}

/** Writes S seeds × L generations under `dir`; returns the folder of the files. */
export async function writeSyntheticPool(dir: string, seeds = 40, depth = 64): Promise<string> {
  const folder = join(dir, TASK, MODEL);
  await mkdir(folder, { recursive: true });
  for (let s = 0; s < seeds; s++) {
    const run = syntheticGreedyRun({ task: TASK, model: MODEL, N, seed: s, curve: syntheticCurve(s, depth) });
    await writeFile(join(folder, `greedy_C${run.C}_T${run.T}_N${N}_seed${s}.json`), JSON.stringify(run));
  }
  return folder;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, s, l] = process.argv.slice(2);
  if (!dir) throw new Error("usage: replay-data.ts DIR [S] [L]");
  await writeSyntheticPool(dir, Number(s ?? 40), Number(l ?? 64));
}
