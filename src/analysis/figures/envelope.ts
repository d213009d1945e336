/**
 * The fitness–compute envelope per (task, model): each breadth N's mean
 * best-so-far curve over all its seeds (thin lines, coloured by N), and the
 * frontier over N (the step line, its points coloured by the N that reaches
 * them, the band its Student-t 95% interval), against cumulative effective
 * FLOPs (one figure) and cumulative calls (another). Axes stop at the data.
 * A third figure overlays, per task with two or more models, every model's
 * frontier on the one pooled monotone curve (envelope collapse).
 */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import type { CurvePoint, EnvelopeAxis } from "../envelope.ts";
import type { Channel, Figure, FigureData } from "./figure.ts";
import { CELL_GRID, cellLabel, colorBy, faceted, figure, kindLayer, MEAN_BEST_Y, title } from "./figure.ts";

/** A curve or frontier point of the analysis, placed in its (task, model) panel. */
export interface EnvelopeRow extends Omit<CurvePoint, "task" | "model" | "axis">, Record<string, unknown> {
  cell: string;
  kind: "curve" | "frontier";
}

export function envelopeData(a: Analysis, axis: EnvelopeAxis): FigureData<EnvelopeRow> {
  const pts = a.envelope.points.filter((p) => p.axis === axis && p.x > 0);
  const own = a.envelope.notes.filter((n) => !/collapse/.test(n));
  const notes = axis === "flops" ? own : own.filter((n) => !/FLOP/.test(n));
  if (pts.length === 0)
    return {
      skip:
        axis === "flops" && a.envelope.points.length > 0
          ? "no run recorded FLOPs: every model here has params_active 0 (like the built-in mutator), so compute is shown on the calls axis only (the calls envelope)"
          : "no greedy runs",
    };
  const row = (kind: EnvelopeRow["kind"]) => (p: (typeof pts)[number]) => ({
    cell: cellLabel(p.task, p.model),
    kind,
    N: p.N,
    generation: p.generation,
    x: p.x,
    y: p.y,
    lo: p.lo,
    hi: p.hi,
    n: p.n,
  });
  const rows: EnvelopeRow[] = pts.map(row("curve"));
  rows.push(...a.envelope.frontier.filter((f) => f.axis === axis && f.x > 0).map(row("frontier")));
  return { rows, notes };
}

export function envelopeSpec(rows: EnvelopeRow[], axis: EnvelopeAxis, policy: string): TopLevelSpec {
  const xTitle =
    axis === "flops"
      ? `cumulative compute (FLOPs, ${policy.replace("_", "-")} timeouts, log scale)`
      : "cumulative LLM calls (log scale)";
  // nice: false — the axis ends at the data, not at the next power of ten
  const x: Channel<"x"> = {
    field: "x",
    type: "quantitative",
    title: xTitle,
    scale: { type: "log", nice: false },
    axis: axis === "flops" ? { format: ".0e" } : {},
  };
  const y = MEAN_BEST_Y;
  const color = colorBy("N", "breadth N", "viridis", "ordinal");
  const tooltip: Channel<"tooltip"> = [
    { field: "N", type: "quantitative" },
    { field: "generation", type: "quantitative", title: "T (generations)" },
    { field: "x", type: "quantitative", format: ".3~s", title: axis },
    { field: "y", type: "quantitative", format: ".4f", title: "mean" },
    { field: "lo", type: "quantitative", format: ".4f", title: "95% lo" },
    { field: "hi", type: "quantitative", format: ".4f", title: "95% hi" },
    { field: "n", type: "quantitative", title: "seeds" },
  ];
  return faceted({
    title: title(`Fitness–compute envelope on ${axis === "flops" ? "effective FLOPs" : "calls"}`, [
      "Thin lines: each breadth N's mean best-so-far over all its seeds (prefixes of deeper runs included, each seed once).",
      "Step line: the frontier, the best of those means at most x compute reaches; points coloured by the N that reaches it; band: its Student-t 95% interval.",
    ]),
    rows,
    ...CELL_GRID,
    spec: {
      width: 300,
      height: 230,
      layer: [
        kindLayer("curve", {
          mark: { type: "line", strokeWidth: 1, opacity: 0.45 },
          encoding: { x, y, color, detail: { field: "N" } },
        }),
        kindLayer(
          "frontier",
          {
            mark: { type: "area", interpolate: "step-after", opacity: 0.18, color: "#333" },
            encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
          },
          "datum.lo !== null",
        ),
        kindLayer("frontier", {
          mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5, color: "#222" },
          encoding: { x, y },
        }),
        kindLayer("frontier", {
          mark: { type: "point", filled: true, size: 36, opacity: 1 },
          encoding: { x, y, color, tooltip },
        }),
      ],
    },
    independent: ["x", "y"],
  });
}

