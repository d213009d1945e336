/** Depth–breadth heatmap: mean final fitness over T × N (log scales), iso-C edges, the best tile per budget outlined. */
import type { TopLevelSpec } from "vega-lite";
import { mean } from "../../util/stats.ts";
import type { Analysis } from "../analysis.ts";
import type { Channel, FigureData } from "./figure.ts";
import { CELL_GRID, cellLabel, faceted, figure, groupBy, kindFilter, kindLayer, title } from "./figure.ts";

export interface HeatmapRow extends Record<string, unknown> {
  cell: string;
  kind: "split" | "iso";
  /** split: cell centre and extent in log2 units; iso: a point of the line log2 T + log2 N = log2 C. */
  x: number;
  y: number;
  x2?: number;
  y2?: number;
  mean?: number;
  /** mean rescaled to [0, 1] within the panel (label contrast). */
  rel?: number;
  n?: number;
  /** The tile with the best mean on its logged iso-C line. */
  best?: boolean;
  /** Position along an iso-C staircase. */
  order?: number;
  T?: number;
  N?: number;
  C: number;
}

/**
 * Tiles: every (T, N) with T a power of two that the seeds' longest runs
 * reach (an exact run or a prefix of a deeper one), so the grid is filled
 * beyond the logged budgets; iso-C lines for the logged budgets C.
 */
export function heatmapData(a: Analysis): FigureData<HeatmapRow> {
  if (a.curves.length === 0) return { skip: "no greedy runs" };
  const rows: HeatmapRow[] = [];
  const budgets = new Map<string, Set<number>>();
  for (const o of a.outcomes) {
    const cell = cellLabel(o.task, o.model);
    if (!budgets.has(cell)) budgets.set(cell, new Set());
    budgets.get(cell)!.add(o.C);
  }
  for (const [cell, curves] of groupBy(a.curves, (c) => cellLabel(c.task, c.model))) {
    for (const [, group] of groupBy(curves, (c) => String(c.N))) {
      const N = group[0]!.N;
      const depth = Math.max(...group.map((c) => c.best.length - 1));
      for (let T = 1; T <= depth; T *= 2) {
        const values = group.filter((c) => c.best.length > T).map((c) => c.best[T]!);
        const x = Math.log2(T);
        const y = Math.log2(N);
        rows.push({
          cell,
          kind: "split",
          x: x - 0.5,
          x2: x + 0.5,
          y: y - 0.5,
          y2: y + 0.5,
          mean: mean(values),
          n: values.length,
          T,
          N,
          C: T * N,
        });
      }
    }
    const tiles = rows.filter((r) => r.cell === cell && r.kind === "split");
    const lo = Math.min(...tiles.map((r) => r.mean!));
    const hi = Math.max(...tiles.map((r) => r.mean!));
    for (const r of tiles) r.rel = hi > lo ? (r.mean! - lo) / (hi - lo) : 0;
    // iso-C: a staircase along the tile edges between the tiles of budget C
    // and those of 2C (above and to the right), so it never crosses a label;
    // the tile with the best mean on the line is outlined
    for (const C of [...(budgets.get(cell) ?? [])].sort((p, q) => p - q)) {
      const onLine = tiles.filter((r) => r.C === C).sort((p, q) => p.x - q.x);
      if (onLine.length === 0) continue;
      const best = onLine.reduce((b, r) => (r.mean! > b.mean! ? r : b));
      best.best = true;
      let order = 0;
      for (const r of onLine) {
        // tile (x .. x2, y .. y2): its top edge, then its right edge
        rows.push(
          { cell, kind: "iso", x: r.x, y: r.y2!, C, order: order++ },
          { cell, kind: "iso", x: r.x2!, y: r.y2!, C, order: order++ },
          { cell, kind: "iso", x: r.x2!, y: r.y, C, order: order++ },
        );
      }
    }
  }
  return { rows };
}

