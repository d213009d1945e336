import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { analyse } from "../src/analysis/analysis.ts";
import {
  collapseAcrossModels,
  envelope,
  type FrontierPoint,
  isotonic,
  upperFrontier,
} from "../src/analysis/envelope.ts";
import { envelopeCalls, envelopeCollapse } from "../src/analysis/figures/envelope.ts";
import { longestCurves } from "../src/analysis/splits.ts";
import { collectTables, type Tables } from "../src/analysis/tables.ts";
import { readResults } from "../src/log/read.ts";
import { tInterval } from "../src/util/interval.ts";
import { writeTree } from "./analysis-fixtures.ts";

let dir: string;
let tables: Tables;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "evoalloc-envelope-"));
  // N = 4 is logged at C = 16 (T = 4, seeds 0–2), C = 64 (T = 16, seeds 0–2) and deep (T = 32, seeds 0–3):
  // three groups of one N process with different seed sets
  writeTree(dir, { budgets: [16, 64], seeds: [0, 1, 2], deep: { T: 32, N: 4, seeds: [0, 1, 2, 3] } });
  tables = await collectTables(readResults([dir]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("envelope: one mean per (N, generation) over every seed of that N, never a seed subset", () => {
  const a = analyse(tables, { bootstrap: 0 });
  const curves = longestCurves(tables).filter((c) => c.task === "cp" && c.N === 4);
  assert.equal(curves.length, 4);
  const pts = a.envelope.points.filter((p) => p.task === "cp" && p.N === 4 && p.axis === "calls");
  assert.equal(pts.length, 33, "one point per generation 0..32");
  for (const p of pts) {
    const t = tInterval(curves.map((c) => c.best[p.generation]!));
    assert.equal(p.n, 4);
    assert.ok(
      Math.abs(p.y - t.mean) < 1e-12 && Math.abs(p.lo! - t.lo!) < 1e-12 && Math.abs(p.hi! - t.hi!) < 1e-12,
    );
    assert.equal(p.x, 4 * p.generation);
  }
  // the frontier is the upper envelope over N of those means
  for (const axis of ["calls", "flops"] as const) {
    const all = a.envelope.points.filter((p) => p.task === "cp" && p.axis === axis);
    const front = a.envelope.frontier.filter((p) => p.task === "cp" && p.axis === axis);
    assert.deepEqual(
      front.map((p) => [p.x, p.y]),
      upperFrontier(all).map((p) => [p.x, p.y]),
    );
    for (const f of front)
      assert.ok(all.some((p) => p.N === f.N && p.generation === f.generation && p.y === f.y));
  }
});

test("envelope: the worst_case/exclude FLOPs ratio is computed and stated above 1.05; FLOPs follow the policy", () => {
  const wc = envelope(longestCurves(tables), "worst_case");
  const ex = envelope(longestCurves(tables), "exclude");
  const r = wc.flops_ratio.find((f) => f.task === "cp")!;
  assert.ok(r.ratio! > 1.05, String(r.ratio));
  assert.ok(
    wc.notes.some(
      (n) => n.startsWith("cp / qwen3-8b: worst-case FLOPs are") && n.includes("uses worst_case"),
    ),
  );
  assert.ok(ex.notes.some((n) => n.includes("uses exclude")));
  const last = (e: typeof wc) =>
    Math.max(...e.points.filter((p) => p.task === "cp" && p.axis === "flops").map((p) => p.x));
  assert.ok(last(wc) > last(ex));
  assert.ok(wc.notes.some((n) => n.startsWith("ht / mutator: no FLOPs recorded")));
  assert.ok(!wc.flops_ratio.some((f) => f.task === "ht"));
});

test("envelope figure: x axes end at the data (no nice rounding), rows carry intervals", () => {
  const a = analyse(tables, { bootstrap: 0 });
  const d = envelopeCalls.data(a);
  assert.ok(!("skip" in d));
  if ("skip" in d) return;
  const spec = JSON.stringify(envelopeCalls.spec(d.rows, d.meta));
  assert.match(spec, /"type":"log","nice":false/);
  assert.ok(d.rows.every((r) => (r.x as number) > 0));
  const maxX = Math.max(...d.rows.map((r) => r.x as number));
  assert.equal(maxX, 128, "deep N = 4 runs reach 32·4 calls");
  // one model per task here: no collapse, and the figure says why
  assert.ok("skip" in envelopeCollapse.data(a));
});

test("isotonic regression pools adjacent violators", () => {
  assert.deepEqual(isotonic([1, 3, 2, 4]), [1, 2.5, 2.5, 4]);
  assert.deepEqual(isotonic([3, 2, 1]), [2, 2, 2]);
  assert.deepEqual(isotonic([]), []);
});

test("envelope collapse: models on one curve in FLOPs give R² ≈ 1; shifted in calls they do not", () => {
  const f = (x: number) => 0.2 + 0.1 * Math.log(x);
  const pt = (model: string, axis: "flops" | "calls", x: number, y: number): FrontierPoint => ({
    task: "t",
    model,
    axis,
    N: 4,
    generation: 1,
    x,
    y,
    lo: null,
    hi: null,
    n: 5,
    split: "1×4",
  });
  const pts: FrontierPoint[] = [];
  for (let i = 1; i <= 8; i++) {
    const x = 2 ** i;
    // both models on one curve in FLOPs; per call the large model is far ahead
    pts.push(pt("small", "flops", x * 1e12, f(x)), pt("large", "flops", x * 1.5e12, f(x * 1.5)));
    pts.push(pt("small", "calls", x, f(x)), pt("large", "calls", x / 8, f(x * 1.5)));
  }
  const notes: string[] = [];
  const cells = collapseAcrossModels(pts, notes);
  const flops = cells.find((c) => c.axis === "flops")!;
  const calls = cells.find((c) => c.axis === "calls")!;
  assert.ok(flops.r2 > 0.999, String(flops.r2));
  assert.ok(flops.per_model.every((m) => m.r2 > 0.999));
  assert.ok(calls.r2 < 0.95, `${calls.r2} vs ${flops.r2}`);
  assert.deepEqual(flops.models, ["large", "small"]);
  assert.equal(flops.n_points, 16);
  const single = collapseAcrossModels(
    pts.filter((p) => p.model === "small"),
    notes,
  );
  assert.deepEqual(single, []);
  assert.ok(notes.some((n) => /one model \(small\)/.test(n)));
});
