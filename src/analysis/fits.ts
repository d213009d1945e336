/**
 * The fits of an analysis as one JSON-ready object (`reports/fits.json`,
 * `evoalloc fit --json`): bilinear depth–breadth fits, the envelope
 * frontiers, the saturating learning curves and, when replays ran, the
 * replay summaries. Typed arrays and per-instance data are left out.
 */
import type { Analysis } from "./analysis.ts";
import type { BilinearCell } from "./bilinear.ts";
import type { FrontierPoint } from "./envelope.ts";
import type { LearningCell } from "./learning.ts";

export interface ReplaySummary {
  task: string;
  model: string;
  N: number;
  K: number;
  rounds: number;
  seeds: number[];
  n_instances: number;
  enumerated: boolean;
  bootstrap: number;
  notes: string[];
  /** Policies and references: mean, median, iqm, q05, q95, ci95 (+ policy-only fields). */
  allocations: Record<string, Record<string, unknown>>;
}

export interface FitsReport {
  timeout_policy: string;
  bilinear: BilinearCell[];
  learning: LearningCell[];
  envelope: { frontier: FrontierPoint[]; notes: string[] };
  replay: ReplaySummary[];
}

/** Collects the fits of `a` (pure). */
export function fitsReport(a: Analysis): FitsReport {
  return {
    timeout_policy: a.flopsPolicy,
    bilinear: a.bilinear,
    learning: a.learning,
    envelope: { frontier: a.envelope.frontier, notes: a.envelope.notes },
    replay: a.replays.map((r) => ({
      task: r.task,
      model: r.model,
      N: r.N,
      K: r.K,
      rounds: r.rounds,
      seeds: r.pool,
      n_instances: r.n_instances,
      enumerated: r.enumerated,
      bootstrap: r.bootstrap,
      notes: r.notes,
      allocations: {
        ...Object.fromEntries(Object.entries(r.policies).map(([k, v]) => [k, { ...v }])),
        ...Object.fromEntries(Object.entries(r.references).map(([k, v]) => [k, { ...v }])),
      },
    })),
  };
}

/** Plain-text rendering of the fits for the terminal (`evoalloc fit`). */
export function fitsText(f: FitsReport): string {
  const out: string[] = [];
  const num = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
  out.push("Bilinear depth–breadth fits: y = b0 + bT·log2 T + bN·log2 N + bTN·log2 T·log2 N");
  if (f.bilinear.length === 0) out.push("  (no greedy runs)");
  for (const c of f.bilinear) {
    const head = `  ${c.task} / ${c.model}: n=${c.n}, ${c.n_splits} splits, budgets C=${c.budgets.join(",")}`;
    if (!c.fittable) {
      out.push(`${head}: not fittable — ${c.reason}`);
      continue;
    }
    out.push(`${head}, R²=${num(c.r2, 3)}, adj R²=${num(c.adj_r2, 3)}`);
    for (const k of c.coefficients)
      out.push(
        `    ${k.term.padEnd(4)} ${num(k.estimate).padStart(9)} ± ${num(k.se)}  95% [${num(k.lo)}, ${num(k.hi)}]  p=${k.p.toPrecision(3)}`,
      );
    out.push(
      `    interaction vs additive: F(${c.interaction.df1}, ${c.interaction.df2}) = ${num(c.interaction.F, 3)}, p = ${c.interaction.p.toPrecision(3)}`,
    );
  }
  out.push("", "Saturating learning curves f(t) = a − (a − f0)·exp(−t/τ):");
  if (f.learning.length === 0) out.push("  (no greedy runs)");
  for (const l of f.learning) {
    const head = `  ${l.task} / ${l.model} / N=${l.N}: ${l.n_seeds} seeds, depth ${l.depth}`;
    if (!l.fittable) out.push(`${head}: not fittable — ${l.reason}`);
    else
      out.push(
        `${head}: a=${num(l.a)} f0=${num(l.f0)} τ=${num(l.tau, 2)} RMSE=${num(l.rmse, 5)} R²=${num(l.r2, 3)}${l.note ? ` (${l.note})` : ""}`,
      );
  }
  out.push(
    "",
    `Envelope frontier points (FLOPs under ${f.timeout_policy} timeouts, and calls): ${f.envelope.frontier.length}`,
  );
  for (const n of f.envelope.notes) out.push(`  note: ${n}`);
  return `${out.join("\n")}\n`;
}
