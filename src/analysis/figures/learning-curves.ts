/** Saturating learning curves per (task, model, N): mean best-so-far and the fitted f(t). */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import type { Channel, FigureData } from "./figure.ts";
import {
  cellLabel,
  cellPanels,
  colorBy,
  faceted,
  figure,
  fittedLine,
  kindLayer,
  MEAN_BEST_Y,
  title,
} from "./figure.ts";

export interface LearningRow extends Record<string, unknown> {
  cell: string;
  N: number;
  kind: "observed" | "fitted";
  generation: number;
  y: number;
  /** The fit ended at a bound of its parameters (drawn dashed). */
  at_bound?: boolean;
}

/** Points on the fitted curve per unit of t (smooth enough for short curves). */
const STEPS = 4;

export function learningData(a: Analysis): FigureData<LearningRow> {
  const cells = a.learning.filter((c) => c.depth >= 1);
  if (cells.length === 0) return { skip: "no greedy run logged a generation" };
  const rows: LearningRow[] = [];
  const notes: string[] = [];
  for (const c of cells) {
    const cell = cellLabel(c.task, c.model);
    c.mean.forEach((y, generation) => {
      rows.push({ cell, N: c.N, kind: "observed", generation, y });
    });
    if (!c.fittable) {
      notes.push(`${cell}, N=${c.N}: no fit (${c.reason})`);
      continue;
    }
    const atBound = c.at_bound.length > 0;
    if (atBound)
      notes.push(
        `${cell}, N=${c.N}: the fit is at a bound (${c.at_bound.join("; ")}), drawn dashed: degenerate, not an estimate`,
      );
    for (let i = 0; i <= c.depth * STEPS; i++) {
      const t = i / STEPS;
      rows.push({
        cell,
        N: c.N,
        kind: "fitted",
        generation: t,
        y: c.a - (c.a - c.f0) * Math.exp(-t / c.tau),
        at_bound: atBound,
      });
    }
  }
  return { rows, notes };
}

export function learningSpec(rows: LearningRow[]): TopLevelSpec {
  const x: Channel<"x"> = {
    field: "generation",
    type: "quantitative",
    title: "generation t (N calls each)",
    axis: { tickMinStep: 1, format: "d" },
  };
  const y = MEAN_BEST_Y;
  const color = colorBy("N", "breadth N", "viridis", "ordinal");
  return faceted({
    title: title("Learning curves with saturating fits f(t) = a − (a − f0)·exp(−t/τ)", [
      "Dots: mean best-so-far over the seeds of each (task, model, N) up to the depth every seed reaches; lines: Levenberg–Marquardt fit (dashed: the fit ended at a parameter bound, degenerate).",
    ]),
    rows,
    ...cellPanels([
      fittedLine({
        x,
        y,
        color,
        strokeDash: {
          field: "at_bound",
          type: "nominal",
          scale: {
            domain: [false, true],
            range: [
              [1, 0],
              [4, 3],
            ],
          },
          legend: null,
        },
      }),
      kindLayer("observed", {
        mark: { type: "point", filled: true, size: 18 },
        encoding: {
          x,
          y,
          color,
          tooltip: [{ field: "N" }, { field: "generation" }, { field: "y", format: ".4f" }],
        },
      }),
    ]),
    independent: ["x", "y"],
  });
}

export const learningCurvesFigure = figure({
  name: "learning-curves",
  title: "Learning curves",
  howToRead:
    "Mean best-so-far fitness per generation for each breadth N (dots) with the fitted saturating curve (line). In the fit table, a is the plateau the curve approaches and τ the number of generations to cover 63% of the way from f0 to a; a τ much longer than the logged depth means the plateau is an extrapolation. Intervals of a and τ come from resampling the seeds (seed bootstrap, up to 200 refits); a fit that ended at a bound of its parameters (e.g. τ = 0.001 for a curve that jumps once and stays flat) is flagged and drawn dashed: its parameters are not estimates.",
  data: learningData,
  spec: learningSpec,
});
