/**
 * `evoalloc report` end to end; the only analysis module that reads result
 * files and writes the report folder.
 *
 *   results/ ─> readResults (one pass) ─┬─> TableBuilder ─> tables ─┐
 *                                       └─> curves ─> replayPools ──┴─> analyse ─> figures: data ─> spec
 *   spec ─> reports/figures/NAME.vl.json, .svg, .png;  tables ─> reports/tables/*.csv
 *   fits ─> reports/fits.json;  everything ─> reports/index.html
 *
 * Every file is written atomically (temporary file + rename). Files a
 * previous report left in figures/ and tables/ that this one did not write
 * are removed, so the folder always matches the page.
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { from } from "arquero";
import type { TopLevelSpec } from "vega-lite";
import type { ReadEvent, RunRecord } from "../log/read.ts";
import { isResultFileName, readResults } from "../log/read.ts";
import type { TimeoutPolicy } from "../log/schema.ts";
import { writeFileAtomic } from "../log/write.ts";
import { buildPools } from "../replay/index.ts";
import { taskCeilings } from "../run/tasks.ts";
import { version } from "../version.ts";
import { analyse, taskKeys } from "./analysis.ts";
import { type BaselineUnit, baselineTable, evoallocUnit, importedUnit } from "./baselines.ts";
import type { Figure } from "./figures/index.ts";
import { FIGURES } from "./figures/index.ts";
import { dropSingleEntryLegends } from "./figures/legends.ts";
import { fitsReport } from "./fits.ts";
import { headlineAdvice, headlineHtml } from "./headline.ts";
import { type ReportFigure, reportHtml } from "./html.ts";
import { inlinePngRenderer, workerPngRenderer } from "./png.ts";
import { libraries, renderSvg } from "./render.ts";
import { type PoolReplay, replayPools, replayPoolsOnWorker } from "./replays.ts";
import { coverage, csvTables } from "./report-tables.ts";
import { type Taus, tausOf, withStudies } from "./studies.ts";
import { TableBuilder, type Tables } from "./tables.ts";

export const FORMATS = ["svg", "png", "html"] as const;
export type Format = (typeof FORMATS)[number];

export interface ReportOptions {
  results: string;
  out: string;
  formats: readonly Format[];
  /** Bootstrap resamples behind the replay intervals. */
  bootstrap: number;
  /** Replay instances per pool (every K-subset up to this many, else a seeded sample). */
  maxInstances: number;
  timeoutPolicy: TimeoutPolicy;
  seed: number;
  /** 0: everything on the calling thread; otherwise replay and PNG run on worker threads (default). */
  threads?: number;
  /** Task folders, for the Φ-model's ceilings (default: the shipped tasks/). */
  tasksDir?: string;
  /** Threshold-reaching levels τ (every task); default 50/75/90% of the best fitness seen per task. */
  tau?: number[];
  /** ISO time printed on the page; none by default, so the same results give the same page. */
  generated?: string;
}

/** Bootstrap resamples behind threshold-reaching (the paper's 1,000). */
export const REACH_REPLICATES = 1000;

export interface Progress {
  /** A new stage with `total` steps. */
  stage(name: string, total: number): void;
  tick(detail?: string): void;
  done(): void;
}

export interface ReportSummary {
  out: string;
  files: string[];
  figures: string[];
  skipped: { name: string; reason: string }[];
  runs: number;
  bandits: number;
  problems: number;
  problem_files: string[];
  seconds: number;
}

const NO_PROGRESS: Progress = { stage() {}, tick() {}, done() {} };

async function countFiles(dir: string): Promise<number> {
  try {
    const entries = await readdir(dir, { recursive: true });
    return entries.filter((e) => isResultFileName(String(e))).length;
  } catch {
    return 0;
  }
}

/** A greedy record without children (replay needs only the best-so-far curve); keeps memory flat. */
function slim(e: RunRecord): RunRecord | null {
  if (e.kind !== "greedy") return null;
  return { ...e, run: { ...e.run, trajectory: e.run.trajectory.map((g) => ({ ...g, children: [] })) } };
}

async function removeStale(dir: string, keep: Set<string>, exts: string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((n) => exts.some((e) => n.endsWith(e)) && !keep.has(join(dir, n)))
      .map((n) => rm(join(dir, n), { force: true })),
  );
}

