/**
 * Reading a results tree: walk files and folders (recursively, sorted),
 * parse each `.json` / `.json.gz` file (Python's NaN/Infinity accepted),
 * classify it (greedy run, bandit run, or not a run), validate it against
 * the schema and the semantic checks, and yield one event per file.
 *
 *   paths ─> walk ─> read (prefetched) ─> parse ─> classify ─> guard (else schema) ─> checks ─> event
 *
 * The zod schemas are imported the first time a file needs them (a guard
 * rejects it, or it is an imported run): files the fast guards accept never
 * do, and zod (about 95 modules) costs some 60 ms of CPU at start-up, a fifth
 * of what `replay` spends before its first policy round at 20,000 instances.
 *
 * Streams: one file is parsed at a time (a few are read ahead), so memory
 * stays flat however many files a tree holds. A bad file becomes a `problem`
 * event and never stops the others.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { z } from "zod";
import { type CheckResult, checkBandit, checkGreedy, type Finding } from "./check.ts";
import type { FlopsTotals } from "./flops.ts";
import { isBanditRun, isGreedyRun } from "./guard.ts";
import type { checkImported, ImportedRun, ImportedRunSchema } from "./imported.ts";
import { nestedDeeperThan, parsePythonJson } from "./json.ts";
import { classifyRun, isImportedKind } from "./kinds.ts";
import type { BanditRun, GreedyRun } from "./schema.ts";

const gunzipAsync = promisify(gunzip);

export interface Problem {
  file: string;
  /** JSON path inside the file ("" for the whole file). */
  path: string;
  message: string;
}

interface RunBase {
  file: string;
  warnings: Problem[];
  /** Total FLOPs recomputed from the attempts (a bandit run: summed over its arms). */
  flops: FlopsTotals;
  /** Size of the file on disk, bytes. */
  bytes: number;
}
export type RunRecord =
  | (RunBase & { kind: "greedy"; run: GreedyRun })
  | (RunBase & { kind: "bandit"; run: BanditRun });
/** A run imported from another system (src/log/imported.ts); kept apart from `RunRecord` on purpose. */
export interface ImportedRecord {
  kind: "imported";
  file: string;
  run: ImportedRun;
  warnings: Problem[];
  bytes: number;
}
export type ReadEvent =
  | RunRecord
  | ImportedRecord
  | { kind: "skipped"; file: string }
  | { kind: "problem"; file: string; problems: Problem[] };

export interface ReadOptions {
  /** Files read ahead of the one being parsed (I/O overlaps parsing). Default 4. */
  readAhead?: number;
  /** Schema issues reported per file before the rest are summarised. Default 20. */
  maxIssues?: number;
}

/** True for the file names the walk picks up inside folders. */
export function isResultFileName(name: string): boolean {
  return name.endsWith(".json") || name.endsWith(".json.gz");
}

export type WalkItem = { file: string } | { file: string; error: string };

/** The result files under `paths`, sorted, folders recursively; unreadable paths as errors. */
export async function* walk(paths: readonly string[]): AsyncGenerator<WalkItem> {
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (err) {
      yield { file: p, error: `cannot read (${errCode(err)})` };
      continue;
    }
    if (isDir) yield* walkDir(p);
    else yield { file: p };
  }
}

async function* walkDir(dir: string): AsyncGenerator<WalkItem> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield { file: dir, error: `cannot read folder (${errCode(err)})` };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* walkDir(full);
    else if (isResultFileName(e.name)) yield { file: full };
  }
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

/**
 * The most bytes a result file may hold as JSON text (after gunzip): a run
 * file of the reference's kind is a few MB; the cap keeps a gzip bomb (1 MB
 * that inflates to GBs) or a huge stray file from taking the machine's memory.
 */
export const MAX_JSON_BYTES = 256 * 1024 ** 2;
/** The deepest nesting of arrays and objects a result file may have (run files need about 10). */
export const MAX_JSON_DEPTH = 128;

class TooLarge extends Error {}

