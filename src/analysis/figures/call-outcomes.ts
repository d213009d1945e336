/** What became of the calls: per breadth N, the share of children by outcome (from the children table). */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import { CELL_GRID, cellLabel, type FigureData, faceted, figure, title } from "./figure.ts";

export const OUTCOMES = [
  "call failed (timeout/error)",
  "no code in the answer",
  "program failed evaluation",
  "valid, not better than parent",
  "better than its parent",
] as const;

export interface CallOutcomeRow extends Record<string, unknown> {
  cell: string;
  N: number;
  outcome: string;
  order: number;
  count: number;
  share: number;
}

interface ChildObj {
  task: string;
  model: string;
  N: number;
  final_status: string;
  parsed: boolean;
  valid: boolean;
  improved: boolean;
}

/** The outcome class of one child, in OUTCOMES order. */
export function outcomeOf(c: Pick<ChildObj, "final_status" | "parsed" | "valid" | "improved">): number {
  if (c.final_status !== "ok") return 0;
  if (!c.parsed) return 1;
  if (!c.valid) return 2;
  return c.improved ? 4 : 3;
}

export function callOutcomesData(a: Analysis): FigureData<CallOutcomeRow> {
  const n = a.tables.children.numRows();
  if (n === 0) return { skip: "no children logged in greedy runs" };
  const t = a.tables.children;
  const cols = ["task", "model", "N", "final_status", "parsed", "valid", "improved"].map((c) => t.array(c));
  const counts = new Map<string, { cell: string; N: number; k: number[] }>();
  for (let i = 0; i < n; i++) {
    const [task, model, N, final_status, parsed, valid, improved] = cols.map((c) => c[i]) as [
      string,
      string,
      number,
      string,
      boolean,
      boolean,
      boolean,
    ];
    const key = `${task}\u0000${model}\u0000${N}`;
    let e = counts.get(key);
    if (!e) counts.set(key, (e = { cell: cellLabel(task, model), N, k: [0, 0, 0, 0, 0] }));
    e.k[outcomeOf({ final_status, parsed, valid, improved })]!++;
  }
  const rows: CallOutcomeRow[] = [];
  for (const e of [...counts.values()].sort((p, q) => p.cell.localeCompare(q.cell) || p.N - q.N)) {
    const total = e.k.reduce((s, v) => s + v, 0);
    e.k.forEach((count, order) => {
      rows.push({ cell: e.cell, N: e.N, outcome: OUTCOMES[order]!, order, count, share: count / total });
    });
  }
  return { rows };
}

export function callOutcomesSpec(rows: CallOutcomeRow[]): TopLevelSpec {
  return faceted({
    title: title("What became of the calls, by breadth N", [
      "Share of all children (one LLM call each) of the greedy runs, by outcome; 'better than its parent' is what drives the search.",
    ]),
    rows,
    ...CELL_GRID,
    spec: {
      width: { step: 30 },
      height: 200,
      mark: { type: "bar" },
      encoding: {
        x: { field: "N", type: "ordinal", title: "breadth N (children per generation)" },
        y: {
          field: "share",
          type: "quantitative",
          title: "share of calls",
          axis: { format: "%" },
          stack: "normalize",
        },
        color: {
          field: "outcome",
          type: "nominal",
          title: "outcome of a call",
          sort: [...OUTCOMES],
          scale: { domain: [...OUTCOMES], range: ["#9e9e9e", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"] },
        },
        order: { field: "order", type: "quantitative" },
        tooltip: [
          { field: "N" },
          { field: "outcome" },
          { field: "count", title: "calls" },
          { field: "share", format: ".1%" },
        ],
      },
    },
    independent: ["x"],
  });
}

export const callOutcomes = figure({
  name: "call-outcomes",
  title: "What became of the calls",
  howToRead:
    "Every child of a greedy run is one LLM call. The bars split them by outcome for each breadth N: failed calls (timeouts, errors), answers without code, programs that failed evaluation, valid programs no better than the parent, and those that improved on it. The green share is the improvement rate per call; it depends on N and also on how far the runs got, since the deeper runs of small N spend more calls on parents that are harder to beat.",
  data: callOutcomesData,
  spec: callOutcomesSpec,
});
