/**
 * The fitness–compute envelope per (task, model). For each breadth N, the
 * mean best-so-far over **all** seeds of that N at every generation g (each
 * seed once, through its longest curve: exact runs and prefixes of deeper
 * runs alike) with its Student-t interval, against the mean cumulative
 * compute spent by then (calls g·N, or effective FLOPs under the chosen
 * timeout policy). The frontier is the upper envelope over N of those means:
 * the best mean fitness any breadth reached with at most x compute. Taking
 * means per logged (C, T) group instead would pick seed subsets (a C = 64 run
 * group holds 10 of the 20 seeds of the same N process).
 *
 * Across models (issue "envelope collapse"): where a task has ≥ 2 models, one
 * pooled non-decreasing curve of fitness against log compute (isotonic
 * regression over every model's frontier points) and each model's R² against
 * it, on FLOPs (models that record FLOPs) and on calls.
 *
 * Models that record no FLOPs (the built-in mutator, params_active 0) appear
 * on the calls axis only.
 */
import type { TimeoutPolicy } from "../log/schema.ts";
import { tInterval } from "../util/interval.ts";
import { mean } from "../util/stats.ts";
import type { Curve } from "./splits.ts";

export type EnvelopeAxis = "flops" | "calls";

/** One breadth's mean curve at one generation. */
export interface CurvePoint {
  task: string;
  model: string;
  axis: EnvelopeAxis;
  N: number;
  generation: number;
  /** Mean compute after `generation` generations. */
  x: number;
  /** Mean best-so-far fitness over the seeds, its t interval (null with one seed) and the seed count. */
  y: number;
  lo: number | null;
  hi: number | null;
  n: number;
}

export interface FrontierPoint extends CurvePoint {
  /** "T×N": the generation and breadth that reach it. */
  split: string;
}

export interface FlopsRatio {
  task: string;
  model: string;
  worst_case: number;
  exclude: number;
  /** worst_case / exclude; null when exclude is 0. */
  ratio: number | null;
}

export interface CollapseCell {
  task: string;
  axis: EnvelopeAxis;
  models: string[];
  n_points: number;
  /** R² of every model's frontier points pooled against the one curve. */
  r2: number;
  per_model: { model: string; n: number; r2: number }[];
  /** The pooled non-decreasing curve, at every pooled point's x. */
  curve: { x: number; y: number }[];
}

export interface Envelope {
  points: CurvePoint[];
  frontier: FrontierPoint[];
  /** worst_case / exclude FLOPs per (task, model) that records FLOPs. */
  flops_ratio: FlopsRatio[];
  /** Envelope collapse across models, per task and axis. */
  collapse: CollapseCell[];
  /** What is left out and why; ratio statements above 1.05. */
  notes: string[];
}

/** The worst_case/exclude FLOPs ratio above which the report states it. */
export const RATIO_NOTE = 1.05;

/**
 * Upper monotone frontier of (x, y): points sorted by x (ties: higher y
 * first), kept where y exceeds every y at smaller or equal x. O(n log n).
 *
 * @example upperFrontier([{x:1,y:1},{x:2,y:0.5},{x:3,y:2}]) // => [{x:1,y:1},{x:3,y:2}]
 */
export function upperFrontier<P extends { x: number; y: number }>(points: readonly P[]): P[] {
  const sorted = [...points].filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  sorted.sort((a, b) => a.x - b.x || b.y - a.y);
  const out: P[] = [];
  let best = Number.NEGATIVE_INFINITY;
  for (const p of sorted) {
    if (p.y > best) {
      out.push(p);
      best = p.y;
    }
  }
  return out;
}

/**
 * Isotonic (non-decreasing) least-squares fit of `y` in the given order, by
 * pool-adjacent-violators. O(n).
 *
 * @example isotonic([1, 3, 2, 4]) // => [1, 2.5, 2.5, 4]
 */
export function isotonic(y: readonly number[]): number[] {
  const value: number[] = [];
  const weight: number[] = [];
  for (const v of y) {
    value.push(v);
    weight.push(1);
    while (value.length > 1 && value.at(-2)! > value.at(-1)!) {
      const w = weight.at(-2)! + weight.at(-1)!;
      const m = (value.at(-2)! * weight.at(-2)! + value.at(-1)! * weight.at(-1)!) / w;
      value.splice(-2, 2, m);
      weight.splice(-2, 2, w);
    }
  }
  return value.flatMap((v, i) => new Array<number>(weight[i]!).fill(v));
}

const key = (...parts: (string | number)[]) => parts.join("\u0000");

