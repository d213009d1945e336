/**
 * The fits of an analysis as one JSON-ready object (`reports/fits.json`,
 * `evoalloc fit --json`): bilinear depth–breadth fits, the envelope
 * frontiers, the saturating learning curves and, when replays ran, the
 * replay summaries. Typed arrays and per-instance data are left out.
 */
import type { Analysis } from "./analysis.ts";
import type { BilinearCell } from "./bilinear.ts";
import type { CollapseCell, FlopsRatio, FrontierPoint } from "./envelope.ts";
import type { LearningCell } from "./learning.ts";
import type { PhiCell } from "./phi.ts";

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
  envelope: { frontier: FrontierPoint[]; flops_ratio: FlopsRatio[]; notes: string[] };
  /** Per task with ≥ 2 models: one pooled monotone curve and each model's R² against it, per axis. */
  envelope_collapse: CollapseCell[];
  /** The Φ-model in the paper's form, per (task, model). */
  phi: PhiCell[];
  replay: ReplaySummary[];
}

/** Collects the fits of `a` (pure). */
export function fitsReport(a: Analysis): FitsReport {
  return {
    timeout_policy: a.flopsPolicy,
    bilinear: a.bilinear,
    learning: a.learning,
    envelope: { frontier: a.envelope.frontier, flops_ratio: a.envelope.flops_ratio, notes: a.envelope.notes },
    envelope_collapse: a.envelope.collapse,
    phi: a.phi,
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
        `    ${k.term.padEnd(4)} ${num(k.estimate).padStart(9)} ± ${num(k.se)}  95% [${num(k.lo)}, ${num(k.hi)}]  p=${k.p.toPrecision(3)}${k.se_clustered !== null ? `  seed-clustered ± ${num(k.se_clustered)} [${num(k.lo_clustered!)}, ${num(k.hi_clustered!)}]` : ""}`,
      );
    out.push(
      `    interaction vs additive: F(${c.interaction.df1}, ${c.interaction.df2}) = ${num(c.interaction.F, 3)}, p = ${c.interaction.p.toPrecision(3)}`,
    );
  }
  out.push("", ...phiText(f.phi));
  out.push("", "Saturating learning curves f(t) = a − (a − f0)·exp(−t/τ) [95% seed-bootstrap intervals]:");
  if (f.learning.length === 0) out.push("  (no greedy runs)");
  for (const l of f.learning) {
    const head = `  ${l.task} / ${l.model} / N=${l.N}: ${l.n_seeds} seeds, depth ${l.depth}`;
    if (!l.fittable) out.push(`${head}: not fittable — ${l.reason}`);
    else
      out.push(
        `${head}: a=${num(l.a)}${ci(l.a_ci95, 4)} f0=${num(l.f0)} τ=${num(l.tau, 2)}${ci(l.tau_ci95, 2)} RMSE=${num(l.rmse, 5)} R²=${num(l.r2, 3)}${l.at_bound.length ? ` AT A BOUND (${l.at_bound.join("; ")}): degenerate fit` : ""}${l.note ? ` (${l.note})` : ""}`,
      );
  }
  out.push(
    "",
    `Envelope frontier points (FLOPs under ${f.timeout_policy} timeouts, and calls): ${f.envelope.frontier.length}`,
  );
  for (const n of f.envelope.notes) out.push(`  note: ${n}`);
  for (const c of f.envelope_collapse)
    out.push(
      `  collapse ${c.task} on ${c.axis}: R² ${num(c.r2, 3)} over ${c.models.join(", ")} (${c.per_model.map((m) => `${m.model} ${num(m.r2, 3)}`).join(", ")})`,
    );
  return `${out.join("\n")}\n`;
}

const ci = (c: [number, number] | null, d = 3) => (c ? ` [${c[0].toFixed(d)}, ${c[1].toFixed(d)}]` : "");

/** Terminal lines of the Φ-model blocks. */
export function phiText(cells: readonly PhiCell[]): string[] {
  const num = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
  const resp = cells[0]?.response === "linear" ? "V" : "ln(1 − V/V*)";
  const out = [
    `Φ-model: ${resp} = b0 + a·ln T + b·ln N + c·ln T·ln N (seed-clustered errors, t with seeds − 1 df)`,
  ];
  if (cells.length === 0) out.push("  (no greedy runs)");
  for (const c of cells) {
    const head = `  ${c.task} / ${c.model}: n=${c.n}, ${c.n_seeds} seeds, ${c.n_splits} splits, C=${c.budgets.join(",")}, V*=${c.ceiling}`;
    if (!c.fittable) {
      out.push(`${head}: not fittable — ${c.reason}`);
      continue;
    }
    out.push(
      `${head}, R²=${num(c.r2, 3)} (budget only ${num(c.budget_only_r2, 3)}; F(${c.f_vs_budget_only.df1}, ${c.f_vs_budget_only.df2}) = ${num(c.f_vs_budget_only.F, 1)}, p ${c.f_vs_budget_only.p < 1e-15 ? "< 1e-15" : `= ${c.f_vs_budget_only.p.toPrecision(3)}`})`,
    );
    for (const [k, v] of Object.entries(c.coefficients))
      out.push(
        `    ${k.padEnd(3)} ${num(v.estimate).padStart(9)} ± ${num(v.se)} (OLS ± ${num(v.se_ols)})  95% [${num(v.lo)}, ${num(v.hi)}]${v.ci95_bootstrap ? `  bootstrap${ci(v.ci95_bootstrap, 4)}` : ""}`,
      );
    for (const o of c.optimum)
      out.push(
        `    C=${o.C}: T*=${num(o.T_star, 2)}${ci(o.T_star_ci95, 2)}${o.T_star_ci95_method ? ` (${o.T_star_ci95_method})` : ""} ${o.regime}${o.regime_share ? ` (bootstrap: ${Math.round(100 * o.regime_share[o.regime])}%)` : ""}, plateau ±${num(o.plateau_half_width, 2)} in ln T${ci(o.plateau_half_width_ci95, 2)}, T ∈ [${num(o.plateau_T[0], 1)}, ${num(o.plateau_T[1], 1)}]`,
      );
    for (const n of c.notes) out.push(`    note: ${n}`);
  }
  return out;
}
