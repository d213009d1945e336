import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Advice } from "../src/analysis/advise.ts";
import { headlineHtml } from "../src/analysis/headline.ts";
import { runReport } from "../src/analysis/report.ts";
import { writePhiGrid } from "./phi-grid.ts";

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-headline-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const base: Advice = {
  task: "t",
  model: "m",
  C: 64,
  basis: "observed",
  recommended: {
    T: 16,
    N: 4,
    n_seeds: 10,
    observed: 0.5,
    observed_ci95: [0.45, 0.55],
    predicted: 0.49,
    predicted_ci95: [0.47, 0.51],
  },
  runner_up: {
    T: 8,
    N: 8,
    n_seeds: 10,
    observed: 0.48,
    observed_ci95: [0.43, 0.53],
    predicted: 0.47,
    predicted_ci95: [0.45, 0.49],
  },
  difference: 0.02,
  difference_ci95: [-0.01, 0.05],
  clear_winner: false,
  tied: [{ T: 8, N: 8 }],
  splits: [],
  comparisons: [],
  parallel: null,
  parallel_best_tried: null,
  threshold: [],
  data_gaps: ["3 seeds only at T = 2, N = 32"],
  notes: [],
};

test("headline: no clear winner names the tied splits, every number with its interval; a clear one says so", () => {
  const html = headlineHtml([
    base,
    { ...base, C: 256, clear_winner: true, tied: [], difference_ci95: [0.01, 0.03] },
  ]);
  assert.match(html, /^<h2 id="advice">Where to spend the budget<\/h2>/);
  assert.match(
    html,
    /C = 64: no clear winner\. T = 16 × N = 4 has the best mean \(observed mean 0\.5000 \[0\.4500, 0\.5500\]/,
  );
  assert.match(html, /no clear winner: tied with T = 8 × N = 8/);
  assert.match(html, /C = 256: spend it as T = 16 generations × N = 4 children/);
  assert.match(html, /<b>clear<\/b>/);
  assert.match(html, /3 seeds only at T = 2, N = 32/);
  assert.match(headlineHtml([]), /No greedy runs/);
});

test("report: index.html opens with 'Where to spend the budget' (before every other section); advice.json beside it", async () => {
  const results = join(tmp, "results");
  writePhiGrid(results, { beta: [-0.3, -0.3, -0.3, -0.1], budgets: [16, 64], seeds: [1, 2, 3, 4, 5] });
  const out = join(tmp, "out");
  await runReport({
    results,
    out,
    formats: ["html"],
    bootstrap: 20,
    maxInstances: 100,
    timeoutPolicy: "worst_case",
    seed: 0,
    threads: 0,
  });
  const html = readFileSync(join(out, "index.html"), "utf8");
  const firstH2 = html.match(/<h2[^>]*>([^<]*)<\/h2>/);
  assert.equal(firstH2?.[1], "Where to spend the budget");
  assert.match(html, /<h3>syn \/ m<\/h3>/);
  assert.match(html, /C = 16: /);
  assert.match(html, /C = 64: /);
  const advice = JSON.parse(readFileSync(join(out, "advice.json"), "utf8")) as Advice[];
  assert.deepEqual(
    advice.map((a) => a.C),
    [16, 64],
  );
});
