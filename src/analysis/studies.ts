/**
 * The paper's studies on top of the logs and the replays: threshold-reaching
 * for every greedy N, replayed policy and online bandit set, and the
 * two-step ablation (pool effect, allocation effect) over K.
 *
 *   greedy curves (per seed) ───────────────┐
 *   online runs (per bandit seed) ──────────┼─> bootstrap of the mean curve ─> earliest reach of τ
 *   pool ─> replay instances' curves ───────┘
 *   pool ─> replay at each K of the ablation ─> effects (single → random → policy)
 *
 * Pure: tables, pools and replay results in, rows out.
 */
import type { Pool, ReplayResult } from "../replay/index.ts";
import { replay } from "../replay/index.ts";
import { groupBy } from "../util/group-by.ts";
import type { Analysis } from "./analysis.ts";
import { ablationKs, type EffectsRow, effects } from "./effects.ts";
import type { Curve } from "./splits.ts";
import { banditRows, roundRows, runRows, type Tables } from "./tables.ts";
import {
  bootstrapMeanCurves,
  defaultTaus,
  type ReachGroup,
  type ReachRow,
  reachRows,
  replayMeanCurves,
} from "./threshold.ts";

export type Taus = Map<string, { tau: number; level: number | null }[]>;

export interface Studies {
  reach: ReachRow[];
  /** Effects of every policy at every K of the ablation, per pool. */
  effects: EffectsRow[];
  notes: string[];
}

/** Best final fitness seen per task (greedy and online runs), for the default τ. */
export function bestByTask(t: Tables): Map<string, number> {
  const out = new Map<string, number>();
  const see = (task: string, v: number) => {
    if (Number.isFinite(v) && !(v <= (out.get(task) ?? Number.NEGATIVE_INFINITY))) out.set(task, v);
  };
  for (const r of runRows(t)) see(r.task, r.final_fitness);
  for (const r of banditRows(t)) see(r.task, r.final_best_fitness);
  return out;
}

/** τ per task: `given`, or 50/75/90% of the best fitness seen. */
export function tausOf(t: Tables, given?: readonly number[]): Taus {
  return defaultTaus(bestByTask(t), given);
}

const key = (...p: (string | number)[]) => p.join("\u0000");

/**
 * Threshold rows of one set of units (their best-so-far curves) for each τ of
 * its task: the lower bound of the bootstrapped mean curve; none when the task
 * has no τ.
 */
function setReach(
  set: Omit<ReachGroup, "units" | "curves">,
  units: readonly number[][],
  taus: Taus,
  boot: { replicates: number; seed: number },
): ReachRow[] {
  const t = taus.get(set.task);
  if (!t) return [];
  const curves = bootstrapMeanCurves(units, boot.replicates, boot.seed);
  return reachRows({ ...set, units: units.length, curves }, t);
}

/** Threshold-reaching of one greedy run per N: units are the seeds of (task, model, N), cut at their common depth. */
export function greedyReach(
  curves: readonly Curve[],
  taus: Taus,
  replicates: number,
  seed: number,
): ReachRow[] {
  const groups = groupBy(curves, (c) => key(c.task, c.model, c.N));
  return [...groups.values()].flatMap((g) => {
    const { task, model, N } = g[0]!;
    const set = { task, model, kind: "greedy", method: `greedy N=${N}`, policy: null, N, K: null } as const;
    const units = g.map((c) => c.best);
    return setReach(set, units, taus, { replicates, seed });
  });
}

/**
 * Threshold-reaching of the logged online bandit runs: one set per (task,
 * model, algo, N, K, C), units are its runs (bandit seeds). Step 0 is the
 * task's initial fitness (from the greedy curves of the same model, else
 * −∞: not reached at step 0).
 */
