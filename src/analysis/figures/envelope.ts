/**
 * The fitness–compute envelope, one line per model, per task: the upper
 * monotone frontier over every split's mean curve, against cumulative
 * effective FLOPs (one figure) and cumulative calls (another).
 */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import type { EnvelopeAxis } from "../envelope.ts";
import { CONFIG, FITNESS, type Figure, type FigureData, figure, title } from "./figure.ts";

export interface EnvelopeRow extends Record<string, unknown> {
  task: string;
  model: string;
  kind: "split" | "frontier";
  x: number;
  y: number;
  split: string;
}

export function envelopeData(a: Analysis, axis: EnvelopeAxis): FigureData<EnvelopeRow> {
  const pts = a.envelope.points.filter((p) => p.axis === axis && p.x > 0);
  const notes = axis === "flops" ? a.envelope.notes : [];
  if (pts.length === 0)
    return {
      skip:
        axis === "flops"
          ? a.envelope.notes.length > 0
            ? "no run recorded FLOPs: every model here has params_active 0 (like the built-in mutator), so compute is shown on the calls axis only (the calls envelope)"
            : "no greedy runs"
          : "no greedy runs",
    };
  const rows: EnvelopeRow[] = pts.map((p) => ({
    task: p.task,
    model: p.model,
    kind: "split",
    x: p.x,
    y: p.y,
    split: `${p.T}×${p.N}`,
  }));
  for (const f of a.envelope.frontier)
    if (f.axis === axis && f.x > 0)
      rows.push({ task: f.task, model: f.model, kind: "frontier", x: f.x, y: f.y, split: f.split });
  return { rows, notes };
}

export function envelopeSpec(rows: EnvelopeRow[], axis: EnvelopeAxis, policy: string): TopLevelSpec {
  const xTitle =
    axis === "flops"
      ? `cumulative compute (FLOPs, ${policy.replace("_", "-")} timeouts, log scale)`
      : "cumulative LLM calls (log scale)";
  const x = {
    field: "x",
    type: "quantitative",
    title: xTitle,
    scale: { type: "log" },
    axis: axis === "flops" ? { format: ".0e" } : {},
  };
  const y = { field: "y", type: "quantitative", title: `mean best ${FITNESS}`, scale: { zero: false } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: title(
      `Fitness–compute envelope on ${axis === "flops" ? "effective FLOPs" : "calls"}, one line per model`,
      [
        "Grey dots: every split's mean best-so-far after each generation against the mean compute spent so far.",
        "Lines: the upper monotone frontier, the best mean fitness any logged split reached with at most that much compute.",
      ],
    ),
    data: { values: rows },
    facet: { field: "task", type: "nominal", title: "task" },
    columns: 3,
    spec: {
      width: 300,
      height: 230,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'split'" }],
          mark: { type: "point", filled: true, size: 12, color: "#bbb" },
          encoding: {
            x,
            y,
            tooltip: [
              { field: "model" },
              { field: "split", title: "T×N" },
              { field: "x", format: ".3~s" },
              { field: "y", format: ".4f" },
            ],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'frontier'" }],
          mark: { type: "line", interpolate: "step-after", point: true, strokeWidth: 2 },
          encoding: {
            x,
            y,
            color: { field: "model", type: "nominal", title: "model" },
            tooltip: [
              { field: "model" },
              { field: "split", title: "reached by T×N" },
              { field: "x", format: ".3~s" },
              { field: "y", format: ".4f" },
            ],
          },
        },
      ],
    },
    resolve: { scale: { x: "independent", y: "independent" } },
    config: CONFIG,
  } as TopLevelSpec;
}

function envelopeFigure(axis: EnvelopeAxis): Figure {
  return figure<EnvelopeRow>({
    name: `envelope-${axis}`,
    title: `Fitness–compute envelope (${axis === "flops" ? "FLOPs" : "calls"})`,
    howToRead:
      axis === "flops"
        ? "For each task, the best mean fitness reachable with at most x FLOPs (2 · active parameters · tokens per call, timeouts at their worst case) over all logged splits; the grey cloud shows where each split's curve lies. Compare models at equal compute by reading the lines at one x. Models that record no FLOPs (the built-in mutator) appear on the calls figure only."
        : "For each task, the best mean fitness reachable with at most x LLM calls over all logged splits, one line per model; the grey cloud shows each split's mean curve. A frontier that keeps climbing means extra calls still pay off.",
    data: (a) => {
      const d = envelopeData(a, axis);
      return "skip" in d ? d : { ...d, meta: { policy: a.flopsPolicy } };
    },
    spec: (rows, meta) => envelopeSpec(rows, axis, String(meta?.policy ?? "worst_case")),
  });
}

export const envelopeFlops = envelopeFigure("flops");
export const envelopeCalls = envelopeFigure("calls");
