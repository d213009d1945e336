/**
 * The fitness–compute envelope per (task, model): every split's mean curve
 * (mean best-so-far over its seeds at each generation, against the mean
 * cumulative compute spent) and the upper monotone frontier over all of
 * them — the best mean fitness any logged split reached with at most x
 * compute. Two compute axes: cumulative effective FLOPs and cumulative calls.
 * Models that record no FLOPs (the built-in mutator, params_active 0) appear
 * on the calls axis only.
 */
import { op } from "arquero";
import type { TimeoutPolicy } from "../log/schema.ts";
import type { Tables } from "./tables.ts";

export type EnvelopeAxis = "flops" | "calls";

export interface CurvePoint {
  task: string;
  model: string;
  axis: EnvelopeAxis;
  C: number;
  T: number;
  N: number;
  generation: number;
  x: number;
  y: number;
  n: number;
}

export interface FrontierPoint {
  task: string;
  model: string;
  axis: EnvelopeAxis;
  x: number;
  y: number;
  /** The split that reaches it, "T×N". */
  split: string;
}

export interface Envelope {
  points: CurvePoint[];
  frontier: FrontierPoint[];
  /** (task, model) cells left off the FLOPs axis, with why. */
  notes: string[];
}

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

/** The envelope of every (task, model) on both axes; FLOPs under `policy` (default worst_case). */
export function envelope(t: Tables, policy: TimeoutPolicy = "worst_case"): Envelope {
  const notes: string[] = [];
  if (t.generations.numRows() === 0) return { points: [], frontier: [], notes };
  const means = t.generations
    .groupby("task", "model", "C", "T", "N", "generation")
    .rollup({
      y: op.mean("best_fitness"),
      calls: op.mean("calls"),
      flops: `d => op.mean(d.flops_${policy})`,
      n: op.count(),
    })
    .orderby("task", "model", "C", "T", "generation")
    .objects() as {
    task: string;
    model: string;
    C: number;
    T: number;
    N: number;
    generation: number;
    y: number;
    calls: number;
    flops: number;
    n: number;
  }[];
  const cellFlops = new Map<string, number>();
  for (const m of means) {
    const k = `${m.task}\u0000${m.model}`;
    cellFlops.set(k, Math.max(cellFlops.get(k) ?? 0, m.flops));
  }
  const points: CurvePoint[] = [];
  for (const m of means) {
    const base = {
      task: m.task,
      model: m.model,
      C: m.C,
      T: m.T,
      N: m.N,
      generation: m.generation,
      y: m.y,
      n: m.n,
    };
    points.push({ ...base, axis: "calls", x: m.calls });
    if ((cellFlops.get(`${m.task}\u0000${m.model}`) ?? 0) > 0)
      points.push({ ...base, axis: "flops", x: m.flops });
  }
  for (const [k, f] of cellFlops) {
    if (f > 0) continue;
    const [task, model] = k.split("\u0000");
    notes.push(
      `${task} / ${model}: no FLOPs recorded (params_active 0, e.g. the built-in mutator); shown on the calls axis only`,
    );
  }
  const groups = new Map<string, CurvePoint[]>();
  for (const p of points) {
    const k = `${p.task}\u0000${p.model}\u0000${p.axis}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(p);
  }
  const frontier: FrontierPoint[] = [];
  for (const k of [...groups.keys()].sort()) {
    for (const p of upperFrontier(groups.get(k)!))
      frontier.push({ task: p.task, model: p.model, axis: p.axis, x: p.x, y: p.y, split: `${p.T}×${p.N}` });
  }
  return { points, frontier, notes };
}
