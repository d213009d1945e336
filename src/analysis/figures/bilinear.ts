/**
 * The bilinear depth–breadth fit: observed split means against the fitted
 * surface, and the coefficients with 95% intervals per task.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import type { BilinearFit } from "../bilinear.ts";
import type { Channel, FigureData } from "./figure.ts";
import { CELL_GRID, cellLabel, FITNESS, faceted, figure, title } from "./figure.ts";

const fitted = (a: Analysis) => a.bilinear.filter((c): c is BilinearFit => c.fittable);

function skipReason(a: Analysis): string {
  if (a.bilinear.length === 0) return "no greedy runs";
  return `no (task, model) cell can identify the fit: ${a.bilinear
    .map((c) => `${cellLabel(c.task, c.model)}: ${c.fittable ? "ok" : c.reason}`)
    .join("; ")}`;
}

export interface ObservedFittedRow extends Record<string, unknown> {
  cell: string;
  T: number;
  N: number;
  C: number;
  n: number;
  observed: number;
  fitted: number;
}

export function bilinearFitData(a: Analysis): FigureData<ObservedFittedRow> {
  const cells = fitted(a);
  if (cells.length === 0) return { skip: skipReason(a) };
  const rows = cells.flatMap((c) => c.points.map((p) => ({ cell: cellLabel(c.task, c.model), ...p })));
  const notes = a.bilinear
    .filter((c) => !c.fittable)
    .map((c) => `${cellLabel(c.task, c.model)}: not fittable (${c.fittable ? "" : c.reason})`);
  return { rows, notes };
}

export function bilinearFitSpec(rows: ObservedFittedRow[]): TopLevelSpec {
  return faceted({
    title: title("Bilinear depth–breadth fit: observed vs fitted", [
      "y = b0 + bT·log2 T + bN·log2 N + bTN·log2 T·log2 N by OLS over every seed at every split; one point per split (mean over seeds).",
      "Points on the dashed diagonal are explained by the fit.",
    ]),
    rows,
    ...CELL_GRID,
    spec: {
      width: 240,
      height: 240,
      layer: [
        {
          mark: { type: "line", color: "#888", strokeDash: [4, 3] },
          encoding: {
            x: { field: "fitted", type: "quantitative" },
            y: { field: "fitted", type: "quantitative" },
          },
        },
        {
          mark: { type: "point", filled: true, size: 70, opacity: 0.85 },
          encoding: {
            x: { field: "fitted", type: "quantitative", title: `fitted ${FITNESS}`, scale: { zero: false } },
            y: {
              field: "observed",
              type: "quantitative",
              title: `observed mean ${FITNESS}`,
              scale: { zero: false },
            },
            color: { field: "C", type: "ordinal", title: "budget C (calls)" },
            shape: { field: "C", type: "ordinal", title: "budget C (calls)" },
            tooltip: [
              { field: "T", type: "quantitative" },
              { field: "N", type: "quantitative" },
              { field: "n", type: "quantitative", title: "seeds" },
              { field: "observed", type: "quantitative", format: ".4f" },
              { field: "fitted", type: "quantitative", format: ".4f" },
            ],
          },
        },
      ],
    },
    independent: ["x", "y"],
  });
}

export const bilinearObserved = figure({
  name: "bilinear-observed-vs-fitted",
  title: "Bilinear fit: observed vs fitted",
  howToRead:
    "Each point is one depth × breadth split (mean over seeds) against the bilinear surface's prediction; colour and shape give the budget C. Points far from the dashed diagonal are splits the bilinear model misses. The coefficient table below gives the fit with standard errors, R² and the interaction test.",
  data: bilinearFitData,
  spec: bilinearFitSpec,
});

export interface CoefficientRow extends Record<string, unknown> {
  task: string;
  model: string;
  term: string;
  estimate: number;
  lo: number;
  hi: number;
  p: number;
}

const TERM_LABEL: Record<string, string> = {
  bT: "bT (per doubling of T)",
  bN: "bN (per doubling of N)",
  bTN: "bTN (interaction)",
};

export function coefficientsData(a: Analysis): FigureData<CoefficientRow> {
  const cells = fitted(a);
  if (cells.length === 0) return { skip: skipReason(a) };
  const rows = cells.flatMap((c) =>
    c.coefficients
      .filter((k) => k.term !== "b0")
      .map((k) => ({
        task: c.task,
        model: c.model,
        term: TERM_LABEL[k.term] ?? k.term,
        estimate: k.estimate,
        lo: k.lo,
        hi: k.hi,
        p: k.p,
      })),
  );
  return { rows };
}

export function coefficientsSpec(rows: CoefficientRow[]): TopLevelSpec {
  const y: Channel<"y"> = { field: "term", type: "nominal", title: null, sort: Object.values(TERM_LABEL) };
  const x: Channel<"x"> = {
    field: "estimate",
    type: "quantitative",
    title: "coefficient (fitness per log2 unit), 95% interval",
  };
  const color: Channel<"color"> = { field: "model", type: "nominal", title: "model" };
  return faceted({
    title: title("Bilinear fit coefficients with 95% intervals", [
      "bT: gain per doubling of depth; bN: per doubling of breadth; bTN: how the two interact (the intercept b0 is in the table).",
      "An interval that crosses the zero line is not distinguishable from no effect.",
    ]),
    rows,
    facet: { row: { field: "task", type: "nominal", title: "task" } },
    spec: {
      width: 420,
      height: { step: 34 },
      layer: [
        { mark: { type: "rule", color: "#999", strokeDash: [3, 3] }, encoding: { x: { datum: 0 } } },
        {
          mark: { type: "rule", strokeWidth: 2 },
          encoding: {
            y,
            yOffset: { field: "model" },
            x: { field: "lo", type: "quantitative", title: x.title },
            x2: { field: "hi" },
            color,
          },
        },
        {
          mark: { type: "point", filled: true, size: 60 },
          encoding: {
            y,
            yOffset: { field: "model" },
            x,
            color,
            tooltip: [
              { field: "model" },
              { field: "term" },
              { field: "estimate", format: ".4f" },
              { field: "lo", format: ".4f" },
              { field: "hi", format: ".4f" },
              { field: "p", format: ".3g", title: "p (t test)" },
            ],
          },
        },
      ],
    },
  });
}

export const bilinearCoefficients = figure({
  name: "bilinear-coefficients",
  title: "Bilinear fit coefficients",
  howToRead:
    "Per task and model, the slope of fitness per doubling of depth (bT) and of breadth (bN), and their interaction (bTN), with 95% intervals. A negative bTN means depth and breadth substitute for each other (doubling both gains less than the sum); a positive one that they compound.",
  data: coefficientsData,
  spec: coefficientsSpec,
});