export function heatmapSpec(rows: HeatmapRow[]): TopLevelSpec {
  const splits = rows.filter((r) => r.kind === "split");
  // tile centres sit on whole log2 values; the axes label them with the real T and N
  const log2Axis = (field: "x" | "y", of: "T" | "N", axisTitle: string): Channel<"x"> & Channel<"y"> => ({
    field,
    type: "quantitative",
    title: axisTitle,
    scale: { nice: false, zero: false, padding: 0 },
    axis: {
      values: [...new Set(splits.map((r) => Math.log2(r[of]!)))].sort((p, q) => p - q),
      labelExpr: "pow(2, datum.value)",
      grid: false,
    },
  });
  const xEnc = log2Axis("x", "T", "depth T (generations, log scale)");
  const yEnc = log2Axis("y", "N", "breadth N (children per generation, log scale)");
  const centre = [
    { filter: kindFilter("split") },
    { calculate: "(datum.x + datum.x2) / 2", as: "cx" },
    { calculate: "(datum.y + datum.y2) / 2", as: "cy" },
  ];
  return faceted({
    title: title("Depth × breadth: mean final fitness", [
      "Each tile: mean over seeds of the final best fitness after T generations of N children (exact runs and prefixes of deeper runs); n: seeds.",
      "Coloured staircases separate the tiles of a logged budget C = T·N (below-left) from those of 2C; outlined: the best mean on each logged budget.",
    ]),
    rows,
    ...CELL_GRID,
    spec: {
      width: 300,
      height: 300,
      layer: [
        kindLayer("split", {
          mark: { type: "rect", stroke: "white" },
          encoding: {
            x: xEnc,
            x2: { field: "x2" },
            y: yEnc,
            y2: { field: "y2" },
            color: {
              field: "mean",
              type: "quantitative",
              title: "mean final fitness",
              scale: { scheme: "viridis" },
            },
            tooltip: [
              { field: "T", type: "quantitative" },
              { field: "N", type: "quantitative" },
              { field: "C", type: "quantitative", title: "C (calls)" },
              { field: "mean", type: "quantitative", format: ".4f" },
              { field: "n", type: "quantitative", title: "seeds" },
            ],
          },
        }),
        {
          transform: centre,
          mark: { type: "text", fontSize: 9, dy: -5 },
          encoding: {
            x: { field: "cx", type: "quantitative" },
            y: { field: "cy", type: "quantitative" },
            text: { field: "mean", type: "quantitative", format: ".3f" },
            color: { condition: { test: "datum.rel > 0.6", value: "black" }, value: "white" },
          },
        },
        {
          transform: [...centre, { calculate: "'n=' + datum.n", as: "seeds" }],
          mark: { type: "text", fontSize: 7.5, dy: 6 },
          encoding: {
            x: { field: "cx", type: "quantitative" },
            y: { field: "cy", type: "quantitative" },
            text: { field: "seeds", type: "nominal" },
            color: { condition: { test: "datum.rel > 0.6", value: "#333" }, value: "#eee" },
          },
        },
        kindLayer("iso", {
          mark: { type: "line", strokeWidth: 2.5, interpolate: "linear" },
          encoding: {
            x: xEnc,
            y: yEnc,
            order: { field: "order", type: "quantitative" },
            detail: { field: "C", type: "nominal" },
            stroke: {
              field: "C",
              type: "ordinal",
              title: "budget C (calls): edge of its tiles",
              scale: { range: ["#e41a1c", "#ff7f00", "#f781bf", "#a65628", "#999999"] },
            },
          },
        }),
        kindLayer(
          "split",
          {
            mark: { type: "rect", fillOpacity: 0, stroke: "black", strokeWidth: 2.5 },
            encoding: {
              x: { field: "x", type: "quantitative" },
              x2: { field: "x2" },
              y: { field: "y", type: "quantitative" },
              y2: { field: "y2" },
            },
          },
          "datum.best",
        ),
      ],
    },
    independent: ["color"],
  });
}

export const heatmap = figure({
  name: "depth-breadth-heatmap",
  title: "Depth × breadth heatmap",
  howToRead:
    "Columns are depth T (generations), rows breadth N (children per generation), both on log scales; the colour and the number in a tile are the mean final fitness over seeds, n the number of seeds. The tiles just below and left of a coloured staircase all cost the same budget C = T·N calls, so comparing them answers 'deep or broad at this budget?'; the outlined one has the best mean there (whether it is clearly best is in 'Where to spend the budget'). Tiles off the logged budgets come from prefixes of deeper runs. Colour scales are per panel.",
  data: heatmapData,
  spec: heatmapSpec,
});
