/**
 * Where an imported run's seed comes from (`--seed-from`):
 * - `config`: a `random_seed:` or `seed:` line of a YAML config in the run
 *   folder or its parent (OpenEvolve keeps its seed in the config only);
 * - `name`: the last integer in the run folder's name (`run_seed7` → 7);
 * - an integer N: N, N+1, … in the order the runs were found.
 * Pure parsers here; `configSeed` reads the files.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export type SeedFrom = { from: "config" } | { from: "name" } | { from: "fixed"; base: number };

/**
 * Parses a `--seed-from` value.
 * @example parseSeedFrom("12") // => { from: "fixed", base: 12 }
 * @returns null when the value is none of config, name or an integer.
 */
export function parseSeedFrom(value: string): SeedFrom | null {
  if (value === "config" || value === "name") return { from: value };
  return /^-?\d+$/.test(value) ? { from: "fixed", base: Number(value) } : null;
}

/**
 * The seed of a YAML text: a top-level `random_seed:` line, else a `seed:` line.
 * @example seedInYaml("max_iterations: 10\nrandom_seed: 42\n") // => 42
 */
export function seedInYaml(text: string): number | null {
  for (const key of ["random_seed", "seed"]) {
    const m = new RegExp(`^${key}:\\s*(-?\\d+)\\s*(#.*)?$`, "m").exec(text);
    if (m) return Number(m[1]);
  }
  return null;
}

/**
 * The last integer in a folder's name.
 * @example seedInName("/runs/cp_seed12") // => 12
 */
export function seedInName(dir: string): number | null {
  const all = basename(dir).match(/\d+/g);
  return all ? Number(all[all.length - 1]) : null;
}

const CONFIG_NAMES = ["config.yaml", "config.yml", "experiment_config.yaml", "run_config.yaml"];

/** The seed of the first config file (run folder, then its parent) that has one. */
export async function configSeed(dir: string): Promise<{ seed: number; file: string } | null> {
  for (const d of [dir, dirname(dir)]) {
    for (const name of CONFIG_NAMES) {
      const file = join(d, name);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch {
        continue;
      }
      const seed = seedInYaml(text);
      if (seed !== null) return { seed, file };
    }
  }
  return null;
}
