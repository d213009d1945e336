import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type AdviseInput, advise, compareSamples } from "../src/analysis/advise.ts";
import { validatePhi } from "../src/analysis/advise-validate.ts";
import { fitPhi, type PhiFit } from "../src/analysis/phi.ts";
import { longestCurves, splitOutcomes } from "../src/analysis/splits.ts";
import type { Tables } from "../src/analysis/tables.ts";
import { buildPools } from "../src/replay/index.ts";
import { readTree } from "./analysis-fixtures.ts";
import { runCli } from "./cli.ts";
import { writePhiGrid } from "./phi-grid.ts";

const seeds = Array.from({ length: 10 }, (_, i) => 40 + i);
let interior: string;
let corner: string;
const loaded = new Map<string, { tables: Tables; input: Omit<AdviseInput, "C"> }>();

async function load(dir: string) {
  const { tables, runs } = await readTree([dir]);
  const outcomes = splitOutcomes(tables);
  const input = {
    task: "syn",
    model: "m",
    outcomes,
    curves: longestCurves(tables),
    phi: fitPhi(outcomes, { bootstrap: 0 }),
    pools: buildPools(runs),
    online: [],
    taus: [{ tau: 0.5, level: null }],
  };
  loaded.set(dir, { tables, input });
}

before(async () => {
  interior = mkdtempSync(join(tmpdir(), "evoalloc-advise-int-"));
  corner = mkdtempSync(join(tmpdir(), "evoalloc-advise-cor-"));
  // c = −0.1, a = b: the optimum on every iso-C line is T* = √C (16 at C = 256, 32 at 1024)
  writePhiGrid(interior, { beta: [-0.3, -0.3, -0.3, -0.1], budgets: [16, 64, 256], seeds });
  // c = 0, a < b: depth always pays, T* = C
  writePhiGrid(corner, { beta: [-0.3, -0.4, -0.2, 0], budgets: [16, 64, 256], seeds, rngSeed: 5 });
  await load(interior);
  await load(corner);
});
after(() => {
  rmSync(interior, { recursive: true, force: true });
  rmSync(corner, { recursive: true, force: true });
});

const opts = { bootstrap: 50, maxInstances: 100, reachReplicates: 100 };

test("compareSamples: paired over shared seeds (t on the differences), Welch without shared seeds", () => {
  const a = new Map([
    [1, 3],
    [2, 5],
    [3, 4],
  ]);
  const b = new Map([
    [1, 2],
    [2, 3],
    [3, 3],
  ]);
  const p = compareSamples(a, b); // differences 1, 2, 1: mean 4/3, sd 0.577, se 0.333, t(2) = 4.303
  assert.equal(p.paired, true);
  assert.ok(Math.abs(p.difference - 4 / 3) < 1e-12);
  assert.ok(Math.abs(p.ci95![0] - (4 / 3 - 4.302652729749462 / 3)) < 1e-9);
  assert.ok(p.p! > 0.05 && p.p! < 0.06); // t = 4 on 2 df: p = 0.0572
  const w = compareSamples(
    new Map([
      [1, 1],
      [2, 2],
    ]),
    new Map([
      [3, 1],
      [4, 3],
    ]),
  );
  assert.equal(w.paired, false);
  assert.equal(w.difference, -0.5);
  assert.ok(w.ci95 && w.ci95[0] < -0.5 && w.ci95[1] > -0.5);
  assert.equal(compareSamples(new Map([[1, 1]]), new Map([[2, 2]])).ci95, null);
});

test("advise on an interior surface (c = −0.1): the recommended split lies in the interval of the true T*", () => {
  const { input } = loaded.get(interior)!;
  const fit = fitPhi(input.outcomes, { bootstrap: 300, seed: 1 }) as PhiFit;
  const at256 = fit.optimum.find((o) => o.C === 256)!;
  assert.ok(
    at256.T_star_ci95![0] <= 16 && 16 <= at256.T_star_ci95![1],
    "the fit's T* interval holds the truth",
  );
  const a = advise({ ...input, C: 256 }, opts);
  assert.equal(a.basis, "observed");
  assert.ok(
    at256.T_star_ci95![0] <= a.recommended!.T && a.recommended!.T <= at256.T_star_ci95![1],
    `recommended T = ${a.recommended!.T}, T* interval ${at256.T_star_ci95}`,
  );
  assert.equal(a.recommended!.n_seeds, 10);
  assert.ok(a.recommended!.observed_ci95 && a.recommended!.predicted_ci95);
  // every claim against the runner-up is a paired interval with Holm-adjusted p-values
  assert.equal(a.comparisons.length, a.splits.length - 1);
  assert.ok(a.comparisons.every((c) => c.paired && c.p_holm !== null && c.p_holm >= c.p!));
  assert.equal(a.difference, a.comparisons[0]!.difference);
  if (!a.clear_winner) assert.ok(a.tied.length > 0 && a.notes.some((n) => n.startsWith("no clear winner")));
  // a budget not logged: the Φ-model's answer, T = √1024 = 32, said to be a prediction
  const p = advise({ ...input, C: 1024 }, opts);
  assert.equal(p.basis, "predicted");
  assert.equal(p.recommended!.T, 32);
  assert.equal(p.recommended!.observed, null);
  assert.ok(p.data_gaps.some((g) => g.startsWith("no runs at C = 1024")));
  assert.ok(p.difference_ci95 && p.difference! > 0);
});

