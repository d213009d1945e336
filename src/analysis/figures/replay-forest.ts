/**
 * Replay figures a paper can use: a forest plot of every policy's paired
 * difference against uniform and against single per pool, and simple-regret
 * curves (hindsight oracle − policy) over rounds with bands, in place of
 * running-best spaghetti.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import { pairedDiff } from "../effects.ts";
import type { PoolReplay } from "../replays.ts";
import type { Channel, FigureData } from "./figure.ts";
import { CI_TOOLTIP, colorBy, differenceForest, faceted, figure, intervalLayer, title } from "./figure.ts";
import { MIN_ROUNDS_FOR_CURVES, poolFacet, poolLabel } from "./replay.ts";

/** Pools where every policy can try every arm and a curve has a few points. */
const shown = (a: Analysis) => a.replays.filter((r) => r.rounds >= MIN_ROUNDS_FOR_CURVES && r.rounds >= r.K);

function skipReason(a: Analysis): { skip: string } {
  return {
    skip:
      a.replays.length === 0
        ? "no pool was replayed"
        : `every replayed pool has fewer than ${MIN_ROUNDS_FOR_CURVES} rounds or fewer rounds than arms`,
  };
}

// forest ----------------------------------------------------------------------

export interface ForestRow extends Record<string, unknown> {
  pool: string;
  policy: string;
  against: "vs uniform" | "vs single";
  diff: number;
  lo: number | null;
  hi: number | null;
  p: number | null;
}

const AGAINST = ["vs uniform", "vs single"] as const;

export function replayForestData(a: Analysis): FigureData<ForestRow> {
  const pools = shown(a);
  if (pools.length === 0) return skipReason(a);
  const rows: ForestRow[] = [];
  for (const r of pools)
    for (const policy of Object.keys(r.policies))
      for (const [against, ref] of [
        ["vs uniform", "uniform"],
        ["vs single", "single"],
      ] as const) {
        const d = pairedDiff(r, policy, ref);
        if (d)
          rows.push({
            pool: poolLabel(r),
            policy,
            against,
            diff: d.diff,
            lo: d.ci95?.[0] ?? null,
            hi: d.ci95?.[1] ?? null,
            p: d.p,
          });
      }
  return rows.length ? { rows } : skipReason(a);
}

export function replayForestSpec(rows: ForestRow[]): TopLevelSpec {
  const against = [...AGAINST];
  return faceted({
    title: title("Replay: each policy against uniform and against single (paired differences)", [
      "Mean over the same instances of policy − reference in final fitness, with the replay's 95% interval over seeds (delete-one-seed jackknife with a pseudo-seed; README: How intervals are computed).",
      "uniform: G/K rounds per arm; single: one run given all G rounds. Right of the dashed line: the policy does better.",
    ]),
    rows,
    facet: poolFacet(rows),
    columns: 3,
    spec: {
      width: 280,
      // with yOffset the step is per sub-band: two per policy
      height: { step: 9 },
      layer: differenceForest({
        by: "against",
        legendTitle: "paired difference",
        order: against,
        look: { scale: { domain: against, range: ["#1b9e77", "#7570b3"] } },
        rule: { type: "rule", strokeWidth: 1.5 },
        point: { type: "point", filled: true, size: 30 },
        tooltip: [
          { field: "policy" },
          { field: "against" },
          { field: "diff", format: ".4f" },
          ...CI_TOOLTIP,
          { field: "p", format: ".3g", title: "p (paired)" },
        ],
      }),
    },
    independent: ["x"],
  });
}

export const replayForest = figure({
  name: "replay-forest",
  title: "Replay: paired differences against uniform and single",
  howToRead:
    "A forest plot per pool: each policy's mean final fitness minus that of the uniform split (the island protocol) and minus that of one run given all G rounds, on the same instances, with 95% intervals over the seed pool. An interval that stays right of the dashed zero line is a gain the seeds support; one that straddles it is no evidence either way.",
  usesReplay: true,
  data: replayForestData,
  spec: replayForestSpec,
});

// simple regret ---------------------------------------------------------------

export interface RegretRow extends Record<string, unknown> {
  pool: string;
  policy: string;
  round: number;
  regret: number;
  lo: number;
  hi: number;
}

/** Mean over the replay's instances of the hindsight oracle after r rounds: max over arms of f(min(r, L)), r = 1..G. */
export function oracleCurve(r: PoolReplay, curveOf: (seed: number) => number[] | undefined): number[] | null {
  const K = r.K;
  const n = r.instances.arms.length / K;
  const out = new Array<number>(r.rounds).fill(0);
  for (let i = 0; i < n; i++)
    for (let g = 1; g <= r.rounds; g++) {
      let best = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        const c = curveOf(r.pool[r.instances.arms[i * K + k]!]!);
        if (!c) return null;
        best = Math.max(best, c[Math.min(g, c.length - 1)]!);
      }
      out[g - 1]! += best / n;
    }
  return out;
}

export function replayRegretData(a: Analysis): FigureData<RegretRow> {
  const pools = shown(a);
  if (pools.length === 0) return skipReason(a);
  const rows: RegretRow[] = [];
  for (const r of pools) {
    const bySeed = new Map(
      a.curves
        .filter((c) => c.task === r.task && c.model === r.model && c.N === r.N)
        .map((c) => [c.seed, c.best]),
    );
    const oracle = oracleCurve(r, (s) => bySeed.get(s));
    if (!oracle) continue;
    const pool = poolLabel(r);
    for (const [policy, c] of Object.entries(r.curves))
      c.mean.forEach((m, i) => {
        const o = oracle[i]!;
        rows.push({
          pool,
          policy,
          round: i + 1,
          regret: o - m,
          lo: o - (c.hi[i] ?? m),
          hi: o - (c.lo[i] ?? m),
        });
      });
  }
  return rows.length ? { rows } : skipReason(a);
}

export function replayRegretSpec(rows: RegretRow[]): TopLevelSpec {
  const x: Channel<"x"> = {
    field: "round",
    type: "quantitative",
    title: "round (generations of N calls)",
    axis: { format: "d" },
  };
  const color = colorBy("policy", "policy", "category10");
  return faceted({
    title: title("Replay: simple regret per round (hindsight oracle − policy)", [
      "Oracle after r rounds: the best arm of the instance given all r rounds; lower is better, 0 is the oracle.",
      "Bands: the policy's pointwise 95% interval over seeds (oracle held at its mean).",
    ]),
    rows,
    facet: poolFacet(rows),
    columns: 3,
    spec: {
      width: 280,
      height: 190,
      layer: [
        intervalLayer("y", { x }, color, { type: "area", opacity: 0.12 }),
        {
          mark: { type: "line", strokeWidth: 1.5 },
          encoding: {
            x,
            y: { field: "regret", type: "quantitative", title: "simple regret (fitness)" },
            color,
            tooltip: [
              { field: "policy" },
              { field: "round" },
              { field: "regret", format: ".4f" },
              ...CI_TOOLTIP,
            ],
          },
        },
      ],
    },
    independent: ["x", "y"],
  });
}

export const replayRegret = figure({
  name: "replay-regret",
  title: "Replay: simple regret over rounds",
  howToRead:
    "How far each policy's best-so-far lags the hindsight oracle (the instance's best arm given every round) after each round. A policy that finds the good arm early falls towards zero; one that keeps spreading its rounds stays high. Bands are the policy's pointwise 95% intervals over the seed pool.",
  usesReplay: true,
  data: replayRegretData,
  spec: replayRegretSpec,
});
