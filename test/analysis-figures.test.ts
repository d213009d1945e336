import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Analysis, analyse } from "../src/analysis/analysis.ts";
import { callOutcomesData, outcomeOf } from "../src/analysis/figures/call-outcomes.ts";
import { FIGURES } from "../src/analysis/figures/index.ts";
import { flattenOpacity, renderPng, renderSvg, toVega } from "../src/analysis/render.ts";
import { replayPools } from "../src/analysis/replays.ts";
import { tausOf, withStudies } from "../src/analysis/studies.ts";
import { buildTables } from "../src/analysis/tables.ts";
import { loadResults } from "../src/log/read.ts";
import { DEFAULT_TASKS, writeTree } from "./analysis-fixtures.ts";

let dir: string;
let full: Analysis;
let empty: Analysis;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "evoalloc-figures-"));
  writeTree(dir, {
    // two models on cp: the envelope-collapse figure has a task to draw
    tasks: [
      ...DEFAULT_TASKS,
      { task: "cp", model: "qwen3-14b", paramsActive: 14_768_296_960, f0: 0.3, step: 0.1 },
    ],
    budgets: [16, 64],
    seeds: [0, 1, 2, 3],
    deep: { T: 16, N: 4, seeds: [4, 5] },
    bandits: { algos: ["ucb", "random"], C: 32, N: 4, K: 3, seeds: [0, 1] },
  });
  const loaded = await loadResults([dir]);
  const tables = buildTables(loaded.runs);
  const taus = tausOf(tables);
  const stage = replayPools(loaded.runs, {
    bootstrap: 50,
    maxInstances: 200,
    studies: { taus, reachReplicates: 100 },
  });
  full = withStudies(analyse(tables), stage, taus, 100, 0);
  empty = analyse(buildTables([]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every encoding channel of a spec that maps a field, with its title. */
function positional(spec: unknown, out: { channel: string; title: unknown }[] = []) {
  if (Array.isArray(spec)) for (const s of spec) positional(s, out);
  else if (spec && typeof spec === "object") {
    const o = spec as Record<string, unknown>;
    if (o.encoding && typeof o.encoding === "object")
      for (const [channel, def] of Object.entries(o.encoding as Record<string, Record<string, unknown>>))
        if (["x", "y", "color"].includes(channel) && def && "field" in def && "title" in def)
          out.push({ channel, title: def.title });
    for (const v of Object.values(o)) if (typeof v === "object") positional(v, out);
  }
  return out;
}

test("there are at least ten figures, with unique names", () => {
  assert.ok(FIGURES.length >= 10);
  assert.equal(new Set(FIGURES.map((f) => f.name)).size, FIGURES.length);
});

test("every figure has data on a full synthetic tree (FLOPs figure included), and its spec compiles and renders to SVG", async () => {
  for (const f of FIGURES) {
    const d = f.data(full);
    assert.ok(!("skip" in d), `${f.name} skipped: ${"skip" in d ? d.skip : ""}`);
    if ("skip" in d) continue;
    assert.ok(d.rows.length > 0, f.name);
    const spec = f.spec(d.rows, d.meta);
    const title = (spec as { title?: { text?: string } }).title;
    assert.ok(title?.text, `${f.name}: a title`);
    const axes = positional(spec);
    assert.ok(
      axes.some((a) => a.channel === "x" && a.title),
      `${f.name}: an x axis title`,
    );
    assert.ok(
      axes.some((a) => a.channel === "color" && a.title),
      `${f.name}: a legend title`,
    );
    assert.ok(toVega(spec).marks, `${f.name}: compiles`);
    const svg = await renderSvg(spec);
    assert.match(svg, /^<svg/, f.name);
    assert.match(svg, /<text/, `${f.name}: text`);
    // no title, label or legend entry cut to an ellipsis by a length limit
    assert.doesNotMatch(svg, /…/, `${f.name}: a text was cut`);
    assert.ok(f.howToRead.length > 40, `${f.name}: how to read`);
  }
});

test("on empty data every figure is skipped with a reason, never a crash", () => {
  for (const f of FIGURES) {
    const d = f.data(empty);
    assert.ok("skip" in d, f.name);
    if ("skip" in d) assert.ok(d.skip.length > 5, f.name);
  }
});

test("PNG rendering keeps text (fonts passed explicitly) and flattens element opacity", async () => {
  const f = FIGURES[0]!;
  const d = f.data(full);
  assert.ok(!("skip" in d));
  if ("skip" in d) return;
  const svg = await renderSvg(f.spec(d.rows, d.meta));
  const png = renderPng(svg, 1);
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  // the same chart without its text is visibly smaller as a compressed image
  const noText = renderPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ""), 1);
  assert.ok(png.length > noText.length * 1.05, `text rendered (${png.length} vs ${noText.length} bytes)`);
  assert.equal(
    flattenOpacity('<path d="M0,0" opacity="0.5"/>'),
    '<path d="M0,0" fill-opacity="0.5" stroke-opacity="0.5"/>',
  );
  assert.equal(flattenOpacity('<line opacity="1" x="1"/>'), '<line x="1"/>');
});

test("call outcomes: a failed call, no code, a failed program, no gain, a gain", () => {
  const base = { final_status: "ok", parsed: true, valid: true, improved: false };
  assert.equal(outcomeOf({ ...base, final_status: "timeout", parsed: false }), 0);
  assert.equal(outcomeOf({ ...base, parsed: false, valid: false }), 1);
  assert.equal(outcomeOf({ ...base, valid: false }), 2);
  assert.equal(outcomeOf(base), 3);
  assert.equal(outcomeOf({ ...base, improved: true }), 4);
  const d = callOutcomesData(full);
  assert.ok(!("skip" in d));
  if ("skip" in d) return;
  const total = d.rows.filter((r) => r.cell === d.rows[0]!.cell && r.N === d.rows[0]!.N);
  assert.ok(Math.abs(total.reduce((s, r) => s + r.share, 0) - 1) < 1e-12);
});