/** Reads a file's bytes as text, gunzipping `.gz`, refusing more than MAX_JSON_BYTES of text. */
async function readText(file: string): Promise<{ text: string; bytes: number }> {
  const gz = file.endsWith(".gz");
  if (!gz && (await stat(file)).size > MAX_JSON_BYTES) throw new TooLarge();
  const raw = await readFile(file);
  let buf: Buffer;
  try {
    buf = gz ? await gunzipAsync(raw, { maxOutputLength: MAX_JSON_BYTES }) : raw;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw new TooLarge();
    throw err;
  }
  return { text: buf.toString("utf8"), bytes: raw.length };
}

export type Loaded = { file: string; text: string; bytes: number } | { file: string; error: string };

export async function load(item: WalkItem): Promise<Loaded> {
  if ("error" in item) return item;
  try {
    return { file: item.file, ...(await readText(item.file)) };
  } catch (err) {
    if (err instanceof TooLarge)
      return {
        file: item.file,
        error: `larger than ${MAX_JSON_BYTES / 1024 ** 2} MiB of JSON${item.file.endsWith(".gz") ? " once decompressed" : ""} (the reader's cap)`,
      };
    const code = errCode(err);
    return {
      file: item.file,
      error: code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR" ? "not valid gzip" : `cannot read (${code})`,
    };
  }
}

/** A zod issue path as a JSON path: `trajectory[3].children[0].fitness`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function schemaProblems(file: string, error: z.ZodError, maxIssues: number): Problem[] {
  const issues = error.issues;
  const out: Problem[] = issues
    .slice(0, maxIssues)
    .map((i) => ({ file, path: jsonPath(i.path), message: i.message }));
  if (issues.length > maxIssues)
    out.push({ file, path: "", message: `… and ${issues.length - maxIssues} more schema issues` });
  return out;
}

const toProblems = (file: string, findings: Finding[]): Problem[] => findings.map((f) => ({ file, ...f }));

/** The zod side of reading: the run schemas that explain what a guard rejects, and the imported runs'. */
export interface Schemas {
  greedy: z.ZodType<GreedyRun>;
  bandit: z.ZodType<BanditRun>;
  imported: typeof ImportedRunSchema;
  checkImported: typeof checkImported;
}

let loadedSchemas: Schemas | undefined;

/** The schemas, imported on first need (see the head of this file). */
export async function schemas(): Promise<Schemas> {
  if (!loadedSchemas) {
    const [s, i] = await Promise.all([import("./schema.ts"), import("./imported.ts")]);
    loadedSchemas = {
      greedy: s.GreedyRunSchema,
      bandit: s.BanditRunSchema,
      imported: i.ImportedRunSchema,
      checkImported: i.checkImported,
    };
  }
  return loadedSchemas;
}

/**
 * Classifies and validates one parsed file. Pure: the reader's kernel. A file
 * that needs the schemas (its guard rejects it, or an imported run) gives
 * null while `zs` is undefined; `eventOf` then loads them (`schemas()`) and asks again.
 */
export function interpret(
  file: string,
  json: unknown,
  bytes = 0,
  maxIssues = 20,
  zs: Schemas | undefined = loadedSchemas,
): ReadEvent | null {
  if (isImportedKind(json)) return zs ? interpretImported(file, json, bytes, maxIssues, zs) : null;
  const kind = classifyRun(json);
  if (kind === null) return { kind: "skipped", file };
  return kind === "greedy"
    ? interpretRun(kind, file, json, bytes, maxIssues, isGreedyRun, zs?.greedy, checkGreedy)
    : interpretRun(kind, file, json, bytes, maxIssues, isBanditRun, zs?.bandit, checkBandit);
}

type RunOf<K extends RunRecord["kind"]> = Extract<RunRecord, { kind: K }>["run"];

/**
 * A greedy or bandit file: the guard accepts conforming runs without zod's
 * copy, zod explains the rest (null without `schema`); then the contract's checks.
 */
