/**
 * From per-call observations to an imported run of the log contract: the
 * kernel every importer ends in. Pure.
 *
 *   observations (per source) ─> merge per call (best evidence) ─> rows ─> best so far ─> ImportedRun
 */
import type { Disagreement, ImportedRow, ImportedRun, ImportSystem } from "../log/imported.ts";
import { version } from "../version.ts";

/** What one source says about one call (or about the initial program, call 0). */
export interface Observation {
  call: number;
  /** "trace", "checkpoint", "log", "sqlite", "samples" … */
  source: string;
  fitness: number | null;
  valid: boolean | null;
  child_id?: string | null;
  parent_id?: string | null;
  island?: number | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  /** Largest rounding error of `fitness` (a log line printed at 4 decimals: 5e-5); 0 for exact values. */
  tolerance?: number;
}

export interface RunMeta {
  system: ImportSystem;
  version: string | null;
  path: string;
  files: string[];
  task: string;
  model: string;
  model_name: string | null;
  params_active: number | null;
  seed: number;
  seed_from: "config" | "name" | "fixed";
  /** Calls the run made (rows 1..C); observations past C are ignored. */
  C: number;
  notes: string[];
  wall_time_seconds?: number | null;
}

const nil = <T>(x: T | null | undefined): T | null => (x === undefined ? null : x);

function sameFitness(a: Observation, b: Observation): boolean {
  if (a.fitness === null || b.fitness === null) return a.fitness === b.fitness;
  const tol = (a.tolerance ?? 0) + (b.tolerance ?? 0);
  const scale = Math.max(1, Math.abs(a.fitness), Math.abs(b.fitness));
  return Math.abs(a.fitness - b.fitness) <= tol + 1e-12 * scale;
}

const fmtFit = (o: Observation): string =>
  o.fitness === null ? (o.valid === false ? "failed" : "no score") : String(o.fitness);

/**
 * Merges what the sources say about one call: the exact value wins over a
 * rounded one (an observation with a score or a verdict first, then tolerance 0
 * first, then the order of `obs`); every
 * disagreement beyond rounding is reported.
 */
export function mergeCall(call: number, obs: readonly Observation[], out: Disagreement[]): ImportedRow {
  const informed = (o: Observation): number => (o.valid === null && o.fitness === null ? 1 : 0);
  const ranked = [...obs].sort(
    (a, b) => informed(a) - informed(b) || (a.tolerance ?? 0) - (b.tolerance ?? 0),
  );
  const best = ranked[0]!;
  for (const o of ranked.slice(1)) {
    if (o.source === best.source || informed(o) === 1) continue;
    if (!sameFitness(best, o) || (best.valid !== null && o.valid !== null && best.valid !== o.valid))
      out.push({
        call,
        field: "fitness",
        message: `${best.source} says ${fmtFit(best)}, ${o.source} says ${fmtFit(o)}`,
      });
    else if (best.child_id && o.child_id && best.child_id !== o.child_id)
      out.push({
        call,
        field: "child_id",
        message: `${best.source} says ${best.child_id}, ${o.source} says ${o.child_id}`,
      });
  }
  const pick = <K extends keyof Observation>(k: K): Observation[K] | null => {
    for (const o of ranked) if (o[k] !== undefined && o[k] !== null) return o[k];
    return null;
  };
  return {
    call,
    best_fitness: null,
    fitness: best.fitness,
    valid: best.valid,
    child_id: nil(pick("child_id") as string | null),
    parent_id: nil(pick("parent_id") as string | null),
    island: nil(pick("island") as number | null),
    prompt_tokens: nil(pick("prompt_tokens") as number | null),
    completion_tokens: nil(pick("completion_tokens") as number | null),
    flops: null,
    evidence: [...new Set(ranked.map((o) => o.source))].sort(),
  };
}

const emptyRow = (call: number): ImportedRow => ({
  call,
  best_fitness: null,
  fitness: null,
  valid: null,
  child_id: null,
  parent_id: null,
  island: null,
  prompt_tokens: null,
  completion_tokens: null,
  flops: null,
  evidence: [],
});

/** Error of an importer that yields no run for a folder (one line, shown to the user). */
export class ImportError extends Error {
  override name = "ImportError";
}

/**
 * Builds the imported run from every observation. Rows 0..C; calls whose
 * outcome no source recorded are null rows and count as missing.
 *
 * @throws ImportError when no call or initial program has a valid fitness.
 */
export function assembleRun(meta: RunMeta, observations: readonly Observation[]): ImportedRun {
  const byCall = new Map<number, Observation[]>();
  for (const o of observations) {
    if (o.call < 0 || o.call > meta.C) continue;
    let list = byCall.get(o.call);
    if (!list) byCall.set(o.call, (list = []));
    list.push(o);
  }
  const disagreements: Disagreement[] = [];
  const rows: ImportedRow[] = [];
  const missing: number[] = [];
  let best: number | null = null;
  let totalFlops = 0;
  let anyFlops = false;
  const P = meta.params_active;
  for (let c = 0; c <= meta.C; c++) {
    const obs = byCall.get(c);
    const row = obs ? mergeCall(c, obs, disagreements) : emptyRow(c);
    // recovered: some source tells how the call ended (a program line without its score does not)
    if (row.valid === null && c > 0) missing.push(c);
    if (row.valid === true && row.fitness !== null && Number.isFinite(row.fitness))
      best = best === null ? row.fitness : Math.max(best, row.fitness);
    row.best_fitness = best;
    if (P !== null && row.prompt_tokens !== null && row.completion_tokens !== null) {
      row.flops = 2 * P * (row.prompt_tokens + row.completion_tokens);
      totalFlops += row.flops;
      anyFlops = true;
    }
    rows.push(row);
  }
  if (best === null) throw new ImportError("no program with a valid score");
  const recovered = meta.C - missing.length;
  return {
    kind: "imported",
    source: { system: meta.system, version: meta.version, path: meta.path, files: meta.files },
    task: meta.task,
    model: meta.model,
    model_name: meta.model_name,
    params_active: meta.params_active,
    seed: meta.seed,
    seed_from: meta.seed_from,
    C: meta.C,
    final_fitness: best,
    trajectory: rows,
    total_flops: anyFlops ? totalFlops : null,
    recovery: {
      share: meta.C > 0 ? recovered / meta.C : 1,
      recovered,
      missing_calls: missing,
      disagreements,
      notes: meta.notes,
    },
    wall_time_seconds: meta.wall_time_seconds ?? null,
    evoalloc_version: version,
  };
}