test("advise on a corner surface (c = 0, a < b): all depth at a budget the logs do not reach", () => {
  const { input } = loaded.get(corner)!;
  const p = advise({ ...input, C: 1024 }, opts);
  assert.equal(p.basis, "predicted");
  assert.equal(p.recommended!.T, 1024);
  assert.ok(p.notes.some((n) => n.includes("extrapolates")));
  const a = advise({ ...input, C: 256 }, opts);
  assert.ok(a.recommended!.T >= 64, `observed best at T = ${a.recommended!.T}`);
});

test("advise: parallel arms and threshold-reaching within C; a data gap for fewer seeds", () => {
  const { input } = loaded.get(interior)!;
  const a = advise({ ...input, C: 64 }, opts);
  // every pool deep enough for G = 64/N with ≥ 3 seeds is tried at K ≤ min(G, S − 1)
  assert.ok(a.parallel_best_tried, "some K was tried");
  assert.ok(a.parallel_best_tried!.K <= a.parallel_best_tried!.G);
  if (a.parallel) assert.ok(a.parallel.p_holm! < 0.05 && a.parallel.gain_vs_single > 0);
  assert.ok(a.threshold.some((t) => t.method.startsWith("greedy N=")));
  assert.ok(a.threshold.every((t) => t.calls === null || t.calls <= 64));
  const fewer = advise(
    { ...input, C: 64, outcomes: input.outcomes.filter((o) => !(o.T === 8 && o.seed > 42)) },
    opts,
  );
  assert.ok(
    fewer.data_gaps.includes("3 seeds only at T = 8, N = 8 (10 at the best-logged split)"),
    fewer.data_gaps.join("; "),
  );
});

test("advise --validate: leave-one-split-out predictions of a correct model cover the observed means", () => {
  const { input } = loaded.get(interior)!;
  const v = validatePhi(input.outcomes);
  assert.equal(v.n_splits, 21);
  assert.ok(v.n_scored >= 15, `${v.n_scored} scored`);
  assert.ok(v.coverage! >= 0.7, `coverage ${v.coverage}`);
  assert.ok(v.mean_abs_z! > 0 && v.mean_abs_z! < 3, `mean |z| ${v.mean_abs_z}`);
  for (const r of v.rows)
    if (r.covered !== null)
      assert.equal(
        r.covered,
        r.observed >= r.prediction_interval![0] && r.observed <= r.prediction_interval![1],
      );
});

const cli = (args: string[]) => runCli(["advise", ...args]);

test("advise CLI: --json prints the issue's shape; --validate --json; bad usage exits 2", async () => {
  const args = ["--results", interior, "--task", "syn", "--model", "m", "--C", "64", "--bootstrap", "20"];
  const r = await cli([...args, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of [
    "task",
    "model",
    "C",
    "recommended",
    "runner_up",
    "difference_ci95",
    "parallel",
    "threshold",
    "data_gaps",
    "notes",
  ])
    assert.ok(k in j, k);
  for (const k of ["T", "N", "observed", "observed_ci95", "predicted", "predicted_ci95"])
    assert.ok(k in j.recommended, k);
  const v = await cli(["--results", interior, "--validate", "--json"]);
  assert.equal(v.code, 0, v.stderr);
  const vj = JSON.parse(v.stdout);
  assert.equal(vj.validation[0].task, "syn");
  assert.ok(typeof vj.validation[0].coverage === "number");
  const text = await cli(args);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /C = 64: /);
  const bad = await cli(["--results", interior, "--task", "nope", "--model", "m", "--C", "64"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--task: no greedy runs with task "nope".*tasks: syn/);
  const noC = await cli(["--results", interior, "--task", "syn", "--model", "m"]);
  assert.equal(noC.code, 2);
  assert.match(noC.stderr, /--C: required/);
});
