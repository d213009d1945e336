// Imported runs built in memory (assembleRun), for the tests of import, imported pools and baselines.
import { assembleRun, type RunMeta } from "../src/import/assemble.ts";
import type { ImportSystem } from "../src/log/imported.ts";
import type { ImportedRecord } from "../src/log/read.ts";

/** The metadata of an imported run of task cp, model m, 1e9 active parameters, with `overrides`. */
export function importedMeta(overrides: Partial<RunMeta> & Pick<RunMeta, "seed" | "C">): RunMeta {
  return {
    system: "openevolve",
    version: null,
    path: "x",
    files: [],
    task: "cp",
    model: "m",
    model_name: null,
    params_active: 1e9,
    seed_from: "fixed",
    notes: [],
    ...overrides,
  };
}

/**
 * A read imported run whose call c scores fitness[c] (null: a failed call); calls after the first
 * report `tokens` (prompt, completion), or none when `tokens` is null.
 */
export function importedRecord(
  system: ImportSystem,
  seed: number,
  fitness: (number | null)[],
  opts: { file?: string; tokens?: [number, number] | null } = {},
): ImportedRecord {
  const tokens = opts.tokens === undefined ? [60, 40] : opts.tokens;
  const run = assembleRun(
    importedMeta({ system, seed, C: fitness.length - 1 }),
    fitness.map((f, c) => ({
      call: c,
      source: "log",
      fitness: f,
      valid: f !== null,
      prompt_tokens: tokens && c > 0 ? tokens[0] : null,
      completion_tokens: tokens && c > 0 ? tokens[1] : null,
    })),
  );
  return { kind: "imported", file: opts.file ?? `${system}_${seed}.json`, run, warnings: [], bytes: 0 };
}
