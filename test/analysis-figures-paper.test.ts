import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { TopLevelSpec } from "vega-lite";
import { analyse } from "../src/analysis/analysis.ts";
import { type HeatmapRow, heatmapData, heatmapSpec } from "../src/analysis/figures/heatmap.ts";
import { dropSingleEntryLegends } from "../src/analysis/figures/legends.ts";
import { oracleCurve } from "../src/analysis/figures/replay-forest.ts";
import type { PoolReplay } from "../src/analysis/replays.ts";
import { collectTables } from "../src/analysis/tables.ts";
import { readResults } from "../src/log/read.ts";
import { writePhiGrid } from "./phi-grid.ts";

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-figpaper-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("dropSingleEntryLegends: a discrete legend of one value goes, two values and gradients stay; the input is not mutated", () => {
  const spec = {
    data: {
      values: [
        { m: "a", n: 1, q: 0.1 },
        { m: "a", n: 2, q: 0.2 },
      ],
    },
    layer: [
      { mark: "line", encoding: { color: { field: "m", type: "nominal", title: "model" } } },
      {
        mark: "point",
        encoding: { shape: { field: "n", type: "ordinal" }, fill: { field: "q", type: "quantitative" } },
      },
    ],
  } as unknown as TopLevelSpec;
  const copy = JSON.parse(JSON.stringify(spec));
  const out = dropSingleEntryLegends(spec) as unknown as {
    layer: { encoding: Record<string, Record<string, unknown>> }[];
  };
  assert.equal(out.layer[0]!.encoding.color!.legend, null);
  assert.equal(out.layer[0]!.encoding.color!.title, "model");
  assert.equal("legend" in out.layer[1]!.encoding.shape!, false);
  assert.equal("legend" in out.layer[1]!.encoding.fill!, false);
  assert.deepEqual(spec, copy);
});

test("heatmap: real T and N on the axes, one outlined best tile per logged budget, iso-C staircases along tile edges, seeds per tile", async () => {
  const dir = join(tmp, "grid");
  writePhiGrid(dir, { beta: [-0.3, -0.3, -0.3, -0.1], budgets: [16, 64], seeds: [1, 2, 3] });
  const a = analyse(await collectTables(readResults([dir])), { bootstrap: 0 });
  const d = heatmapData(a);
  assert.ok(!("skip" in d));
  if ("skip" in d) return;
  const tiles = d.rows.filter((r) => r.kind === "split");
  for (const C of [16, 64]) {
    const line = tiles.filter((r) => r.C === C);
    const best = line.filter((r) => r.best);
    assert.equal(best.length, 1, `C = ${C}`);
    assert.equal(best[0]!.mean, Math.max(...line.map((r) => r.mean!)));
    const iso: HeatmapRow[] = d.rows.filter((r) => r.kind === "iso" && r.C === C);
    assert.equal(iso.length, 3 * line.length);
    // every vertex is a tile corner (half-integer in log2 units), never a tile centre
    const halfInteger = (v: number) => Number.isInteger(v * 2) && !Number.isInteger(v);
    for (const p of iso) assert.ok(halfInteger(p.x) && halfInteger(p.y), `(${p.x}, ${p.y})`);
  }
  assert.ok(tiles.every((r) => r.n === 3));
  const spec = heatmapSpec(d.rows) as unknown as {
    spec: { layer: { encoding?: Record<string, { axis?: { labelExpr?: string; values?: number[] } }> }[] };
  };
  const x = spec.spec.layer[0]!.encoding!.x!;
  assert.equal(x.axis?.labelExpr, "pow(2, datum.value)");
  assert.deepEqual(x.axis?.values, [0, 1, 2, 3, 4, 5, 6]);
  assert.match(JSON.stringify(spec), /'n=' \+ datum\.n/);
});

test("oracleCurve: the mean over instances of the best arm after r rounds", () => {
  const r = {
    K: 2,
    rounds: 3,
    pool: [10, 11, 12],
    instances: { arms: Int32Array.from([0, 1, 1, 2]), outcomes: {} },
  } as unknown as PoolReplay;
  const curves = new Map([
    [10, [0, 1, 1, 1]],
    [11, [0, 0, 3]],
    [12, [0, 2, 2, 2]],
  ]);
  // instance (10, 11): 1, 3, 3 (seed 11 logged to 2 generations); instance (11, 12): 2, 3, 3
  assert.deepEqual(
    oracleCurve(r, (s) => curves.get(s)),
    [1.5, 3, 3],
  );
  assert.equal(
    oracleCurve(r, () => undefined),
    null,
  );
});
