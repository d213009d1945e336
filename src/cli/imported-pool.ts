/**
 * Picking imported runs for `replay --system` and `sweep --system`: the runs of
 * one (system, task, model) under a results folder, or a UsageError naming
 * what is there.
 */
import { stat } from "node:fs/promises";
import { buildImportedPools, type ImportedPool } from "../import/pools.ts";
import { type ImportedRecord, loadResults } from "../log/read.ts";
import { UsageError } from "./errors.ts";
import { reportLeftOut } from "./left-out.ts";

const list = (xs: Iterable<string>): string => [...new Set(xs)].sort().join(", ") || "none";

/** The imported pool of (system, task, model) under `dir`, with its records (its warnings are the caller's to show). */
export async function selectImportedPool(
  dir: string,
  system: string,
  task: string,
  model: string,
): Promise<{ pool: ImportedPool; records: ImportedRecord[] }> {
  try {
    await stat(dir);
  } catch {
    throw new UsageError(`--results: cannot read "${dir}"`);
  }
  const loaded = await loadResults([dir]);
  reportLeftOut(loaded.problems, dir);
  const all = loaded.imported;
  if (all.length === 0) throw new UsageError(`--system: no imported runs under ${dir} (see evoalloc import)`);
  const ofSystem = all.filter((r) => r.run.source.system === system);
  if (ofSystem.length === 0)
    throw new UsageError(
      `--system: no ${system} runs under ${dir} (systems: ${list(all.map((r) => r.run.source.system))})`,
    );
  const ofTask = ofSystem.filter((r) => r.run.task === task);
  if (ofTask.length === 0)
    throw new UsageError(
      `--task: no ${system} runs of task "${task}" (tasks: ${list(ofSystem.map((r) => r.run.task))})`,
    );
  const records = ofTask.filter((r) => r.run.model === model);
  if (records.length === 0)
    throw new UsageError(
      `--model: no ${system} runs of task "${task}" with model "${model}" (models: ${list(ofTask.map((r) => r.run.model))})`,
    );
  return { pool: buildImportedPools(records)[0]!, records };
}
