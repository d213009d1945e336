/**
 * The report end to end: on the reference samples, on an empty
 * folder, on a tree with broken files and through the CLI. In a headless
 * browser: analysis-report-browser.slow.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { FIGURES } from "../src/analysis/figures/index.ts";
import { type ReportOptions, type ReportSummary, runReport } from "../src/analysis/report.ts";
import { UsageError } from "../src/cli/errors.ts";
import { sourceDate } from "../src/cli/report.ts";
import { writeTree } from "./analysis-fixtures.ts";
import { runCli } from "./cli.ts";

/** The reference implementation's sample files (a copy of ../shared/samples). */
const SAMPLES = new URL("./fixtures/reference", import.meta.url).pathname;
let tmp: string;
const opts = (results: string, out: string): ReportOptions => ({
  results,
  out,
  formats: ["svg", "png", "html"],
  bootstrap: 50,
  maxInstances: 500,
  timeoutPolicy: "worst_case",
  seed: 0,
});

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "evoalloc-report-"));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function checkOutputs(out: string, s: ReportSummary) {
  const html = readFileSync(join(out, "index.html"), "utf8");
  for (const name of s.figures) {
    for (const ext of ["vl.json", "svg", "png"])
      assert.ok(existsSync(join(out, "figures", `${name}.${ext}`)), `${name}.${ext}`);
    assert.ok(html.includes(`id="chart-${name}"`), `${name} in the page`);
  }
  for (const t of ["runs", "generations", "children", "bandits", "rounds", "split_outcomes"])
    assert.ok(existsSync(join(out, "tables", `${t}.csv`)), t);
  const fits = JSON.parse(readFileSync(join(out, "fits.json"), "utf8"));
  assert.ok(Array.isArray(fits.bilinear) && Array.isArray(fits.learning));
  // self-contained: the libraries are inlined, nothing is fetched
  assert.ok(!/<script[^>]+src=/.test(html));
  assert.ok(html.includes("vegaEmbed") && html.length > 500_000);
  return html;
}

test("report on the reference samples", async () => {
  const out = join(tmp, "samples");
  const s = await runReport(opts(SAMPLES, out));
  assert.equal(s.problems, 0);
  assert.equal(s.runs, 4);
  assert.equal(s.bandits, 1);
  const html = checkOutputs(out, s);
  // one budget (C=64) only: the bilinear fit is not identifiable, and the page says why
  assert.match(html, /not fittable: one budget C \(64\)/);
  assert.ok(s.figures.includes("depth-breadth-heatmap") && s.figures.includes("bandit-selections"));
  assert.ok(s.skipped.some((k) => k.name === "bilinear-observed-vs-fitted"));
  // reproducible: no time stamp unless one is asked for (SOURCE_DATE_EPOCH)
  assert.doesNotMatch(html, /\d{4}-\d\d-\d\dT\d\d:\d\d/);
});

test("SOURCE_DATE_EPOCH: the page's time stamp, none when unset, exit-2 error when not seconds", () => {
  assert.equal(sourceDate(undefined), undefined);
  assert.equal(sourceDate(""), undefined);
  assert.equal(sourceDate("0"), "1970-01-01T00:00:00Z");
  assert.equal(sourceDate("1764000000"), "2025-11-24T16:00:00Z");
  for (const bad of ["-1", "1.5", "soon", "1e9"]) assert.throws(() => sourceDate(bad), UsageError, bad);
});

test("report on an empty folder: every figure noted as not drawn, no crash", async () => {
  const results = join(tmp, "empty");
  mkdirSync(results);
  const out = join(tmp, "empty-out");
  const s = await runReport(opts(results, out));
  assert.equal(s.figures.length, 0);
  assert.equal(s.skipped.length, FIGURES.length);
  const html = readFileSync(join(out, "index.html"), "utf8");
  assert.match(html, /Figures not drawn/);
  assert.match(html, /No runs found/);
});