function envelopeFigure(axis: EnvelopeAxis): Figure {
  return figure<EnvelopeRow>({
    name: `envelope-${axis}`,
    title: `Fitness–compute envelope (${axis === "flops" ? "FLOPs" : "calls"})`,
    howToRead:
      (axis === "flops"
        ? "For each task and model, the best mean fitness reachable with at most x effective FLOPs (2 · active parameters · tokens per call; timeouts priced by the chosen --timeout-policy) over all breadths N. "
        : "For each task and model, the best mean fitness reachable with at most x LLM calls over all breadths N. ") +
      "Each thin line is one N's mean over all its seeds; the frontier (step line) takes the best of them at each compute, its point coloured by the N that reaches it, the grey band its Student-t 95% interval over seeds. A frontier that keeps climbing means more compute still pays off.",
    data: (a) => {
      const d = envelopeData(a, axis);
      return "skip" in d ? d : { ...d, meta: { policy: a.flopsPolicy } };
    },
    spec: (rows, meta) => envelopeSpec(rows, axis, String(meta?.policy ?? "worst_case")),
  });
}

export const envelopeFlops = envelopeFigure("flops");
export const envelopeCalls = envelopeFigure("calls");

export interface CollapseRow extends Record<string, unknown> {
  panel: string;
  kind: "model" | "pooled";
  model: string;
  x: number;
  y: number;
}

export function collapseData(a: Analysis): FigureData<CollapseRow> {
  if (a.envelope.collapse.length === 0)
    return { skip: "no task has two or more models: there is no envelope collapse across models to draw" };
  const rows: CollapseRow[] = [];
  const notes: string[] = [];
  for (const c of a.envelope.collapse) {
    const panel = `${c.task}, ${c.axis === "flops" ? "FLOPs" : "calls"}: R² ${c.r2.toFixed(3)}`;
    notes.push(
      `${c.task} on ${c.axis}: one curve across ${c.models.join(", ")} explains R² = ${c.r2.toFixed(3)}; per model ${c.per_model.map((m) => `${m.model} ${m.r2.toFixed(3)}`).join(", ")}`,
    );
    for (const p of a.envelope.frontier)
      if (p.task === c.task && p.axis === c.axis && p.x > 0)
        rows.push({ panel, kind: "model", model: p.model, x: p.x, y: p.y });
    for (const p of c.curve) rows.push({ panel, kind: "pooled", model: "pooled", x: p.x, y: p.y });
  }
  return { rows, notes };
}

export function collapseSpec(rows: CollapseRow[]): TopLevelSpec {
  const x: Channel<"x"> = {
    field: "x",
    type: "quantitative",
    title: "cumulative compute (log scale)",
    scale: { type: "log", nice: false },
    axis: { format: ".2~s" },
  };
  const y = MEAN_BEST_Y;
  return faceted({
    title: title("Envelope collapse across models", [
      "Points: each model's frontier. Black step line: one non-decreasing curve fitted to all of them (isotonic regression).",
      "R² near 1: the models' envelopes coincide on that compute axis.",
    ]),
    rows,
    facet: { field: "panel", type: "nominal", title: null },
    columns: 2,
    spec: {
      width: 300,
      height: 220,
      layer: [
        kindLayer("pooled", {
          mark: { type: "line", interpolate: "step-after", color: "#222", strokeWidth: 1.5 },
          encoding: { x, y },
        }),
        kindLayer("model", {
          mark: { type: "point", filled: true, size: 30 },
          encoding: {
            x,
            y,
            color: colorBy("model", "model", "tableau10"),
            tooltip: [
              { field: "model" },
              { field: "x", type: "quantitative", format: ".3~s" },
              { field: "y", type: "quantitative", format: ".4f" },
            ],
          },
        }),
      ],
    },
    independent: ["x", "y"],
  });
}

export const envelopeCollapse = figure<CollapseRow>({
  name: "envelope-collapse",
  title: "Envelope collapse across models",
  howToRead:
    "Per task and compute axis, every model's envelope frontier and one monotone curve fitted to all of them; the panel title gives the pooled R². If the models' points fall on one curve on FLOPs but not on calls, compute (not the number of calls) is what sets the fitness reached.",
  data: collapseData,
  spec: collapseSpec,
});