/**
 * Builds the report for `opts.results` into `opts.out`:
 *
 *   readStage ─> drawStage (replays on a worker meanwhile) ─> tables, fits, advice ─> page ─> stale files removed
 *
 * O(total log size) to read; replay and rendering dominate the rest.
 */
export async function runReport(
  opts: ReportOptions,
  progress: Progress = NO_PROGRESS,
): Promise<ReportSummary> {
  const t0 = performance.now();
  const formats = new Set(opts.formats);
  const written: string[] = [];
  const write = async (path: string, data: string | Uint8Array) => {
    await writeFileAtomic(path, data);
    written.push(path);
  };
  const read = await readStage(opts, progress);
  const { tables, greedy, nImported } = read;
  const taus = tausOf(tables, opts.tau);
  const { a, figures, skipped, replays, replayNotes } = await drawStage(
    opts,
    formats,
    read,
    taus,
    progress,
    write,
  );

  // tables and fits; other systems' imported runs beside evoalloc's at equal calls
  const tableDir = join(opts.out, "tables");
  for (const [name, csv] of Object.entries(csvTables(a))) await write(join(tableDir, `${name}.csv`), csv);
  const baselines =
    nImported > 0 ? baselineTable(read.units, { replicates: REACH_REPLICATES, seed: opts.seed }) : null;
  if (baselines?.rows.length) await write(join(tableDir, "baselines.csv"), from(baselines.rows).toCSV());
  const fits = fitsReport(a);
  await write(join(opts.out, "fits.json"), `${JSON.stringify(fits, null, 1)}\n`);
  const advice = headlineAdvice(a, buildPools(greedy), taus, opts.seed);
  await write(join(opts.out, "advice.json"), `${JSON.stringify(advice, null, 1)}\n`);

  // the page
  if (formats.has("html")) {
    const links = ["vl.json", ...(["svg", "png"] as const).filter((x) => formats.has(x))];
    const html = reportHtml({
      title: "evoalloc report",
      headline: headlineHtml(advice),
      source: opts.results,
      version,
      ...(opts.generated ? { generated: opts.generated } : {}),
      summary: [
        { label: "greedy runs", value: tables.runs.numRows() },
        { label: "online bandit runs", value: tables.bandits.numRows() },
        { label: "imported runs (other systems)", value: nImported },
        { label: "LLM calls logged (greedy)", value: tables.children.numRows() },
        { label: "replayed pools", value: replays.length },
        { label: "figures", value: `${figures.length} drawn, ${skipped.length} not drawn` },
        { label: "result files with problems", value: read.problemFiles.length },
        { label: "other JSON files (skipped)", value: tables.skipped.length },
        { label: "FLOPs axis", value: `timeouts counted as ${opts.timeoutPolicy.replace("_", "-")}` },
      ],
      coverage: coverage(a),
      figures,
      skipped,
      fits,
      replayNotes,
      baselines,
      problems: tables.problems,
      warnings: tables.warnings,
      links,
      libraries: await libraries(),
    });
    await write(join(opts.out, "index.html"), html);
  }
  const keep = new Set(written);
  await removeStale(join(opts.out, "figures"), keep, [".svg", ".png", ".vl.json"]);
  await removeStale(tableDir, keep, [".csv"]);
  progress.done();
  return {
    out: opts.out,
    files: written,
    figures: figures.map((f) => f.name),
    skipped: skipped.map(({ name, reason }) => ({ name, reason })),
    runs: tables.runs.numRows(),
    bandits: tables.bandits.numRows(),
    problems: tables.problems.length,
    problem_files: read.problemFiles,
    seconds: (performance.now() - t0) / 1000,
  };
}

interface ReadStage {
  tables: Tables;
  /** Greedy records without children, for replay. */
  greedy: RunRecord[];
  problemFiles: string[];
  units: BaselineUnit[];
  nImported: number;
}