export function onlineReach(
  t: Tables,
  curves: readonly Curve[],
  taus: Taus,
  replicates: number,
  seed: number,
): ReachRow[] {
  const initial = new Map<string, number>();
  for (const c of curves)
    if (!initial.has(key(c.task, c.model))) initial.set(key(c.task, c.model), c.best[0]!);
  const rounds = roundRows(t);
  interface OnlineRun {
    set: string;
    head: (typeof rounds)[number];
    curve: number[];
  }
  const runs = new Map<number, OnlineRun>();
  for (const r of rounds) {
    let run = runs.get(r.bandit_id);
    if (!run) {
      run = {
        set: key(r.task, r.model, r.algo, r.N, r.n_arms, r.C),
        head: r,
        curve: [initial.get(key(r.task, r.model)) ?? Number.NEGATIVE_INFINITY],
      };
      runs.set(r.bandit_id, run);
    }
    run.curve[r.round] = r.running_best ?? Number.NEGATIVE_INFINITY;
  }
  const sets = groupBy(runs.values(), (run) => run.set);
  return [...sets.values()].flatMap((list) => {
    const h = list[0]!.head;
    const method = `online ${h.algo} (K=${h.n_arms}, N=${h.N})`;
    const set = {
      task: h.task,
      model: h.model,
      kind: "online",
      method,
      policy: h.algo,
      N: h.N,
      K: h.n_arms,
    } as const;
    const units = list.map((x) => x.curve);
    return setReach(set, units, taus, { replicates, seed });
  });
}

/** Instances behind each K-ablation replay (a seeded sample when a pool has more K-subsets). */
export const ABLATION_INSTANCES = 1000;

export interface PoolStudyOptions {
  taus: Taus;
  /** Bootstrap resamples behind threshold-reaching (the paper: 1,000). */
  reachReplicates: number;
  /** Bootstrap resamples and instances of each K-ablation replay. */
  bootstrap: number;
  maxInstances: number;
  seed: number;
}

/**
 * Threshold-reaching of every policy replayed on `pool` at the report's K
 * and G (`main`), and the effects at every K of the ablation at that G.
 */
export function poolStudies(pool: Pool, main: ReplayResult, opts: PoolStudyOptions): Studies {
  const notes: string[] = [];
  const policies = Object.keys(main.policies);
  const rows: ReachRow[] = [];
  const t = opts.taus.get(pool.task);
  if (t) {
    const curves = replayMeanCurves(pool, {
      K: main.K,
      rounds: main.rounds,
      policies,
      seed: opts.seed,
    });
    for (const [policy, c] of curves)
      rows.push(
        ...reachRows(
          {
            task: pool.task,
            model: pool.model,
            kind: "replay",
            method: `${policy} (K=${main.K}, N=${pool.N})`,
            policy,
            N: pool.N,
            K: main.K,
            units: pool.seeds.length,
            curves: c,
          },
          t,
        ),
      );
  }
  const eff: EffectsRow[] = [];
  for (const K of ablationKs(pool.seeds.length)) {
    const r =
      K === main.K
        ? main
        : replay(pool, {
            K,
            rounds: main.rounds,
            policies,
            bootstrap: opts.bootstrap,
            maxInstances: Math.min(opts.maxInstances, ABLATION_INSTANCES),
            seed: opts.seed,
            // the ablation reads the final outcomes only: no per-round curves
            curveInstances: 0,
          });
    const e = effects(r);
    if (e) eff.push(...e);
    else
      notes.push(`${pool.task} / ${pool.model} / N=${pool.N}, K=${K}: no random policy replayed, no effects`);
  }
  return { reach: rows, effects: eff, notes };
}

/** Study rows of several pools, concatenated. */
export function mergeStudies(list: readonly Studies[]): Studies {
  return {
    reach: list.flatMap((s) => s.reach),
    effects: list.flatMap((s) => s.effects),
    notes: list.flatMap((s) => s.notes),
  };
}

/**
 * The analysis with the studies filled in: threshold-reaching from the logs
 * (greedy N, online sets) and from the replay stage, and the effects.
 */
export function withStudies(
  a: Analysis,
  stage: { replays: ReplayResult[]; studies: Studies },
  taus: Taus,
  replicates: number,
  seed: number,
): Analysis {
  return {
    ...a,
    replays: stage.replays,
    reach: [
      ...greedyReach(a.curves, taus, replicates, seed),
      ...onlineReach(a.tables, a.curves, taus, replicates, seed),
      ...stage.studies.reach,
    ],
    effects: stage.studies.effects,
  };
}
