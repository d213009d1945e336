/**
 * The analysis stage between the tables and the figures: everything a
 * figure's data step may need, computed once.
 *
 *   tables ─> split outcomes ─> bilinear fits
 *          ─> longest curves ─> learning curves
 *          ─> envelope (flops, calls)
 *   replay results (computed by the caller from the run records) ──> figures
 */
import type { TimeoutPolicy } from "../log/schema.ts";
import { type BilinearCell, bilinearFits } from "./bilinear.ts";
import { type Envelope, envelope } from "./envelope.ts";
import { type LearningCell, learningCurves } from "./learning.ts";
import type { PoolReplay } from "./replays.ts";
import { type Curve, longestCurves, type SplitOutcome, splitOutcomes } from "./splits.ts";
import type { Tables } from "./tables.ts";

export interface Analysis {
  tables: Tables;
  outcomes: SplitOutcome[];
  curves: Curve[];
  bilinear: BilinearCell[];
  learning: LearningCell[];
  envelope: Envelope;
  /** The timeout policy behind the FLOPs axis. */
  flopsPolicy: TimeoutPolicy;
  replays: PoolReplay[];
}

export interface AnalyseOptions {
  flopsPolicy?: TimeoutPolicy;
  replays?: PoolReplay[];
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
    learning: learningCurves(curves),
    envelope: envelope(tables, flopsPolicy),
    flopsPolicy,
    replays: opts.replays ?? [],
  };
}
