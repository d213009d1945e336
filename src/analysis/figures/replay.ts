/**
 * Offline replay figures, one panel per (task, model, N) pool: final-outcome
 * distributions beside the uniform / single / oracle references, and how each
 * policy spreads its pulls (the forest and regret figures are in replay-forest.ts).
 */
import type { TopLevelSpec } from "vega-lite";
import { quantile } from "../../replay/index.ts";
import type { Analysis } from "../analysis.ts";
import type { PoolReplay } from "../replays.ts";
import { type Channel, FITNESS, type FigureData, faceted, figure, orderedFacet, title } from "./figure.ts";

/** Pools with fewer rounds than this are left out of the per-round figures (a curve needs a few points). */
export const MIN_ROUNDS_FOR_CURVES = 4;

export const poolLabel = (r: PoolReplay) =>
  `${r.task}/${r.model} N=${r.N}: K=${r.K} of ${r.pool.length}, G=${r.rounds}`;

/** Facets in the replays' order (task, model, N ascending), not alphabetical. */
export const poolFacet = (rows: { pool: string }[]) =>
  orderedFacet("pool", "pool (task/model, breadth N: K arms of S seeds, G rounds)", rows);

export const REFERENCES = ["uniform", "single", "oracle"] as const;

function noReplay(a: Analysis): { skip: string } {
  return {
    skip:
      a.tables.runs.numRows() === 0
        ? "no greedy runs to replay"
        : "no (task, model, N) pool has at least 3 seeds, so no policy could be replayed",
  };
}

function curvePools(a: Analysis) {
  return a.replays.filter((r) => r.rounds >= MIN_ROUNDS_FOR_CURVES);
}

function shortPools(a: Analysis): string[] {
  const left = a.replays.filter((r) => r.rounds < MIN_ROUNDS_FOR_CURVES);
  return left.length === 0
    ? []
    : [
        `pools with fewer than ${MIN_ROUNDS_FOR_CURVES} rounds are in the outcome figure only: ${left.map(poolLabel).join("; ")}`,
      ];
}

// outcomes ----------------------------------------------------------------

export interface OutcomeRow extends Record<string, unknown> {
  pool: string;
  name: string;
  group: "policy" | "reference";
  mean: number;
  lo: number | null;
  hi: number | null;
  q05: number;
  q25: number;
  median: number;
  q75: number;
  q95: number;
}

export function replayOutcomesData(a: Analysis): FigureData<OutcomeRow> {
  if (a.replays.length === 0) return noReplay(a);
  const rows: OutcomeRow[] = [];
  for (const r of a.replays) {
    const pool = poolLabel(r);
    const dist: Record<string, { mean: number; ci95: [number, number] | null }> = {
      ...r.policies,
      ...r.references,
    };
    for (const [name, values] of Object.entries(r.instances.outcomes)) {
      const d = dist[name];
      if (!d) continue;
      rows.push({
        pool,
        name,
        group: (REFERENCES as readonly string[]).includes(name) ? "reference" : "policy",
        mean: d.mean,
        lo: d.ci95?.[0] ?? null,
        hi: d.ci95?.[1] ?? null,
        q05: quantile(values, 0.05),
        q25: quantile(values, 0.25),
        median: quantile(values, 0.5),
        q75: quantile(values, 0.75),
        q95: quantile(values, 0.95),
      });
    }
  }
  return { rows };
}

export function replayOutcomesSpec(rows: OutcomeRow[]): TopLevelSpec {
  const order = [...new Set(rows.filter((r) => r.group === "policy").map((r) => r.name)), ...REFERENCES];
  const y: Channel<"y"> = { field: "name", type: "nominal", title: null, sort: order };
  const color: Channel<"color"> = {
    field: "group",
    type: "nominal",
    title: "allocation",
    scale: { domain: ["policy", "reference"], range: ["#4c78a8", "#e45756"] },
  };
  const xTitle = `final ${FITNESS}`;
  return faceted({
    title: title("Replay: final outcome per policy beside uniform, single and oracle", [
      "Distribution over instances of the best fitness over arms after G rounds: 5–95% (thin line), 25–75% (thick), median (tick), mean (dot).",
      "uniform: G/K rounds per arm; single: one run given all G rounds; oracle: the best arm in hindsight.",
    ]),
    rows,
    facet: poolFacet(rows),
    columns: 3,
    spec: {
      width: 260,
      height: { step: 14 },
      layer: [
        {
          mark: { type: "rule" },
          encoding: {
            y,
            x: { field: "q05", type: "quantitative", title: xTitle, scale: { zero: false } },
            x2: { field: "q95" },
            color,
          },
        },
        {
          mark: { type: "rule", strokeWidth: 6, opacity: 0.5 },
          encoding: { y, x: { field: "q25", type: "quantitative" }, x2: { field: "q75" }, color },
        },
        {
          mark: { type: "tick", color: "black", thickness: 1.5, size: 12 },
          encoding: { y, x: { field: "median", type: "quantitative" } },
        },
        {
          mark: { type: "point", filled: true, size: 30, color: "black" },
          encoding: {
            y,
            x: { field: "mean", type: "quantitative" },
            tooltip: [
              { field: "name", title: "allocation" },
              { field: "mean", format: ".4f" },
              { field: "lo", format: ".4f", title: "mean: 95% lo" },
              { field: "hi", format: ".4f", title: "mean: 95% hi" },
              { field: "median", format: ".4f" },
              { field: "q05", format: ".4f" },
              { field: "q95", format: ".4f" },
            ],
          },
        },
      ],
    },
    independent: ["x"],
  });
}