test("report on a tree with broken files (all on one thread) lists them and draws the rest; stale figures are removed", async () => {
  const results = join(tmp, "broken");
  writeTree(results, { budgets: [16], seeds: [0, 1, 2] });
  writeFileSync(join(results, "cp", "qwen3-8b", "truncated.json"), '{"task": "cp", "trajectory": [');
  writeFileSync(
    join(results, "cp", "qwen3-8b", "greedy_C16_T4_N4_seed9.json"),
    JSON.stringify({ task: "cp", trajectory: [] }),
  );
  writeFileSync(join(results, "grid.json"), JSON.stringify({ grid: [1, 2] }));
  const out = join(tmp, "broken-out");
  mkdirSync(join(out, "figures"), { recursive: true });
  writeFileSync(join(out, "figures", "old-figure.svg"), "<svg/>");
  const s = await runReport({ ...opts(results, out), threads: 0 });
  assert.equal(s.problem_files.length, 2);
  assert.ok(s.figures.length >= 5);
  const html = readFileSync(join(out, "index.html"), "utf8");
  assert.match(html, /2 files could not be used/);
  assert.ok(html.includes("truncated.json") && html.includes("greedy_C16_T4_N4_seed9.json"));
  assert.ok(!existsSync(join(out, "figures", "old-figure.svg")));
});

test("CLI: report --json and fit --json; bad usage exits 2", async () => {
  const results = join(tmp, "cli");
  writeTree(results, { budgets: [16, 64], seeds: [0, 1, 2] });
  const out = join(tmp, "cli-out");
  const r = await runCli([
    "report",
    "--results",
    results,
    "--out",
    out,
    "--format",
    "svg,html",
    "--bootstrap",
    "20",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as ReportSummary;
  assert.ok(s.figures.length >= 8);
  assert.ok(existsSync(join(out, "index.html")));
  assert.ok(!existsSync(join(out, "figures", `${s.figures[0]}.png`)), "png not asked for");
  // the Φ-model table: coefficients, the optimum per budget and its regime
  const page = readFileSync(join(out, "index.html"), "utf8");
  assert.match(page, /Φ-model \(the paper's form\)/);
  assert.match(page, /C = 64: T\* = [\d.]+.*?(corner-depth|corner-breadth|interior)/);
  assert.ok(s.figures.includes("phi-model"));
  const f = await runCli(["fit", "--results", results, "--json"]);
  assert.equal(f.code, 0, f.stderr);
  const fits = JSON.parse(f.stdout);
  assert.equal(fits.bilinear.length, 2);
  assert.ok(fits.bilinear[0].fittable);
  assert.equal(fits.bilinear[0].coefficients.length, 4);
  // the Φ-model in the paper's form, with the shape
  assert.equal(fits.phi.length, 2);
  const phi = fits.phi[0];
  assert.equal(phi.response, "log");
  assert.ok(phi.fittable, phi.reason);
  for (const k of ["b0", "a", "b", "c"])
    for (const f of ["estimate", "se", "se_ols", "lo", "hi"])
      assert.equal(typeof phi.coefficients[k][f], "number");
  for (const k of ["n", "n_seeds", "r2", "adj_r2", "budget_only_r2"])
    assert.equal(typeof phi[k], "number", k);
  assert.equal(typeof phi.f_vs_budget_only.F, "number");
  assert.deepEqual(
    phi.optimum.map((o: { C: number }) => o.C),
    [16, 64],
  );
  for (const o of phi.optimum) {
    assert.ok(["corner-depth", "corner-breadth", "interior"].includes(o.regime));
    assert.equal(o.T_star_ci95.length, 2);
    assert.equal(typeof o.plateau_half_width, "number");
  }
  const linear = await runCli([
    "fit",
    "--results",
    results,
    "--json",
    "--response",
    "linear",
    "--bootstrap",
    "0",
  ]);
  assert.equal(linear.code, 0, linear.stderr);
  const lin = JSON.parse(linear.stdout).phi[0];
  assert.equal(lin.response, "linear");
  assert.equal(lin.optimum[0].T_star_ci95, null);
  const badResponse = await runCli(["fit", "--results", results, "--response", "cubic"]);
  assert.equal(badResponse.code, 2);
  assert.match(badResponse.stderr, /--response: must be one of log, linear/);
  const bad = await runCli(["report", "--results", results, "--format", "gif"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format: unknown format "gif"/);
  const missing = await runCli(["fit", "--results", join(tmp, "nope")]);
  assert.equal(missing.code, 2);
});
