/**
 * OpenEvolve output folders. Three partial sources, merged per iteration:
 *
 *   evolution_trace.jsonl  one line per iteration, full precision; drops lines
 *                          (a child whose parent was already removed is not traced)
 *   checkpoints/checkpoint_<i>/programs/<id>.json
 *                          every program alive at a checkpoint, full precision;
 *                          misses programs created and removed between two checkpoints
 *   logs/*.log             one line per iteration ("Iteration N: Program … completed",
 *                          then "Metrics: …" at 4 decimals; "Iteration N error: …" for
 *                          a failed call, which creates no program)
 *
 * One iteration = one LLM call; iteration 0 is the initial program. The
 * parsers are pure (text → observations); `readOpenEvolve` alone touches files.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { mean } from "../util/stats.ts";
import { ImportError, type Observation } from "./assemble.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const int = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null);

/**
 * A program's score as OpenEvolve ranks it: `combined_score`, else the mean
 * of the numeric metrics (its own fallback). Null when there is none.
 *
 * @example scoreOf({ combined_score: 0.5, error: 1 }) // => 0.5
 * @example scoreOf({ a: 1, b: 0 }) // => 0.5
 */
export function scoreOf(metrics: unknown): number | null {
  if (!isObj(metrics)) return null;
  const cs = metrics.combined_score;
  if (typeof cs === "number") return cs;
  const xs = Object.values(metrics).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  return xs.length > 0 ? mean(xs) : null;
}

/** An evaluation that failed reports an `error` metric. */
const validOf = (metrics: unknown): boolean => isObj(metrics) && !("error" in metrics);

export interface SourceProblem {
  file: string;
  message: string;
}

/** The trace's lines as observations; unparseable lines become problems (the rest still count). */
export function parseTrace(text: string, file: string, problems: SourceProblem[]): Observation[] {
  const out: Observation[] = [];
  const lines = text.split("\n");
  let bad = 0;
  let firstBad = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      if (bad++ === 0) firstBad = i + 1;
      continue;
    }
    const it = isObj(o) ? int(o.iteration) : null;
    if (!isObj(o) || it === null || it < 0) {
      if (bad++ === 0) firstBad = i + 1;
      continue;
    }
    out.push({
      call: it,
      source: "trace",
      fitness: scoreOf(o.child_metrics),
      valid: validOf(o.child_metrics),
      child_id: str(o.child_id),
      parent_id: str(o.parent_id),
      island: int(o.island_id),
    });
    // a child of generation 1 has the initial program as its parent
    if (int(o.generation) === 1 && isObj(o.parent_metrics))
      out.push({
        call: 0,
        source: "trace",
        fitness: scoreOf(o.parent_metrics),
        valid: validOf(o.parent_metrics),
        child_id: str(o.parent_id),
      });
  }
  if (bad > 0)
    problems.push({ file, message: `${bad} line(s) not a trace entry (first: line ${firstBad}); skipped` });
  return out;
}

/** One checkpoint program file as an observation (null when it cannot be placed). */
export function parseProgram(value: unknown): (Observation & { migrant: boolean }) | null {
  if (!isObj(value)) return null;
  const it = int(value.iteration_found);
  if (it === null || it < 0) return null;
  const meta = isObj(value.metadata) ? value.metadata : {};
  return {
    call: it,
    source: "checkpoint",
    fitness: scoreOf(value.metrics),
    valid: validOf(value.metrics),
    child_id: str(value.id),
    parent_id: str(value.parent_id),
    island: int(meta.island),
    migrant: meta.migrant === true,
  };
}

const ITER_DONE = /Iteration (\d+): Program (\S+) \(parent: ([^)]*)\) completed in/;
const ITER_ERROR = /Iteration (\d+) error: (.*)$/;
const ITER_TIMEOUT = /Iteration (\d+) timed out/;
const ITER_FAILED = /Error processing result from iteration (\d+)/;
const METRICS = /Metrics: (.*)$/;

/** The metrics of a log line (`k=v, …`, numbers at 4 decimals). */
export function parseLogMetrics(text: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const part of text.split(/,\s*(?=[A-Za-z_][\w.-]*=)/)) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    const n = Number(v);
    out[k] = v !== "" && Number.isFinite(n) ? n : v;
  }
  return out;
}

/** The per-iteration lines of an OpenEvolve log as observations, and the last iteration mentioned. */
export function parseLog(text: string): { obs: Observation[]; lastIteration: number } {
  const obs: Observation[] = [];
  let last = -1;
  let pending: Observation | null = null;
  for (const line of text.split("\n")) {
    let m = ITER_DONE.exec(line);
    if (m) {
      const call = Number(m[1]);
      last = Math.max(last, call);
      pending = {
        call,
        source: "log",
        fitness: null,
        valid: null,
        child_id: m[2]!,
        parent_id: m[3] === "None" || m[3] === "" ? null : m[3]!,
        tolerance: 5e-5,
      };
      obs.push(pending);
      continue;
    }
    m = METRICS.exec(line);
    if (m && pending) {
      const metrics = parseLogMetrics(m[1]!);
      pending.fitness = scoreOf(metrics);
      pending.valid = validOf(metrics);
      pending = null;
      continue;
    }
    m = ITER_ERROR.exec(line) ?? ITER_TIMEOUT.exec(line) ?? ITER_FAILED.exec(line);
    if (m) {
      const call = Number(m[1]);
      last = Math.max(last, call);
      obs.push({ call, source: "log", fitness: null, valid: false });
      pending = null;
    }
  }
  // a program line without its metrics line tells that the call produced a program, not its score
  return { obs, lastIteration: last };
}

