/**
 * The HTML tables of the report page: fits, replay summary, baselines. Pure
 * string builders; every value from the data is escaped (`esc`).
 */
import type { BaselineRow } from "./baselines.ts";
import type { FitsReport } from "./fits.ts";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML content and attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESC[c]!);
}

const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : esc(String(v)));
const pfmt = (p: number) => (Number.isFinite(p) ? (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2)) : "–");

/** A cell is HTML, or HTML spanning several columns. */
export type Cell = string | { html: string; span: number };

/** An HTML table: header cells and rows of cells (HTML already escaped). */
export function table(head: string[], rows: Cell[][], cls = ""): string {
  const td = (c: Cell) =>
    typeof c === "string" ? `<td>${c}</td>` : `<td colspan="${c.span}">${c.html}</td>`;
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(td).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const f4 = (x: number | null): string => (x === null ? "–" : x.toFixed(4));

/** A fit that could be made, as `fitsTable` passes it on. */
type Made<C> = Extract<C, { fittable: true }>;
const made = <C extends { fittable: boolean }>(c: C): c is Made<C> => c.fittable;

/**
 * A table of fits, one row per fit of a (task, model): task, model and its
 * `key` columns, then `fitted(c)`, or, for a fit that could not be made, one
 * cell across the rest that says why. `head` names the columns after task
 * and model.
 */
function fitsTable<C extends { task: string; model: string; fittable: boolean; reason?: string }>(
  head: string[],
  fits: readonly C[],
  key: (c: C) => string[],
  fitted: (c: Made<C>) => Cell[],
): string {
  const rows = fits.map((c): Cell[] => {
    const base = [esc(c.task), esc(c.model), ...key(c)];
    if (made(c)) return [...base, ...fitted(c)];
    const why = `<span class="muted">not fittable: ${esc(c.reason)}</span>`;
    return [...base, { html: why, span: 2 + head.length - base.length }];
  });
  return table(["task", "model", ...head], rows, "fits");
}

export function bilinearTable(f: FitsReport): string {
  if (f.bilinear.length === 0) return "<p>No greedy runs, so nothing to fit.</p>";
  const head = [
    "n",
    "splits",
    "budgets C",
    "b0",
    "bT (log2 T)",
    "bN (log2 N)",
    "bTN (interaction)",
    "R²",
    "adj. R²",
    "interaction vs additive",
  ];
  const key = (c: (typeof f.bilinear)[number]) => [
    String(c.n),
    String(c.n_splits),
    esc(c.budgets.join(", ")),
  ];
  return fitsTable(head, f.bilinear, key, (c) => {
    const coef = c.coefficients.map(
      (k) =>
        `${fmt(k.estimate)} <span class="muted">± ${fmt(k.se)}</span><br><span class="ci">[${fmt(k.lo)}, ${fmt(k.hi)}]</span>${k.se_clustered !== null ? `<br><span class="muted">seed-clustered ± ${fmt(k.se_clustered)}</span><br><span class="ci">[${fmt(k.lo_clustered!)}, ${fmt(k.hi_clustered!)}]</span>` : ""}`,
    );
    return [
      ...coef,
      fmt(c.r2, 3),
      fmt(c.adj_r2, 3),
      `F(${c.interaction.df1}, ${c.interaction.df2}) = ${fmt(c.interaction.F, 2)}<br>p = ${pfmt(c.interaction.p)}`,
    ];
  });
}

export function phiTable(f: FitsReport): string {
  if (f.phi.length === 0) return "<p>No greedy runs, so nothing to fit.</p>";
  const head = [
    "n",
    "seeds",
    "budgets C",
    "b0",
    "a (ln T)",
    "b (ln N)",
    "c (interaction)",
    "R²",
    "vs budget only",
    "optimum per C",
  ];
  const key = (c: (typeof f.phi)[number]) => [String(c.n), String(c.n_seeds), esc(c.budgets.join(", "))];
  return fitsTable(head, f.phi, key, (c) => {
    const coef = (["b0", "a", "b", "c"] as const).map((k) => {
      const v = c.coefficients[k];
      return `${fmt(v.estimate)} <span class="muted">± ${fmt(v.se)} (OLS ± ${fmt(v.se_ols)})</span><br><span class="ci">[${fmt(v.lo)}, ${fmt(v.hi)}]</span>`;
    });
    const opt = c.optimum
      .map(
        (o) =>
          `C = ${o.C}: T* = ${fmt(o.T_star, 1)}${o.T_star_ci95 ? ` <span class="ci">[${fmt(o.T_star_ci95[0], 1)}, ${fmt(o.T_star_ci95[1], 1)}]</span>` : ""} <strong>${esc(o.regime)}</strong>, plateau T ∈ [${fmt(o.plateau_T[0], 1)}, ${fmt(o.plateau_T[1], 1)}]`,
      )
      .join("<br>");
    const notes = c.notes.length ? `<br><span class="muted">${c.notes.map(esc).join("<br>")}</span>` : "";
    return [
      ...coef,
      `${fmt(c.r2, 3)}<br><span class="muted">budget only ${fmt(c.budget_only_r2, 3)}</span>`,
      `F(${c.f_vs_budget_only.df1}, ${c.f_vs_budget_only.df2}) = ${fmt(c.f_vs_budget_only.F, 1)}<br>p = ${pfmt(c.f_vs_budget_only.p)}`,
      `${opt}${notes}`,
    ];
  });
}

export function learningTable(f: FitsReport): string {
  if (f.learning.length === 0) return "<p>No greedy runs.</p>";
  const head = [
    "N",
    "seeds",
    "depth",
    "a (plateau) [95% seed bootstrap]",
    "f0",
    "τ (generations) [95% seed bootstrap]",
    "RMSE",
    "R²",
    "note",
  ];
  const key = (l: (typeof f.learning)[number]) => [String(l.N), String(l.n_seeds), String(l.depth)];
  const ci = (c: [number, number] | null, d: number) =>
    c ? `<br><span class="ci">[${fmt(c[0], d)}, ${fmt(c[1], d)}]</span>` : "";
  return fitsTable(head, f.learning, key, (l) => {
    const flag = l.at_bound.length
      ? `<strong>at a bound: ${esc(l.at_bound.join("; "))} — degenerate fit, not an estimate</strong>`
      : "";
    return [
      `${fmt(l.a)}${ci(l.a_ci95, 4)}`,
      fmt(l.f0),
      `${fmt(l.tau, 2)}${ci(l.tau_ci95, 2)}`,
      fmt(l.rmse, 5),
      fmt(l.r2, 3),
      [flag, esc(l.note ?? "")].filter(Boolean).join("<br>"),
    ];
  });
}

export function replayTable(f: FitsReport): string {
  if (f.replay.length === 0) return "<p>No pool was replayed.</p>";
  const rows: Cell[][] = [];
  for (const r of f.replay) {
    const pool = `${esc(r.task)} / ${esc(r.model)} / N=${r.N}<br><span class="muted">K=${r.K} of ${r.seeds.length} seeds, G=${r.rounds}, ${r.n_instances} instances${r.enumerated ? "" : " (sample)"}</span>`;
    const names = Object.keys(r.allocations);
    names.forEach((name, i) => {
      const d = r.allocations[name] as {
        mean: number;
        median: number;
        q05: number;
        q95: number;
        ci95: [number, number] | null;
        p_improve_vs_uniform?: number;
        normalized_mean?: number | null;
      };
      rows.push([
        i === 0 ? pool : "",
        esc(name),
        `${fmt(d.mean)}${d.ci95 ? ` <span class="ci">[${fmt(d.ci95[0])}, ${fmt(d.ci95[1])}]</span>` : ""}`,
        fmt(d.median),
        `${fmt(d.q05)} – ${fmt(d.q95)}`,
        d.p_improve_vs_uniform === undefined ? "" : fmt(d.p_improve_vs_uniform, 3),
        d.normalized_mean === undefined || d.normalized_mean === null ? "" : fmt(d.normalized_mean, 3),
      ]);
    });
  }
  return table(
    ["pool", "allocation", "mean [95% CI]", "median", "5–95%", "P(beats uniform)", "normalised score"],
    rows,
    "fits replay",
  );
}

/** One row per pool: the policy with the best mean beside the three references. */
export function replayHeadline(f: FitsReport): string {
  if (f.replay.length === 0) return "";
  const REFS = new Set(["uniform", "single", "oracle"]);
  const rows = f.replay.map((r) => {
    type D = { mean: number; ci95: [number, number] | null };
    const entries = Object.entries(r.allocations) as [string, D][];
    const best = entries.filter(([k]) => !REFS.has(k)).sort((a, b) => b[1].mean - a[1].mean)[0];
    const ref = (k: string) => (r.allocations[k] as D | undefined)?.mean ?? Number.NaN;
    const ci = (d: D) => (d.ci95 ? ` <span class="ci">[${fmt(d.ci95[0])}, ${fmt(d.ci95[1])}]</span>` : "");
    return [
      `${esc(r.task)} / ${esc(r.model)}`,
      String(r.N),
      `${r.K} of ${r.seeds.length}`,
      String(r.rounds),
      best ? `<b>${esc(best[0])}</b> ${fmt(best[1].mean)}${ci(best[1])}` : "–",
      fmt(ref("uniform")),
      fmt(ref("single")),
      fmt(ref("oracle")),
    ];
  });
  return table(
    [
      "task / model",
      "N",
      "K arms of S seeds",
      "G rounds",
      "best policy: mean [95% CI]",
      "uniform",
      "single",
      "oracle",
    ],
    rows,
    "fits",
  );
}

/** Imported runs of other systems beside greedy and bandit runs, at equal calls and equal FLOPs. */
export function baselinesSection(b: { rows: BaselineRow[]; notes: string[] } | null | undefined): string {
  if (!b) return "";
  const head = `<h2 id="baselines">Baselines: other systems at equal calls</h2>
<p class="how">Runs imported with <code>evoalloc import</code> (OpenEvolve, ShinkaEvolve, LLM4AD) beside evoalloc's greedy runs (one run at breadth N, prefixes of deeper runs included) and online bandits, for every task both sides have, at every evoalloc budget C that an imported run reaches: each run's best fitness after C calls. Mean and interquartile mean over runs, a Student-t 95% interval of the mean over runs, and threshold-reaching: the earliest number of calls at which at least 90% of 1,000 bootstrap resamples over runs of the mean best-so-far curve reach τ = 90% of the best fitness any run of the task reached ("–": not within C). Where an imported system and an evoalloc method both have tokens, the rows marked FLOPs compare them again after spending at most the smaller of their mean FLOPs.</p>`;
  const notes = b.notes.length
    ? `<ul class="notes">${b.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`
    : "";
  if (b.rows.length === 0) return `${head}${notes}<p>No task has both imported and evoalloc runs.</p>`;
  return `${head}${notes}${table(
    [
      "task",
      "budget",
      "method",
      "model",
      "runs",
      "mean",
      "IQM",
      "95% interval",
      "FLOPs",
      "τ",
      "calls to reach τ",
    ],
    b.rows.map((r) => [
      esc(r.task),
      r.axis === "calls" ? `${r.budget} calls` : `${r.budget.toExponential(2)} FLOPs`,
      `${esc(r.method)}${r.kind === "imported" ? " (imported)" : ""}`,
      esc(r.model),
      String(r.n_runs),
      f4(r.mean),
      f4(r.iqm),
      r.ci95_lo === null ? "one run" : `[${f4(r.ci95_lo)}, ${f4(r.ci95_hi)}]`,
      r.mean_flops === null ? "–" : r.mean_flops.toExponential(2),
      f4(r.tau),
      r.reach_calls === null ? "–" : String(r.reach_calls),
    ]),
  )}`;
}

/** Builds index.html. O(size of the specs + libraries). */
