/**
 * Reliability of a single run: the distribution of final outcomes over seeds
 * at each split, and the expected best of k independent runs against k
 * (unbiased, without replacement, from the logged seeds).
 */
import type { TopLevelSpec } from "vega-lite";
import { expectedMaxOfK } from "../../replay/index.ts";
import type { Analysis } from "../analysis.ts";
import type { Channel, FigureData } from "./figure.ts";
import { cellLabel, colorBy, FITNESS, faceted, figure, groupBy, title } from "./figure.ts";

/** The columns both figures place a row by: its (task, model) panel, budget C and split (`T=… × N=…`). */
function splitKeys(o: { task: string; model: string; C: number; T: number; N: number }) {
  return { cell: cellLabel(o.task, o.model), C: o.C, split: `T=${o.T} × N=${o.N}`, T: o.T };
}

/** The splits' labels by increasing depth T (the x order of both figures). */
function splitOrder(rows: readonly { split: string; T: number }[]): string[] {
  return [...new Map(rows.map((r) => [r.split, r.T])).entries()].sort((a, b) => a[1] - b[1]).map(([s]) => s);
}

/** Panels: a row per (task, model) cell, a column per budget C. */
function cellByBudget(columnTitle: string) {
  return {
    row: { field: "cell", type: "nominal", title: "task / model" },
    column: { field: "C", type: "ordinal", title: columnTitle },
  } as const;
}

export interface OutcomeDistRow extends Record<string, unknown> {
  cell: string;
  C: number;
  split: string;
  T: number;
  fitness: number;
  exact: boolean;
}

export function reliabilityData(a: Analysis): FigureData<OutcomeDistRow> {
  if (a.outcomes.length === 0) return { skip: "no greedy runs" };
  return {
    rows: a.outcomes.map((o) => ({ ...splitKeys(o), fitness: o.fitness, exact: o.exact })),
  };
}

export function reliabilitySpec(rows: OutcomeDistRow[]): TopLevelSpec {
  const x: Channel<"x"> = {
    field: "split",
    type: "nominal",
    title: "split (depth T × breadth N)",
    sort: splitOrder(rows),
    axis: { labelAngle: -40 },
  };
  const color = colorBy("T", "depth T (generations)", "viridis", "ordinal");
  return faceted({
    title: title("Reliability: final fitness of single runs at each split", [
      "Box: quartiles and median over seeds, whiskers min–max; dots: individual seeds (exact runs and prefixes of deeper runs).",
    ]),
    rows,
    facet: cellByBudget("budget C (calls)"),
    spec: {
      width: { step: 40 },
      height: 200,
      layer: [
        {
          mark: { type: "boxplot", extent: "min-max", size: 22, opacity: 0.6 },
          encoding: {
            x,
            y: { field: "fitness", type: "quantitative", title: `final ${FITNESS}`, scale: { zero: false } },
            color,
          },
        },
        {
          mark: { type: "point", filled: true, size: 14, color: "black", opacity: 0.6 },
          encoding: {
            x,
            xOffset: { field: "fitness", type: "quantitative", scale: { range: [-6, 6] } },
            y: { field: "fitness", type: "quantitative" },
          },
        },
      ],
    },
    independent: ["x", "y"],
  });
}

export const reliability = figure({
  name: "reliability-outcomes",
  title: "Reliability: single-run outcomes per split",
  howToRead:
    "How far one run at a given split can land from another: each box is the spread over seeds of the final fitness. A reported number from one run is only as trustworthy as this spread is narrow; a split with a higher median but a wide box is a riskier bet for a single run.",
  data: reliabilityData,
  spec: reliabilitySpec,
});

export interface ExpectedMaxRow extends Record<string, unknown> {
  cell: string;
  C: number;
  split: string;
  T: number;
  k: number;
  value: number;
  n: number;
}

/** Largest k drawn (the estimator needs k ≤ n seeds). */
export const MAX_K = 10;

export function expectedMaxData(a: Analysis): FigureData<ExpectedMaxRow> {
  const rows: ExpectedMaxRow[] = [];
  for (const [, list] of groupBy(a.outcomes, (o) => `${o.task}\u0000${o.model}\u0000${o.C}\u0000${o.T}`)) {
    const o = list[0]!;
    const values = list.map((x) => x.fitness);
    if (values.length < 2) continue;
    for (let k = 1; k <= Math.min(values.length, MAX_K); k++)
      rows.push({ ...splitKeys(o), k, value: expectedMaxOfK(values, k), n: values.length });
  }
  if (rows.length === 0) return { skip: "no split has two or more seeds" };
  return { rows };
}

export function expectedMaxSpec(rows: ExpectedMaxRow[]): TopLevelSpec {
  return faceted({
    title: title("Expected best of k independent runs", [
      "Unbiased estimate from the logged seeds, without replacement: E[max of k] = Σ v(i)·C(i−1, k−1)/C(n, k). k = 1 is the mean of one run.",
    ]),
    rows,
    facet: cellByBudget("budget C (calls) of each run"),
    spec: {
      width: 240,
      height: 180,
      mark: { type: "line", point: true },
      encoding: {
        x: {
          field: "k",
          type: "quantitative",
          title: "k (independent runs, each with budget C)",
          axis: { tickMinStep: 1 },
        },
        y: { field: "value", type: "quantitative", title: `E[max of k] ${FITNESS}`, scale: { zero: false } },
        color: {
          field: "split",
          type: "nominal",
          title: "split",
          sort: splitOrder(rows),
          scale: { scheme: "viridis" },
        },
        tooltip: [
          { field: "split" },
          { field: "k" },
          { field: "value", format: ".4f" },
          { field: "n", title: "seeds" },
        ],
      },
    },
    independent: ["x", "y"],
  });
}

export const expectedMax = figure({
  name: "expected-max-of-k",
  title: "Expected best of k runs",
  howToRead:
    "What repeating a run k times and keeping the best buys, per split. The gap between k = 1 and k = 5 is the 'luck' a best-of-k number contains; a paper that reports its best of five runs should be compared with the k = 5 point, not with k = 1.",
  data: expectedMaxData,
  spec: expectedMaxSpec,
});