export const replayOutcomes = figure({
  name: "replay-outcomes",
  title: "Replay: final-outcome distributions",
  howToRead:
    "For each pool, the spread of final outcomes over all replayed instances: thin line 5–95%, thick bar 25–75%, tick the median, dot the mean. Red rows are the references: a policy right of 'uniform' beats splitting the budget evenly; 'single' is what one run with the whole budget gets on average; 'oracle' is the best any allocation of whole runs could do.",
  usesReplay: true,
  data: replayOutcomesData,
  spec: replayOutcomesSpec,
});

// arm pulls ---------------------------------------------------------------

export interface PullRow extends Record<string, unknown> {
  pool: string;
  policy: string;
  rank: number;
  pulls: number;
  share: number;
}

export function replayPullsData(a: Analysis): FigureData<PullRow> {
  if (a.replays.length === 0) return noReplay(a);
  const pools = curvePools(a);
  if (pools.length === 0)
    return { skip: `every replayed pool has fewer than ${MIN_ROUNDS_FOR_CURVES} rounds` };
  const rows: PullRow[] = [];
  for (const r of pools) {
    const pool = poolLabel(r);
    for (const [policy, p] of Object.entries(r.pulls)) {
      const total = p.sorted.reduce((s, v) => s + v, 0);
      p.sorted.forEach((pulls, i) => {
        rows.push({ pool, policy, rank: i + 1, pulls, share: total > 0 ? pulls / total : 0 });
      });
    }
  }
  return { rows, notes: shortPools(a) };
}

export function replayPullsSpec(rows: PullRow[]): TopLevelSpec {
  return faceted({
    title: title("Replay: how each policy spreads its pulls over arms", [
      "Mean number of rounds given to the most-pulled arm (rank 1), the second (rank 2) and so on; a uniform policy gives G/K to every rank, a committed one puts almost all on rank 1.",
    ]),
    rows,
    facet: poolFacet(rows),
    columns: 3,
    spec: {
      width: { step: 42 },
      height: { step: 18 },
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            x: {
              field: "rank",
              type: "ordinal",
              title: "arm rank by pulls (1 = most pulled)",
              axis: { grid: false },
            },
            y: { field: "policy", type: "nominal", title: null, axis: { grid: false } },
            color: {
              field: "share",
              type: "quantitative",
              title: "share of the G rounds",
              scale: { scheme: "blues", domain: [0, 1] },
            },
            tooltip: [
              { field: "policy" },
              { field: "rank" },
              { field: "pulls", format: ".2f", title: "mean pulls" },
              { field: "share", format: ".1%" },
            ],
          },
        },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: {
            x: { field: "rank", type: "ordinal" },
            y: { field: "policy", type: "nominal" },
            text: { field: "pulls", type: "quantitative", format: ".1f" },
            color: { condition: { test: "datum.share > 0.5", value: "white" }, value: "black" },
          },
        },
      ],
    },
    independent: ["x"],
  });
}

export const replayPulls = figure({
  name: "replay-arm-pulls",
  title: "Replay: arm-pull distributions",
  howToRead:
    "Rows are policies, columns the arms ranked by how often the policy pulled them in an instance (1 = its favourite); the number is the mean count of rounds, the colour the share of the budget. Policies made for the maximum (halving, rsr, rucbe, elim, leader) should concentrate on rank 1; ucb and random spread evenly.",
  usesReplay: true,
  data: replayPullsData,
  spec: replayPullsSpec,
});