/** One pass over the result files: the tables, the slimmed greedy records, baseline units. */
async function readStage(opts: ReportOptions, progress: Progress): Promise<ReadStage> {
  progress.stage("reading results", await countFiles(opts.results));
  const builder = new TableBuilder();
  const greedy: RunRecord[] = [];
  const problemFiles: string[] = [];
  const units: BaselineUnit[] = [];
  let nImported = 0;
  for await (const e of readResults([opts.results]) as AsyncIterable<ReadEvent>) {
    builder.add(e);
    if (e.kind === "problem") problemFiles.push(e.file);
    if (e.kind === "imported") {
      nImported++;
      units.push(importedUnit(e));
    } else if (e.kind === "greedy" || e.kind === "bandit") units.push(evoallocUnit(e));
    const s = e.kind === "greedy" ? slim(e) : null;
    if (s) greedy.push(s);
    progress.tick();
  }
  return { tables: builder.finish(), greedy, problemFiles, units, nImported };
}

/**
 * The figures: replays start on a worker thread while this thread analyses
 * and draws the figures that do not need them (data → spec → SVG here, PNG
 * on a worker thread), then the replay figures. Page order = FIGURES order.
 */
async function drawStage(
  opts: ReportOptions,
  formats: ReadonlySet<Format>,
  read: ReadStage,
  taus: Taus,
  progress: Progress,
  write: (path: string, data: string | Uint8Array) => Promise<void>,
) {
  const { tables, greedy } = read;
  // the bar shows replay progress only while the figures wait for it
  const pools = { done: 0, total: 0, waiting: false };
  const replayOpts = {
    studies: { taus, reachReplicates: REACH_REPLICATES },
    bootstrap: opts.bootstrap,
    maxInstances: opts.maxInstances,
    seed: opts.seed,
    onPool: (label: string, index: number, total: number) => {
      pools.done = index;
      pools.total = total;
      if (pools.waiting) progress.tick(label);
    },
  };
  const replaying =
    opts.threads === 0
      ? Promise.resolve(replayPools(greedy, replayOpts))
      : replayPoolsOnWorker(greedy, replayOpts);
  progress.stage("drawing figures", FIGURES.length);
  let a = analyse(tables, {
    flopsPolicy: opts.timeoutPolicy,
    ceilings: taskCeilings(taskKeys(tables), opts.tasksDir),
    bootstrap: opts.bootstrap,
    seed: opts.seed,
  });
  const figDir = join(opts.out, "figures");
  const drawn = new Map<string, ReportFigure>();
  const skippedBy = new Map<string, { name: string; title: string; reason: string }>();
  const png = !formats.has("png") ? null : opts.threads === 0 ? inlinePngRenderer() : workerPngRenderer();
  const pngs: Promise<void>[] = [];
  const draw = async (f: Figure) => {
    const d = f.data(a);
    if ("skip" in d) {
      skippedBy.set(f.name, { name: f.name, title: f.title, reason: d.skip });
      progress.tick(f.name);
      return;
    }
    const spec: TopLevelSpec = dropSingleEntryLegends(f.spec(d.rows, d.meta));
    drawn.set(f.name, { name: f.name, title: f.title, howToRead: f.howToRead, spec, notes: d.notes ?? [] });
    await write(join(figDir, `${f.name}.vl.json`), `${JSON.stringify(spec, null, 1)}\n`);
    if (formats.has("svg") || png) {
      const svg = await renderSvg(spec);
      if (formats.has("svg")) await write(join(figDir, `${f.name}.svg`), svg);
      if (png) pngs.push(png.render(svg).then((bytes) => write(join(figDir, `${f.name}.png`), bytes)));
    }
    progress.tick(f.name);
  };
  let replays: PoolReplay[] = [];
  let replayNotes: string[] = [];
  try {
    for (const f of FIGURES) if (!f.usesReplay) await draw(f);
    pools.waiting = true;
    progress.stage("replaying pools", pools.total);
    for (let i = 0; i < pools.done; i++) progress.tick();
    const stage = await replaying;
    ({ replays, notes: replayNotes } = stage);
    replayNotes = [...replayNotes, ...stage.studies.notes];
    progress.stage("drawing figures", FIGURES.filter((f) => f.usesReplay).length);
    a = withStudies(a, stage, taus, REACH_REPLICATES, opts.seed);
    for (const f of FIGURES) if (f.usesReplay) await draw(f);
    await Promise.all(pngs);
  } finally {
    await png?.close();
  }
  return {
    a,
    figures: FIGURES.flatMap((f) => drawn.get(f.name) ?? []),
    skipped: FIGURES.flatMap((f) => skippedBy.get(f.name) ?? []),
    replays,
    replayNotes,
  };
}
