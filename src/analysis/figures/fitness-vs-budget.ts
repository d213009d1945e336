/**
 * Fitness vs budget C, one line per breadth N: for each seed's longest curve,
 * the best fitness after T generations costs C = T·N calls; points at every
 * power-of-two T the logs reach (so a line per N runs along its prefixes).
 */
import type { TopLevelSpec } from "vega-lite";
import { type MeanCi, meanCi } from "../../util/interval.ts";
import type { Analysis } from "../analysis.ts";
import type { Channel, FigureData } from "./figure.ts";
import { cellLabel, cellPanels, FITNESS, faceted, figure, groupBy, intervalLayer, title } from "./figure.ts";

/** A (cell, N, C) point: the mean final fitness over seeds at T = C/N, with its interval (`meanCi`). */
export interface BudgetRow extends MeanCi, Record<string, unknown> {
  cell: string;
  N: number;
  T: number;
  C: number;
}

export function fitnessVsBudgetData(a: Analysis): FigureData<BudgetRow> {
  if (a.curves.length === 0) return { skip: "no greedy runs" };
  const rows: BudgetRow[] = [];
  for (const [, curves] of groupBy(a.curves, (c) => `${c.task}\u0000${c.model}\u0000${c.N}`)) {
    const c0 = curves[0]!;
    const maxDepth = Math.max(...curves.map((c) => c.best.length - 1));
    for (let T = 1; T <= maxDepth; T *= 2) {
      const values = curves.filter((c) => c.best.length > T).map((c) => c.best[T]!);
      if (values.length === 0) continue;
      rows.push({ cell: cellLabel(c0.task, c0.model), N: c0.N, T, C: T * c0.N, ...meanCi(values) });
    }
  }
  const single = rows.filter((r) => r.lo === null).length;
  return single > 0
    ? { rows, notes: [`${single} point(s) rest on one seed: no interval is drawn there`] }
    : { rows };
}

export function fitnessVsBudgetSpec(rows: BudgetRow[]): TopLevelSpec {
  const Cs = [...new Set(rows.map((r) => r.C))].sort((p, q) => p - q);
  const x: Channel<"x"> = {
    field: "C",
    type: "quantitative",
    title: "budget C = T·N (LLM calls, log scale)",
    scale: { type: "log", base: 2 },
    axis: { values: Cs, format: "d" },
  };
  // breadths are categories to tell apart, not a quantity to read off a ramp
  const color: Channel<"color"> = {
    field: "N",
    type: "nominal",
    title: "breadth N (children/generation)",
    sort: [...new Set(rows.map((r) => r.N))].sort((p, q) => p - q),
    scale: { scheme: "category10" },
  };
  return faceted({
    title: title("Final fitness vs budget C, one line per breadth N", [
      "Mean over seeds of the best fitness after T = C/N generations (prefixes of the longest run per seed); bars: Student-t 95% interval of the mean (none with one seed).",
      "At a given C, the highest line is the best split; lines that keep rising reward depth.",
    ]),
    rows,
    ...cellPanels([
      intervalLayer("y", { x }, color, { type: "rule", opacity: 0.6 }),
      {
        mark: { type: "line", point: true },
        encoding: {
          x,
          y: { field: "mean", type: "quantitative", title: `mean ${FITNESS}`, scale: { zero: false } },
          color,
          tooltip: [
            { field: "N", type: "quantitative" },
            { field: "T", type: "quantitative" },
            { field: "C", type: "quantitative" },
            { field: "mean", type: "quantitative", format: ".4f" },
            { field: "n", type: "quantitative", title: "seeds" },
          ],
        },
      },
    ]),
    independent: ["x", "y"],
  });
}

export const fitnessVsBudget = figure({
  name: "fitness-vs-budget",
  title: "Fitness vs budget C",
  howToRead:
    "Each line fixes the breadth N and spends more generations as C grows (x is log2 of calls). At any C, compare the lines: the highest is the best depth × breadth split at that budget; whiskers are Student-t 95% intervals of the mean over seeds (t with seeds − 1 degrees of freedom; a point with one seed has none).",
  data: fitnessVsBudgetData,
  spec: fitnessVsBudgetSpec,
});
