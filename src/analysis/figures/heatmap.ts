/** Depth–breadth heatmap: mean final fitness over log2 T × log2 N, with iso-C lines. */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import { CONFIG, cellLabel, type FigureData, figure, groupBy, title } from "./figure.ts";

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
          mean: values.reduce((s, v) => s + v, 0) / values.length,
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
    // iso-C: the line log2 T + log2 N = log2 C, clipped to the tiles' extent
    const x0 = Math.min(...tiles.map((r) => r.x));
    const x1 = Math.max(...tiles.map((r) => r.x2!));
    const y0 = Math.min(...tiles.map((r) => r.y));
    const y1 = Math.max(...tiles.map((r) => r.y2!));
    for (const C of [...(budgets.get(cell) ?? [])].sort((p, q) => p - q)) {
      const l = Math.log2(C);
      const a = Math.max(x0, l - y1);
      const b = Math.min(x1, l - y0);
      if (a < b)
        rows.push({ cell, kind: "iso", x: a, y: l - a, C }, { cell, kind: "iso", x: b, y: l - b, C });
    }
  }
  return { rows };
}

export function heatmapSpec(rows: HeatmapRow[]): TopLevelSpec {
  const scale = { nice: false, zero: false, padding: 0 };
  const xEnc = {
    field: "x",
    type: "quantitative",
    title: "log2 T (depth: generations)",
    scale,
    axis: { tickMinStep: 1, format: "d" },
  };
  const yEnc = {
    field: "y",
    type: "quantitative",
    title: "log2 N (breadth: children per generation)",
    scale,
    axis: { tickMinStep: 1, format: "d" },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: title("Depth × breadth: mean final fitness", [
      "Each tile: mean over seeds of the final best fitness after T generations of N children (exact runs and prefixes of deeper runs).",
      "Tiles cover every power-of-two depth the logs reach; dashed lines: the logged budgets C = T·N (iso-C), along which depth trades for breadth at equal cost.",
    ]),
    data: { values: rows },
    facet: { field: "cell", type: "nominal", title: "task / model" },
    columns: 3,
    spec: {
      width: 280,
      height: 280,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'split'" }],
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
        },
        {
          transform: [
            { filter: "datum.kind === 'split'" },
            { calculate: "(datum.x + datum.x2) / 2", as: "cx" },
            { calculate: "(datum.y + datum.y2) / 2", as: "cy" },
          ],
          mark: { type: "text", fontSize: 9 },
          encoding: {
            x: { field: "cx", type: "quantitative" },
            y: { field: "cy", type: "quantitative" },
            text: { field: "mean", type: "quantitative", format: ".3f" },
            color: { condition: { test: "datum.rel > 0.6", value: "black" }, value: "white" },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'iso'" }],
          mark: { type: "line", strokeDash: [5, 3], strokeWidth: 2 },
          encoding: {
            x: xEnc,
            y: yEnc,
            detail: { field: "C", type: "nominal" },
            stroke: {
              field: "C",
              type: "ordinal",
              title: "iso-C line: budget C (calls)",
              scale: { range: ["#e41a1c", "#ff7f00", "#f781bf", "#a65628", "#999999"] },
            },
          },
        },
      ],
    },
    resolve: { scale: { color: "independent" } },
    config: CONFIG,
  } as TopLevelSpec;
}

export const heatmap = figure({
  name: "depth-breadth-heatmap",
  title: "Depth × breadth heatmap",
  howToRead:
    "Columns are depth (log2 T, generations), rows breadth (log2 N, children per generation); the colour and the number in a tile are the mean final fitness over seeds. Tiles on one dashed line cost the same budget C = T·N calls, so comparing tiles along a line answers 'deep or broad at this budget?'; moving right along a row spends more generations at the same breadth. Tiles off the logged budgets come from prefixes of deeper runs. Colour scales are per panel.",
  data: heatmapData,
  spec: heatmapSpec,
});