export interface OpenEvolveRead {
  observations: Observation[];
  /** Last iteration any source mentions. */
  lastIteration: number;
  files: string[];
  problems: SourceProblem[];
  notes: string[];
  sources: { trace: number; checkpoint: number; log: number };
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** True when `dir` looks like an OpenEvolve output folder. */
export async function isOpenEvolveDir(dir: string): Promise<boolean> {
  const names = new Set((await entries(dir)).map((e) => e.name));
  return names.has("checkpoints") || names.has("evolution_trace.jsonl") || names.has("logs");
}

const checkpointIter = (name: string): number | null => {
  const m = /^checkpoint_(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
};

/**
 * Reads one OpenEvolve output folder's three sources. A program file is read
 * once (its name is its id, and checkpoints repeat programs).
 *
 * @throws ImportError when the folder has none of the three sources.
 */
export async function readOpenEvolve(dir: string): Promise<OpenEvolveRead> {
  const res: OpenEvolveRead = {
    observations: [],
    lastIteration: -1,
    files: [],
    problems: [],
    notes: [],
    sources: { trace: 0, checkpoint: 0, log: 0 },
  };
  const traceFile = join(dir, "evolution_trace.jsonl");
  try {
    const text = await readFile(traceFile, "utf8");
    const obs = parseTrace(text, traceFile, res.problems);
    res.observations.push(...obs);
    res.sources.trace = obs.filter((o) => o.call > 0).length;
    res.files.push("evolution_trace.jsonl");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      res.problems.push({ file: traceFile, message: "cannot read" });
  }

  const ckDir = join(dir, "checkpoints");
  const checkpoints = (await entries(ckDir))
    .filter((e) => e.isDirectory() && checkpointIter(e.name) !== null)
    .sort((a, b) => checkpointIter(b.name)! - checkpointIter(a.name)!);
  const seen = new Set<string>();
  const byIter = new Map<number, (Observation & { migrant: boolean })[]>();
  for (const ck of checkpoints) {
    const ckPath = join(ckDir, ck.name);
    try {
      const meta = JSON.parse(await readFile(join(ckPath, "metadata.json"), "utf8")) as unknown;
      const last = isObj(meta) ? int(meta.last_iteration) : null;
      if (last !== null) res.lastIteration = Math.max(res.lastIteration, last);
    } catch {
      res.problems.push({ file: join(ckPath, "metadata.json"), message: "missing or not valid JSON" });
    }
    res.lastIteration = Math.max(res.lastIteration, checkpointIter(ck.name)!);
    const progDir = join(ckPath, "programs");
    for (const f of await entries(progDir)) {
      if (!f.name.endsWith(".json") || seen.has(f.name)) continue;
      seen.add(f.name);
      const file = join(progDir, f.name);
      let o: Observation & { migrant: boolean };
      try {
        const parsed = parseProgram(JSON.parse(await readFile(file, "utf8")));
        if (!parsed) {
          res.problems.push({ file, message: "no iteration_found: program cannot be placed" });
          continue;
        }
        o = parsed;
      } catch {
        res.problems.push({ file, message: "not valid JSON" });
        continue;
      }
      let list = byIter.get(o.call);
      if (!list) byIter.set(o.call, (list = []));
      list.push(o);
    }
  }
  // migration copies a program under a new id with the same iteration: keep the original
  for (const list of byIter.values()) {
    list.sort(
      (a, b) => Number(a.migrant) - Number(b.migrant) || ((a.child_id ?? "") < (b.child_id ?? "") ? -1 : 1),
    );
    const { migrant: _, ...o } = list[0]!;
    res.observations.push(o);
    if (o.call > 0) res.sources.checkpoint++;
  }
  if (checkpoints.length > 0) res.files.push(`checkpoints (${checkpoints.length})`);

  const logDir = join(dir, "logs");
  const logs = (await entries(logDir))
    .filter((e) => e.isFile() && e.name.endsWith(".log"))
    .map((e) => e.name)
    .sort();
  const logIters = new Set<number>();
  for (const name of logs) {
    const { obs, lastIteration } = parseLog(await readFile(join(logDir, name), "utf8"));
    res.observations.push(...obs);
    for (const o of obs) logIters.add(o.call);
    res.lastIteration = Math.max(res.lastIteration, lastIteration);
    res.files.push(`logs/${name}`);
  }
  res.sources.log = logIters.size;
  for (const o of res.observations) res.lastIteration = Math.max(res.lastIteration, o.call);
  if (res.files.length === 0)
    throw new ImportError(
      "no evolution_trace.jsonl, checkpoints/ or logs/*.log: not an OpenEvolve output folder",
    );
  return res;
}
