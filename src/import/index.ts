/**
 * `evoalloc import`: other systems' run folders → imported runs of the log
 * contract (src/log/imported.ts).
 *
 *   DIR ─> find run folders ─> read the system's sources ─> observations ─> assembleRun ─> ImportedRun
 *
 * A folder that yields no run becomes one problem line; the others still import.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ImportedRun, ImportSystem } from "../log/imported.ts";
import type { ModelSpec } from "../log/models.ts";
import { assembleRun, ImportError, type Observation } from "./assemble.ts";
import { isLlm4adDir, readLlm4ad } from "./llm4ad.ts";
import { isOpenEvolveDir, readOpenEvolve, type SourceProblem } from "./openevolve.ts";
import { configSeed, type SeedFrom, seedInName } from "./seed.ts";
import { readShinka, shinkaDb } from "./shinka.ts";

export { assembleRun, ImportError, type Observation } from "./assemble.ts";
export { parseSeedFrom, type SeedFrom } from "./seed.ts";

export interface ImportOptions {
  system: ImportSystem;
  task: string;
  model: string;
  /** The model's spec when known (its params_active turns tokens into FLOPs). */
  modelSpec: ModelSpec | null;
  seedFrom: SeedFrom;
  /** `--check`: a seed that cannot be found is replaced by the run's index (and said so) instead of failing. */
  lenientSeed?: boolean;
}

export interface ImportProblem {
  /** The folder or file the problem is about. */
  path: string;
  message: string;
}

/** What `--check` prints about a run. */
export interface RunCheck {
  dir: string;
  system: ImportSystem;
  seed: number;
  calls: number;
  recovered_share: number;
  missing: number;
  disagreements: number;
  best: number;
  /** Calls each source recorded (a call may be recorded by several). */
  sources: Record<string, number>;
  files: string[];
}

export interface ImportedFolder {
  dir: string;
  run: ImportedRun;
  check: RunCheck;
}

const isRunDir: Record<ImportSystem, (dir: string) => Promise<boolean>> = {
  openevolve: isOpenEvolveDir,
  shinkaevolve: async (dir) => (await shinkaDb(dir)) !== null,
  llm4ad: isLlm4adDir,
};

/** The run folders of `system` at or below `dir` (three levels at most), sorted. */
export async function findRunDirs(system: ImportSystem, dir: string, depth = 3): Promise<string[]> {
  if (await isRunDir[system](dir)) return [dir];
  if (depth === 0) return [];
  let ents: Dirent[];
  try {
    ents = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of ents.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1)))
    out.push(...(await findRunDirs(system, join(dir, e.name), depth - 1)));
  return out;
}

interface SystemRead {
  observations: Observation[];
  lastCall: number;
  files: string[];
  problems: SourceProblem[];
  notes: string[];
  version: string | null;
  sources: Record<string, number>;
  wall?: number;
}

const countCalls = (obs: readonly Observation[], source: string): number =>
  new Set(obs.filter((o) => o.source === source && o.call > 0).map((o) => o.call)).size;

async function readSystem(system: ImportSystem, dir: string): Promise<SystemRead> {
  if (system === "openevolve") {
    const r = await readOpenEvolve(dir);
    return {
      observations: r.observations,
      lastCall: r.lastIteration,
      files: r.files,
      problems: r.problems,
      notes: r.notes,
      version: null,
      sources: {
        trace: countCalls(r.observations, "trace"),
        checkpoint: countCalls(r.observations, "checkpoint"),
        log: countCalls(r.observations, "log"),
      },
    };
  }
  if (system === "shinkaevolve") {
    const r = await readShinka(dir);
    return { ...r, problems: [], sources: { sqlite: countCalls(r.observations, "sqlite") } };
  }
  const r = await readLlm4ad(dir);
  return {
    ...r,
    notes: ["LLM4AD records no initial program: row 0 has no score"],
    version: null,
    sources: { samples: countCalls(r.observations, "samples") },
  };
}

async function seedOf(
  dir: string,
  from: SeedFrom,
  index: number,
): Promise<{ seed: number } | { error: string }> {
  if (from.from === "fixed") return { seed: from.base + index };
  if (from.from === "name") {
    const s = seedInName(dir);
    return s === null ? { error: "--seed-from name: the folder's name has no number" } : { seed: s };
  }
  const c = await configSeed(dir);
  return c === null
    ? { error: "--seed-from config: no random_seed/seed in a config.yaml here or in the parent folder" }
    : { seed: c.seed };
}

/** Imports one run folder. @throws ImportError when it yields no run. */
export async function importRun(
  dir: string,
  opts: ImportOptions,
  index: number,
  problems: ImportProblem[],
): Promise<ImportedFolder> {
  const read = await readSystem(opts.system, dir);
  for (const p of read.problems) problems.push({ path: p.file, message: p.message });
  if (read.lastCall < 1) throw new ImportError("no LLM call recorded");
  let seed = await seedOf(dir, opts.seedFrom, index);
  if ("error" in seed) {
    if (!opts.lenientSeed) throw new ImportError(seed.error);
    read.notes.push(`${seed.error}; the run's index ${index} stands in`);
    seed = { seed: index };
  }
  const run = assembleRun(
    {
      system: opts.system,
      version: read.version,
      path: dir,
      files: read.files,
      task: opts.task,
      model: opts.model,
      model_name: opts.modelSpec?.name ?? null,
      params_active: opts.modelSpec?.params_active ?? null,
      seed: seed.seed,
      seed_from: opts.seedFrom.from,
      C: read.lastCall,
      notes: read.notes,
      wall_time_seconds: read.wall ?? null,
    },
    read.observations,
  );
  return {
    dir,
    run,
    check: {
      dir,
      system: opts.system,
      seed: run.seed,
      calls: run.C,
      recovered_share: run.recovery.share,
      missing: run.recovery.missing_calls.length,
      disagreements: run.recovery.disagreements.length,
      best: run.final_fitness,
      sources: read.sources,
      files: read.files,
    },
  };
}

/**
 * Imports every run folder found under `dirs`, in order. Problems are
 * collected (one line each), never thrown; `onRun` sees each run as it is made.
 */
export async function importRuns(
  dirs: readonly string[],
  opts: ImportOptions,
  onRun?: (f: ImportedFolder) => Promise<void> | void,
): Promise<{ runs: ImportedFolder[]; problems: ImportProblem[] }> {
  const runs: ImportedFolder[] = [];
  const problems: ImportProblem[] = [];
  let index = 0;
  for (const dir of dirs) {
    try {
      if (!(await stat(dir)).isDirectory()) {
        problems.push({ path: dir, message: "not a folder" });
        continue;
      }
    } catch {
      problems.push({ path: dir, message: "cannot read" });
      continue;
    }
    const found = await findRunDirs(opts.system, dir);
    if (found.length === 0) {
      problems.push({ path: dir, message: `no ${opts.system} run found here or below` });
      continue;
    }
    for (const runDir of found) {
      try {
        const f = await importRun(runDir, opts, index++, problems);
        runs.push(f);
        await onRun?.(f);
      } catch (err) {
        if (!(err instanceof ImportError)) throw err;
        problems.push({ path: runDir, message: err.message });
      }
    }
  }
  return { runs, problems };
}

/** Where an imported run is written under `--out`. */
export function importedPath(out: string, run: ImportedRun): string {
  return join(out, run.task, run.model, `${run.source.system}_C${run.C}_seed${run.seed}.json`);
}