function interpretRun<K extends RunRecord["kind"]>(
  kind: K,
  file: string,
  json: unknown,
  bytes: number,
  maxIssues: number,
  guard: (v: unknown) => v is RunOf<K>,
  schema: z.ZodType<RunOf<K>> | undefined,
  check: (run: RunOf<K>) => CheckResult,
): ReadEvent | null {
  let run: RunOf<K>;
  if (guard(json)) run = json;
  else {
    if (!schema) return null;
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      return { kind: "problem", file, problems: schemaProblems(file, parsed.error, maxIssues) };
    run = parsed.data;
  }
  const c = check(run);
  if (c.problems.length > 0) return { kind: "problem", file, problems: toProblems(file, c.problems) };
  // `kind` and `run` agree by the signature; TypeScript does not narrow a generic K
  return { kind, file, run, warnings: toProblems(file, c.warnings), flops: c.flops, bytes } as RunRecord;
}

function interpretImported(
  file: string,
  json: unknown,
  bytes: number,
  maxIssues: number,
  zs: Schemas,
): ReadEvent {
  const parsed = zs.imported.safeParse(json);
  if (!parsed.success)
    return { kind: "problem", file, problems: schemaProblems(file, parsed.error, maxIssues) };
  const check = zs.checkImported(parsed.data);
  if (check.problems.length > 0) return { kind: "problem", file, problems: toProblems(file, check.problems) };
  return { kind: "imported", file, run: parsed.data, warnings: toProblems(file, check.warnings), bytes };
}

/**
 * Streams the events of every result file under `paths` (files or folders),
 * in sorted order. Never throws for a bad file: it becomes a `problem` event.
 */
export async function* readResults(
  paths: readonly string[],
  opts: ReadOptions = {},
): AsyncGenerator<ReadEvent> {
  const readAhead = Math.max(1, opts.readAhead ?? 4);
  const maxIssues = opts.maxIssues ?? 20;
  const files = walk(paths);
  const queue: Promise<Loaded>[] = [];
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && queue.length < readAhead) {
      const next = await files.next();
      if (next.done) exhausted = true;
      else queue.push(load(next.value));
    }
  };
  await fill();
  while (queue.length > 0) {
    const loaded = await queue.shift()!;
    await fill();
    yield await eventOf(loaded, maxIssues);
  }
}

/** Parses and interprets one loaded file (the reader's per-file kernel); loads the schemas when it needs them. */
export async function eventOf(loaded: Loaded, maxIssues = 20): Promise<ReadEvent> {
  if ("error" in loaded)
    return {
      kind: "problem",
      file: loaded.file,
      problems: [{ file: loaded.file, path: "", message: loaded.error }],
    };
  let json: unknown;
  try {
    json = parsePythonJson(loaded.text);
  } catch (err) {
    const msg = loaded.text.trim() === "" ? "empty file" : `not valid JSON (${(err as Error).message})`;
    return { kind: "problem", file: loaded.file, problems: [{ file: loaded.file, path: "", message: msg }] };
  }
  if (nestedDeeperThan(json, MAX_JSON_DEPTH))
    return {
      kind: "problem",
      file: loaded.file,
      problems: [
        {
          file: loaded.file,
          path: "",
          message: `nests arrays/objects more than ${MAX_JSON_DEPTH} levels deep (the reader's cap)`,
        },
      ],
    };
  return (
    interpret(loaded.file, json, loaded.bytes, maxIssues) ??
    interpret(loaded.file, json, loaded.bytes, maxIssues, await schemas())!
  );
}

export interface LoadedResults {
  runs: RunRecord[];
  /** Runs imported from other systems (not part of `runs`: greedy/bandit consumers never see them). */
  imported: ImportedRecord[];
  problems: Problem[];
  warnings: Problem[];
  skipped: string[];
}

/** Collects `readResults` into arrays (for consumers that need every run at once). */
export async function loadResults(paths: readonly string[], opts: ReadOptions = {}): Promise<LoadedResults> {
  const out: LoadedResults = { runs: [], imported: [], problems: [], warnings: [], skipped: [] };
  for await (const ev of readResults(paths, opts)) {
    if (ev.kind === "skipped") out.skipped.push(ev.file);
    else if (ev.kind === "problem") out.problems.push(...ev.problems);
    else if (ev.kind === "imported") {
      out.imported.push(ev);
      out.warnings.push(...ev.warnings);
    } else {
      out.runs.push(ev);
      out.warnings.push(...ev.warnings);
    }
  }
  return out;
}
