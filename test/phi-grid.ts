/**
 * Synthetic greedy sweeps with a known Φ-surface (`phiSweepCurves`), written
 * as valid run files: every split (T, N) of every budget, the shallower runs
 * being the first T generations of the deepest one with the same seed and N,
 * as in real logs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PhiSweepSpec, phiSweepCurves, syntheticGreedyRun } from "../src/replay/synthetic.ts";

export type PhiGridSpec = PhiSweepSpec & { task?: string; model?: string };

/** Writes the sweep under `dir/<task>/<model>/` and returns the number of files. */
export function writePhiGrid(dir: string, spec: PhiGridSpec): number {
  const task = spec.task ?? "syn";
  const model = spec.model ?? "m";
  const out = join(dir, task, model);
  mkdirSync(out, { recursive: true });
  let files = 0;
  for (const { N, seed, curve } of phiSweepCurves(spec))
    for (const C of spec.budgets) {
      const T = C / N;
      if (!Number.isInteger(T) || T >= curve.length) continue;
      const run = syntheticGreedyRun({ task, model, N, seed, curve: curve.slice(0, T + 1) });
      writeFileSync(join(out, `greedy_C${C}_T${T}_N${N}_seed${seed}.json`), JSON.stringify(run));
      files++;
    }
  return files;
}
