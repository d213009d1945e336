/**
 * The analysis stage between the tables and the figures: everything a
 * figure's data step may need, computed once.
 *
 *   tables ─> split outcomes ─> bilinear fits, Φ-model
 *          ─> longest curves ─> learning curves
 *          ─> envelope (flops, calls)
 *   replay results (computed by the caller from the run records) ──> figures
 */
import type { TimeoutPolicy } from "../log/schema.ts";
import { type BilinearCell, bilinearFits } from "./bilinear.ts";
import type { EffectsRow } from "./effects.ts";
import { type Envelope, envelope } from "./envelope.ts";
import { type LearningCell, learningCurves } from "./learning.ts";
import { type PhiCell, type PhiResponse, phiFits } from "./phi.ts";
import type { PoolReplay } from "./replays.ts";
import { type Curve, longestCurves, type SplitOutcome, splitOutcomes } from "./splits.ts";
import { runRows, type Tables } from "./tables.ts";
import type { ReachRow } from "./threshold.ts";

export interface Analysis {
  tables: Tables;
  outcomes: SplitOutcome[];
  curves: Curve[];
  bilinear: BilinearCell[];
  learning: LearningCell[];
  envelope: Envelope;
  /** The Φ-model per (task, model). */
  phi: PhiCell[];
  /** The timeout policy behind the FLOPs axis. */
  flopsPolicy: TimeoutPolicy;
  replays: PoolReplay[];
  /** Threshold-reaching rows (greedy N, replayed policies, online sets); filled by the report. */
  reach: ReachRow[];
  /** Pool / allocation effects of every replayed policy at every K of the ablation; filled by the report. */
  effects: EffectsRow[];
}

export interface AnalyseOptions {
  flopsPolicy?: TimeoutPolicy;
  replays?: PoolReplay[];
  /** The Φ-model's ceiling per task (task.json `ceiling`; missing: 1.0). */
  ceilings?: ReadonlyMap<string, { ceiling: number; source: string }>;
  /** Φ-model response: "log" (ln(1 − V/V*), the default) or "linear" (V). */
  phiResponse?: PhiResponse;
  /** Seed-cluster bootstrap resamples of the Φ-model (default 1000) and their seed (default 0). */
  bootstrap?: number;
  seed?: number;
}

/** The task keys of the runs in `tables`, sorted (whose ceilings the Φ-model needs). */
export function taskKeys(tables: Tables): string[] {
  return [...new Set(runRows(tables).map((r) => r.task))].sort();
}

/** Derives every fit and intermediate table from `tables`. Pure. */
export function analyse(tables: Tables, opts: AnalyseOptions = {}): Analysis {
  const outcomes = splitOutcomes(tables);
  const curves = longestCurves(tables);
  const flopsPolicy = opts.flopsPolicy ?? "worst_case";
  return {
    tables,
    outcomes,
    curves,
    bilinear: bilinearFits(outcomes),
    learning: learningCurves(curves, { bootstrap: opts.bootstrap ?? 1000, seed: opts.seed ?? 0 }),
    envelope: envelope(curves, flopsPolicy),
    phi: phiFits(outcomes, {
      ...(opts.ceilings ? { ceilings: opts.ceilings } : {}),
      response: opts.phiResponse ?? "log",
      bootstrap: opts.bootstrap ?? 1000,
      seed: opts.seed ?? 0,
    }),
    flopsPolicy,
    replays: opts.replays ?? [],
    reach: [],
    effects: [],
  };
}
