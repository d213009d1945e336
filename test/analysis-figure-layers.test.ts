/** The layer helpers of src/analysis/figures/figure.ts, on cases worked out by hand. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CELL_GRID,
  cellPanels,
  differenceForest,
  fittedLine,
  kindLayer,
} from "../src/analysis/figures/figure.ts";

const x = { field: "T", type: "quantitative" } as const;

test("kindLayer filters on the rows' kind, and on `and` beside it", () => {
  assert.deepEqual(kindLayer("observed", { mark: { type: "point" }, encoding: { x } }), {
    transform: [{ filter: "datum.kind === 'observed'" }],
    mark: { type: "point" },
    encoding: { x },
  });
  const band = kindLayer("frontier", { mark: { type: "area" }, encoding: { x } }, "datum.lo !== null");
  assert.deepEqual(band.transform, [{ filter: "datum.kind === 'frontier' && datum.lo !== null" }]);
});

test("fittedLine is a line of the rows of kind fitted", () => {
  assert.deepEqual(fittedLine({ x }), {
    transform: [{ filter: "datum.kind === 'fitted'" }],
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: { x },
  });
});

test("cellPanels is the usual grid with a 280 × 220 panel of the layers, keys in that order", () => {
  const layer = [fittedLine({ x })];
  const grid = cellPanels(layer);
  assert.deepEqual(grid, { ...CELL_GRID, spec: { width: 280, height: 220, layer } });
  assert.deepEqual(Object.keys(grid), ["facet", "columns", "spec"]);
});

test("differenceForest: zero line, intervals and points of diff, policies split and coloured by `by`", () => {
  const order = ["vs uniform", "vs single"];
  const layers = differenceForest({
    by: "against",
    legendTitle: "paired difference",
    order,
    look: { scale: { domain: order, range: ["#1b9e77", "#7570b3"] } },
    rule: { type: "rule" },
    point: { type: "point" },
    tooltip: [{ field: "policy" }],
  });
  assert.equal(layers.length, 3);
  const at = {
    y: { field: "policy", type: "nominal", title: null },
    yOffset: { field: "against", type: "nominal", sort: order },
  };
  const color = {
    field: "against",
    type: "nominal",
    title: "paired difference",
    sort: order,
    scale: { domain: order, range: ["#1b9e77", "#7570b3"] },
  };
  assert.deepEqual(layers[1], {
    mark: { type: "rule" },
    encoding: { ...at, x: { field: "lo", type: "quantitative" }, x2: { field: "hi" }, color },
  });
  assert.deepEqual(layers[2], {
    mark: { type: "point" },
    encoding: {
      ...at,
      x: { field: "diff", type: "quantitative", title: "difference in final fitness" },
      color,
      tooltip: [{ field: "policy" }],
    },
  });
});
