/** Synthetic results trees for tests that read one. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticGreedyRun } from "../src/replay/synthetic.ts";

/** A fresh results tree of 6 synthetic greedy runs of cp/m1 (N = 4, T = 8), plus `extra` files at its top. */
export function syntheticTree(extra: Record<string, Buffer | string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "evoalloc-tree-"));
  const folder = join(dir, "cp", "m1");
  mkdirSync(folder, { recursive: true });
  for (let s = 0; s < 6; s++) {
    const curve = Array.from({ length: 9 }, (_, g) => 0.1 + 0.01 * s + 0.02 * Math.floor(g / (1 + (s % 3))));
    const r = syntheticGreedyRun({ task: "cp", model: "m1", N: 4, seed: s, curve });
    writeFileSync(join(folder, `greedy_C32_T8_N4_seed${s}.json`), JSON.stringify(r));
  }
  for (const [name, body] of Object.entries(extra)) writeFileSync(join(dir, name), body);
  return dir;
}
