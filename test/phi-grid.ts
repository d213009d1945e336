/**
 * Synthetic greedy sweeps with a known Φ-surface, written as valid run files:
 * for seed s and breadth N the best-so-far after T generations is
 * V = 1 − exp(y), y = β0 + a·ln T + b·ln N + c·ln T·ln N + u_s + e_{s,N}
 * (u a seed effect, e a run effect, both normal), generation 0 at V = 0. A
 * shallower run (T, N) is the first T generations of the deepest one with the
 * same seed and N, as in real logs. Needs a + c·ln N ≤ 0 (curves never fall).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { syntheticGreedyRun } from "../src/replay/synthetic.ts";
import { rng } from "../src/util/rng.ts";

export interface PhiGridSpec {
  beta: [number, number, number, number];
  budgets: number[];
  seeds: number[];
  /** Standard deviations of the seed effect and of the run effect. */
  seedSd?: number;
  runSd?: number;
  task?: string;
  model?: string;
  /** Smallest N per budget (default 1: every split T = 1 … C). */
  minN?: number;
  rngSeed?: number;
}

/** Writes the sweep under `dir/<task>/<model>/` and returns the number of files. */
export function writePhiGrid(dir: string, spec: PhiGridSpec): number {
  const task = spec.task ?? "syn";
  const model = spec.model ?? "m";
  const [b0, a, b, c] = spec.beta;
  const out = join(dir, task, model);
  mkdirSync(out, { recursive: true });
  const r = rng(spec.rngSeed ?? 1, 77);
  const seedEffect = new Map(spec.seeds.map((s) => [s, (spec.seedSd ?? 0.05) * r.normal()]));
  const Cmax = Math.max(...spec.budgets);
  const depthOf = new Map<number, number>();
  for (const C of spec.budgets)
    for (let T = 1; T <= C; T *= 2) {
      const N = C / T;
      if (N < (spec.minN ?? 1)) continue;
      depthOf.set(N, Math.max(depthOf.get(N) ?? 0, T));
    }
  let files = 0;
  for (const [N, depth] of [...depthOf].sort((x, y) => x[0] - y[0]))
    for (const seed of spec.seeds) {
      const e = (spec.runSd ?? 0.05) * r.normal();
      const curve = [0];
      for (let T = 1; T <= depth; T++) {
        const u = Math.log(T);
        const z = Math.log(N);
        const y = b0 + a * u + b * z + c * u * z + seedEffect.get(seed)! + e;
        curve.push(Math.max(curve[T - 1]!, 1 - Math.exp(y)));
      }
      for (const C of spec.budgets) {
        const T = C / N;
        if (!Number.isInteger(T) || T > depth || C > Cmax) continue;
        const run = syntheticGreedyRun({ task, model, N, seed, curve: curve.slice(0, T + 1) });
        writeFileSync(join(out, `greedy_C${C}_T${T}_N${N}_seed${seed}.json`), JSON.stringify(run));
        files++;
      }
    }
  return files;
}