/** The envelope of every (task, model) on both axes; FLOPs under `policy` (default worst_case). */
export function envelope(curves: readonly Curve[], policy: TimeoutPolicy = "worst_case"): Envelope {
  const notes: string[] = [];
  const pools = new Map<string, Curve[]>();
  for (const c of curves) {
    const k = key(c.task, c.model, String(c.N).padStart(9, "0"));
    if (!pools.has(k)) pools.set(k, []);
    pools.get(k)!.push(c);
  }
  // which cells record FLOPs, and their worst_case/exclude totals
  const totals = new Map<string, { task: string; model: string; wc: number; ex: number }>();
  for (const c of curves) {
    const k = key(c.task, c.model);
    const t = totals.get(k) ?? { task: c.task, model: c.model, wc: 0, ex: 0 };
    t.wc += c.flopsBy.worst_case.at(-1) ?? 0;
    t.ex += c.flopsBy.exclude.at(-1) ?? 0;
    totals.set(k, t);
  }
  const points: CurvePoint[] = [];
  for (const k of [...pools.keys()].sort()) {
    const cs = pools.get(k)!;
    const c0 = cs[0]!;
    const hasFlops = (totals.get(key(c0.task, c0.model))?.wc ?? 0) > 0;
    const depth = Math.max(...cs.map((c) => c.best.length - 1));
    const shallow = Math.min(...cs.map((c) => c.best.length - 1));
    if (shallow < depth)
      notes.push(
        `${c0.task} / ${c0.model} / N=${c0.N}: ${cs.length} seeds up to generation ${shallow}, fewer beyond (up to ${depth}); each point's n says how many`,
      );
    for (let g = 0; g <= depth; g++) {
      const at = cs.filter((c) => c.best.length > g);
      const t = tInterval(at.map((c) => c.best[g]!));
      const base = {
        task: c0.task,
        model: c0.model,
        N: c0.N,
        generation: g,
        y: t.mean,
        lo: t.lo,
        hi: t.hi,
        n: t.n,
      };
      points.push({ ...base, axis: "calls", x: mean(at.map((c) => c.calls[g]!)) });
      if (hasFlops) points.push({ ...base, axis: "flops", x: mean(at.map((c) => c.flopsBy[policy][g]!)) });
    }
  }
  const flopsRatio: FlopsRatio[] = [];
  for (const t of [...totals.values()].sort(
    (a, b) => a.task.localeCompare(b.task) || a.model.localeCompare(b.model),
  )) {
    if (t.wc <= 0) {
      notes.push(
        `${t.task} / ${t.model}: no FLOPs recorded (params_active 0, e.g. the built-in mutator); shown on the calls axis only`,
      );
      continue;
    }
    const ratio = t.ex > 0 ? t.wc / t.ex : null;
    flopsRatio.push({ task: t.task, model: t.model, worst_case: t.wc, exclude: t.ex, ratio });
    if (ratio === null)
      notes.push(
        `${t.task} / ${t.model}: every FLOP under worst_case comes from timed-out calls (exclude counts 0)`,
      );
    else if (ratio > RATIO_NOTE)
      notes.push(
        `${t.task} / ${t.model}: worst-case FLOPs are ${ratio.toFixed(2)}× the exclude FLOPs (timeouts priced at the max_tokens asked); the FLOPs axis uses ${policy}`,
      );
  }
  const groups = new Map<string, CurvePoint[]>();
  for (const p of points) {
    const k = key(p.task, p.model, p.axis);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(p);
  }
  const frontier: FrontierPoint[] = [];
  for (const k of [...groups.keys()].sort())
    for (const p of upperFrontier(groups.get(k)!)) frontier.push({ ...p, split: `${p.generation}×${p.N}` });
  const collapse = collapseAcrossModels(frontier, notes);
  return { points, frontier, flops_ratio: flopsRatio, collapse, notes };
}

/**
 * One pooled non-decreasing curve of fitness against log compute per (task,
 * axis) with ≥ 2 models, over their frontier points with x > 0, and the R² of
 * each model's points against it (1 − SS_res/SS_tot about that model's mean).
 */
export function collapseAcrossModels(
  frontier: readonly FrontierPoint[],
  notes: string[] = [],
): CollapseCell[] {
  const out: CollapseCell[] = [];
  const byTask = new Map<string, FrontierPoint[]>();
  for (const p of frontier) {
    if (!(p.x > 0)) continue;
    const k = key(p.task, p.axis);
    if (!byTask.has(k)) byTask.set(k, []);
    byTask.get(k)!.push(p);
  }
  for (const k of [...byTask.keys()].sort()) {
    const pts = byTask.get(k)!;
    const [task, axis] = k.split("\u0000") as [string, EnvelopeAxis];
    const models = [...new Set(pts.map((p) => p.model))].sort();
    if (models.length < 2) {
      if (axis === "calls")
        notes.push(`${task}: one model (${models.join(", ")}): no collapse across models to measure`);
      continue;
    }
    const sorted = [...pts].sort((a, b) => a.x - b.x || a.y - b.y);
    const fitted = isotonic(sorted.map((p) => p.y));
    const r2 = (ps: FrontierPoint[], fs: number[]) => {
      const m = mean(ps.map((p) => p.y));
      let res = 0;
      let tot = 0;
      ps.forEach((p, i) => {
        res += (p.y - fs[i]!) ** 2;
        tot += (p.y - m) ** 2;
      });
      return tot > 0 ? 1 - res / tot : Number.NaN;
    };
    out.push({
      task,
      axis,
      models,
      n_points: sorted.length,
      r2: r2(sorted, fitted),
      per_model: models.map((model) => {
        const idx = sorted.flatMap((p, i) => (p.model === model ? [i] : []));
        return {
          model,
          n: idx.length,
          r2: r2(
            idx.map((i) => sorted[i]!),
            idx.map((i) => fitted[i]!),
          ),
        };
      }),
      curve: sorted.map((p, i) => ({ x: p.x, y: fitted[i]! })),
    });
  }
  return out;
}
