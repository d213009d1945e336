/**
 * Threshold-reaching: per (task, model), the calls each method needs before
 * its mean running best reaches τ with 90% confidence (src/analysis/threshold.ts).
 * Methods: one greedy run per breadth N, the replayed policies of the
 * deepest replayed pool, the online bandit sets.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import type { ReachRow } from "../threshold.ts";
import { cellLabel, type FigureData, faceted, figure, title } from "./figure.ts";

export interface ThresholdRow extends Record<string, unknown> {
  cell: string;
  method: string;
  kind: string;
  tau: string;
  /** Facet column: the τ level ("90% of best"), or τ itself when given by the user. */
  column: string;
  tauOrder: number;
  /** Calls at which τ is reached; for a method that does not reach it, its budget. */
  x: number;
  reached: "reached" | "not reached within budget";
  budget: number;
  generation: number | null;
  order: number;
}

const KIND_ORDER = { greedy: 0, replay: 1, online: 2 } as const;

/** τ label: "τ = 0.412 (90% of best)" or "τ = 0.5". */
export const tauLabel = (r: Pick<ReachRow, "tau" | "tau_level">) =>
  `τ = ${r.tau.toPrecision(3)}${r.tau_level === null ? "" : ` (${Math.round(r.tau_level * 100)}% of best)`}`;

export function thresholdData(a: Analysis): FigureData<ThresholdRow> {
  if (a.reach.length === 0) return { skip: "no greedy or online runs" };
  // replayed policies: the deepest pool (most rounds, then most seeds) per (task, model) only
  const deepest = new Map<string, ReachRow>();
  for (const r of a.reach) {
    if (r.kind !== "replay") continue;
    const k = cellLabel(r.task, r.model);
    const cur = deepest.get(k);
    if (
      !cur ||
      r.budget_generations > cur.budget_generations ||
      (r.budget_generations === cur.budget_generations && r.units > cur.units)
    )
      deepest.set(k, r);
  }
  const left = new Set<string>();
  const rows: ThresholdRow[] = [];
  for (const r of a.reach) {
    const cell = cellLabel(r.task, r.model);
    if (r.kind === "replay") {
      const d = deepest.get(cell)!;
      if (r.N !== d.N || r.K !== d.K) {
        left.add(`${cell} N=${r.N}`);
        continue;
      }
    }
    const reached = r.calls !== null;
    rows.push({
      cell,
      method: r.method,
      kind: r.kind,
      tau: tauLabel(r),
      column:
        r.tau_level === null
          ? `τ = ${r.tau.toPrecision(3)}`
          : `τ = ${Math.round(r.tau_level * 100)}% of the best seen`,
      tauOrder: r.tau_level ?? r.tau,
      x: reached ? r.calls! : r.budget_calls,
      reached: reached ? "reached" : "not reached within budget",
      budget: r.budget_calls,
      generation: r.generation,
      order: KIND_ORDER[r.kind] * 1e6 + (r.kind === "greedy" ? r.N : 0),
    });
  }
  const notes = left.size
    ? [`replayed policies of shallower pools are in tables/threshold_reaching.csv: ${[...left].join("; ")}`]
    : [];
  return { rows, notes };
}

export function thresholdSpec(rows: ThresholdRow[]): TopLevelSpec {
  const states = new Set(rows.map((r) => r.reached));
  const methods = [...new Map(rows.map((r) => [r.method, r.order])).entries()]
    .sort((p, q) => p[1] - q[1] || (p[0] < q[0] ? -1 : 1))
    .map(([m]) => m);
  const columns = [...new Map(rows.map((r) => [r.column, r.tauOrder])).entries()]
    .sort((p, q) => p[1] - q[1])
    .map(([c]) => c);
  const KINDS = ["greedy", "replay", "online"];
  return faceted({
    title: title("Threshold-reaching: LLM calls until 90% of seed resamples reach τ", [
      "Earliest call count at which at least 90% of 1,000 bootstrap resamples over seeds of the mean running best reach τ;",
      "hollow markers sit at the method's budget: τ not reached within it. Further left is more efficient.",
    ]),
    rows,
    facet: {
      row: {
        field: "cell",
        type: "nominal",
        title: "task / model",
        header: { labelAngle: 0, labelAlign: "left" },
      },
      column: { field: "column", type: "nominal", title: "threshold", sort: columns },
    },
    spec: {
      width: 220,
      height: { step: 14 },
      mark: { type: "point", size: 55, strokeWidth: 1.6 },
      encoding: {
        y: { field: "method", type: "nominal", title: null, sort: methods },
        x: { field: "x", type: "quantitative", title: "LLM calls (symlog scale)", scale: { type: "symlog" } },
        color: {
          field: "kind",
          type: "nominal",
          title: "method",
          legend: null,
          scale: { domain: KINDS, range: ["#1b9e77", "#d95f02", "#7570b3"] },
        },
        shape: {
          field: "reached",
          type: "nominal",
          title: "threshold τ",
          scale: { domain: ["reached", "not reached within budget"], range: ["circle", "diamond"] },
          ...(states.size < 2 ? { legend: null } : {}),
        },
        fillOpacity: {
          field: "reached",
          type: "nominal",
          legend: null,
          scale: { domain: ["reached", "not reached within budget"], range: [1, 0] },
        },
        fill: {
          field: "kind",
          type: "nominal",
          legend: null,
          scale: { domain: KINDS, range: ["#1b9e77", "#d95f02", "#7570b3"] },
        },
        tooltip: [
          { field: "method" },
          { field: "tau", title: "threshold" },
          { field: "reached" },
          { field: "x", title: "calls (budget if not reached)" },
          { field: "generation", title: "generation / round" },
          { field: "budget", title: "budget (calls)" },
        ],
      },
    },
    independent: ["y"],
  });
}

export const thresholdFigure = figure({
  name: "threshold-reaching",
  title: "Threshold-reaching efficiency",
  howToRead:
    "For each threshold τ (by default 50%, 75% and 90% of the best fitness any run reached on the task), each row is one way to spend calls: a single greedy run at breadth N, an allocation policy replayed over K logged seeds, or the logged online bandit runs. The marker sits at the first call count where 90% of 1,000 bootstrap resamples over seeds have a mean running best at or above τ (the paper's criterion); a hollow marker at the right end means the method did not reach τ within its budget.",
  usesReplay: true,
  data: thresholdData,
  spec: thresholdSpec,
});
