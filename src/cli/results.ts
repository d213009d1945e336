/**
 * The results folder as commands read it: load every file under `--results`,
 * name the files that could not be used, and pick the runs a command asks for
 * (greedy runs of a task and model, a replay pool, an imported system's runs),
 * or a UsageError naming what is there.
 *
 * Files left out (unreadable, not JSON, invalid) are named one line each on
 * stderr, as `report` lists them in its page, so that a number is never
 * computed silently from fewer files than the user gave. At most 20 files are
 * named; the rest are counted.
 */
import { stat } from "node:fs/promises";
import type { ImportedPool } from "../import/pools.ts";
import {
  type ImportedRecord,
  type LoadedResults,
  loadResults,
  type Problem,
  type RunRecord,
  walk,
} from "../log/read.ts";
import { buildPools, type Pool } from "../replay/pool.ts";
import { UsageError } from "./errors.ts";

const MAX_NAMED = 20;

/** Formats a finding as the one-line `FILE: json.path: message`. */
export function formatProblem(p: Problem, label?: string): string {
  const where = p.path === "" ? p.file : `${p.file}: ${p.path}`;
  return label === undefined ? `${where}: ${p.message}` : `${where}: ${label}: ${p.message}`;
}

/** The files of `problems`, each with its first problem ("path: message"), in order. */
export function leftOutFiles(problems: readonly Problem[]): { file: string; problem: string }[] {
  const first = new Map<string, string>();
  for (const p of problems)
    if (!first.has(p.file)) first.set(p.file, p.path ? `${p.path}: ${p.message}` : p.message);
  return [...first].map(([file, problem]) => ({ file, problem }));
}

/** Writes the left-out files of `dir` to stderr (nothing when there are none); returns them. */
export function reportLeftOut(
  problems: readonly Problem[],
  dir: string,
): { file: string; problem: string }[] {
  const files = leftOutFiles(problems);
  if (files.length === 0) return files;
  const lines = files.slice(0, MAX_NAMED).map((f) => `  ${f.file}: ${f.problem}\n`);
  if (files.length > MAX_NAMED) lines.push(`  … and ${files.length - MAX_NAMED} more\n`);
  process.stderr.write(
    `evoalloc: ${files.length} file(s) under ${dir} could not be used and were left out (details: evoalloc validate ${dir}):\n${lines.join("")}`,
  );
  return files;
}

/** Everything under `--results` DIR; bad files are named on stderr, never fatal. */
async function loadFolder(dir: string): Promise<LoadedResults> {
  try {
    await stat(dir);
  } catch {
    throw new UsageError(`--results: cannot read "${dir}"`);
  }
  const loaded = await loadResults([dir]);
  reportLeftOut(loaded.problems, dir);
  return loaded;
}

/** Loads every run under `dir`; bad files are counted on stderr, never fatal. */
export async function loadRuns(dir: string): Promise<RunRecord[]> {
  return (await loadFolder(dir)).runs;
}

/** How many result files (`.json`, `.json.gz`) are under `dir`, counted without reading them (0 when unreadable). */
export async function resultFileCount(dir: string): Promise<number> {
  let n = 0;
  for await (const item of walk([dir])) if (!("error" in item)) n++;
  return n;
}

const list = (xs: Iterable<string | number>): string => [...new Set(xs)].sort().join(", ") || "none";

/** Greedy runs of (task, model), or a UsageError naming what is available. */
export function selectGreedy(runs: RunRecord[], dir: string, task: string, model: string): RunRecord[] {
  const greedy = runs.filter((r) => r.kind === "greedy");
  if (greedy.length === 0) throw new UsageError(`no greedy run files under ${dir}`);
  const forTask = greedy.filter((r) => r.run.task === task);
  if (forTask.length === 0)
    throw new UsageError(
      `--task: no greedy runs for task "${task}" under ${dir} (tasks: ${list(greedy.map((r) => r.run.task))})`,
    );
  const forModel = forTask.filter((r) => r.run.model === model);
  if (forModel.length === 0)
    throw new UsageError(
      `--model: no greedy runs of task "${task}" with model "${model}" (models: ${list(forTask.map((r) => r.run.model))})`,
    );
  return forModel;
}

/** The pool of (task, model, N), or a UsageError naming the N that exist. */
export function selectPool(runs: RunRecord[], dir: string, task: string, model: string, n: number): Pool {
  const pools = buildPools(selectGreedy(runs, dir, task, model));
  const pool = pools.find((p) => p.N === n);
  if (!pool)
    throw new UsageError(
      `--N: no greedy runs of ${task}/${model} with N=${n} (N available: ${pools.map((p) => p.N).join(", ")})`,
    );
  return pool;
}

/**
 * The imported pool of (system, task, model) under `dir`, with its records,
 * for `replay --system` and `sweep --system` (its warnings are the caller's to show).
 */
export async function selectImportedPool(
  dir: string,
  system: string,
  task: string,
  model: string,
): Promise<{ pool: ImportedPool; records: ImportedRecord[] }> {
  const all = (await loadFolder(dir)).imported;
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
  const { buildImportedPools } = await import("../import/pools.ts");
  return { pool: buildImportedPools(records)[0]!, records };
}
