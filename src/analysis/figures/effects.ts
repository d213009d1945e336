/**
 * The two-step ablation per replayed pool (single → random over K → policy)
 * and the K ablation (gain over single vs K), from `analysis.effects`.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Analysis } from "../analysis.ts";
import type { EffectsRow } from "../effects.ts";
import type { Channel, FigureData } from "./figure.ts";
import {
  CI_TOOLTIP,
  colorBy,
  differenceForest,
  faceted,
  figure,
  forestLayers,
  orderedFacet,
  title,
} from "./figure.ts";
import { MIN_ROUNDS_FOR_CURVES } from "./replay.ts";

const poolOf = (e: EffectsRow) => `${e.task}/${e.model} N=${e.N} (S=${e.seeds}, G=${e.G})`;

const facet = (rows: { pool: string }[]) =>
  orderedFacet("pool", "pool (task/model, breadth N: S seeds, G rounds, K arms)", rows);

/** Pools kept: enough rounds for a policy to try its arms (G ≥ 4, G ≥ K). */
const kept = (a: Analysis) => a.effects.filter((e) => e.G >= MIN_ROUNDS_FOR_CURVES && e.G >= e.K);

// two-step ablation ---------------------------------------------------------

export interface StepRow extends Record<string, unknown> {
  pool: string;
  policy: string;
  step: string;
  diff: number;
  lo: number | null;
  hi: number | null;
}

const STEPS = [
  "pool effect: random − single",
  "allocation effect: policy − random",
  "total: policy − single",
];

export function effectsData(a: Analysis): FigureData<StepRow> {
  const main = new Map(a.replays.map((r) => [`${r.task}\u0000${r.model}\u0000${r.N}`, r.K]));
  const rows: StepRow[] = [];
  for (const e of kept(a)) {
    if (main.get(`${e.task}\u0000${e.model}\u0000${e.N}`) !== e.K) continue;
    const pool = `${poolOf(e).slice(0, -1)}, K=${e.K})`;
    const add = (step: string, diff: number, ci: [number, number] | null) =>
      rows.push({ pool, policy: e.policy, step, diff, lo: ci?.[0] ?? null, hi: ci?.[1] ?? null });
    add(STEPS[0]!, e.pool_effect, e.pool_ci95);
    if (e.policy !== "random") add(STEPS[1]!, e.allocation_effect, e.allocation_ci95);
    add(STEPS[2]!, e.total_effect, e.total_ci95);
  }
  if (rows.length === 0)
    return { skip: `no replayed pool with a random policy and at least ${MIN_ROUNDS_FOR_CURVES} rounds` };
  return { rows };
}

export function effectsSpec(rows: StepRow[]): TopLevelSpec {
  return faceted({
    title: title("Pool effect and allocation effect, per replayed pool", [
      "Paired differences of mean final fitness on the same instances, with 95% intervals over the seed pool:",
      "single run with all G rounds → random over K arms (pool effect) → each policy (allocation effect).",
    ]),
    rows,
    facet: facet(rows),
    columns: 3,
    spec: {
      width: 300,
      // with yOffset the step is per sub-band: 3 steps per policy
      height: { step: 8 },
      layer: differenceForest({
        by: "step",
        legendTitle: "step",
        order: STEPS,
        look: {
          scale: { domain: STEPS, scheme: "dark2" },
          legend: { labelLimit: 0, orient: "top", direction: "vertical" },
        },
        rule: { type: "rule" },
        point: { type: "point", filled: true, size: 36 },
        tooltip: [{ field: "policy" }, { field: "step" }, { field: "diff", format: ".4f" }, ...CI_TOOLTIP],
      }),
    },
    independent: ["x"],
  });
}

export const effectsFigure = figure({
  name: "pool-allocation-effects",
  title: "Pool effect and allocation effect",
  howToRead:
    "The paper's two-step ablation on each replayed pool. The pool effect (random − single) is what running K independent trajectories and keeping the best buys over one run given all G rounds; the allocation effect (policy − random) is what choosing which arm to pull adds on top. The total is their sum. A bar that does not cross the dashed zero line is a difference the seed pool supports at 95%.",
  usesReplay: true,
  data: effectsData,
  spec: effectsSpec,
});

// K ablation ------------------------------------------------------------------

export interface KRow extends Record<string, unknown> {
  pool: string;
  policy: string;
  K: number;
  gain: number;
  lo: number | null;
  hi: number | null;
}

export function kAblationData(a: Analysis): FigureData<KRow> {
  const byPool = new Map<string, EffectsRow[]>();
  for (const e of kept(a)) {
    const k = poolOf(e);
    if (!byPool.has(k)) byPool.set(k, []);
    byPool.get(k)!.push(e);
  }
  const rows: KRow[] = [];
  for (const [pool, list] of byPool) {
    if (new Set(list.map((e) => e.K)).size < 2) continue;
    for (const e of list)
      rows.push({
        pool,
        policy: e.policy,
        K: e.K,
        gain: e.total_effect,
        lo: e.total_ci95?.[0] ?? null,
        hi: e.total_ci95?.[1] ?? null,
      });
  }
  if (rows.length === 0) return { skip: "no replayed pool has enough seeds and rounds for two values of K" };
  return { rows };
}

export function kAblationSpec(rows: KRow[]): TopLevelSpec {
  const Ks = [...new Set(rows.map((r) => r.K))].sort((p, q) => p - q);
  const policies = [...new Set(rows.map((r) => r.policy))].sort();
  // policies side by side around each K: a small multiplicative offset on the log axis
  const spread = 0.025;
  const placed = rows.map((r) => ({
    ...r,
    xk: r.K * Math.exp(spread * (policies.indexOf(r.policy) - (policies.length - 1) / 2)),
  }));
  const x: Channel<"x"> = {
    field: "xk",
    type: "quantitative",
    title: "K arms (parallel runs, log scale)",
    scale: { type: "log", domain: [Ks[0]! * 0.7, Ks.at(-1)! * 1.4] },
    axis: { values: Ks, format: "d", grid: false },
  };
  return faceted({
    title: title("K ablation: gain over a single run vs the number of arms K", [
      "Mean final fitness of each policy over K logged seeds minus one run given all G rounds (paired), with 95% intervals over the seed pool.",
    ]),
    rows: placed,
    facet: facet(rows),
    columns: 3,
    spec: {
      width: 280,
      height: 200,
      layer: forestLayers({
        axis: "y",
        at: { x },
        value: { field: "gain", type: "quantitative", title: "gain over single (fitness)" },
        color: colorBy("policy", "policy", "category10"),
        rule: { type: "rule" },
        point: { type: "point", filled: true, size: 30 },
        tooltip: [{ field: "policy" }, { field: "K" }, { field: "gain", format: ".4f" }, ...CI_TOOLTIP],
      }),
    },
    independent: ["y"],
  });
}

export const kAblationFigure = figure({
  name: "k-ablation",
  title: "K ablation",
  howToRead:
    "Each pool replayed at every K in {2, 3, 5, 10, 20, 50} that its seeds allow (K ≤ S − 1), at the pool's G rounds. A point above the dashed line is a policy whose K parallel arms beat one run given the whole budget; where the gain peaks is the best number of arms (the paper found K = 5–20 best and K = 50 diluting the refinement).",
  usesReplay: true,
  data: kAblationData,
  spec: kAblationSpec,
});
