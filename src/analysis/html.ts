/**
 * The self-contained HTML report: one file that opens offline, with vega,
 * vega-lite and vega-embed inlined, every figure embedded as a Vega-Lite
 * spec (data inline) and rendered as soon as the page loads, the fit tables,
 * a short how-to-read text per figure, notes for skipped figures and the
 * list of result files that could not be read. Pure: the caller passes the
 * library sources in.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Problem } from "../log/read.ts";
import type { BaselineRow } from "./baselines.ts";
import type { FitsReport } from "./fits.ts";

export interface ReportFigure {
  name: string;
  title: string;
  howToRead: string;
  spec: TopLevelSpec;
  notes: string[];
}

export interface ReportInput {
  title: string;
  /** Where the results came from, as the user gave it. */
  source: string;
  version: string;
  /** ISO time stamp of the report; omitted, the page carries none (reproducible). */
  generated?: string;
  summary: { label: string; value: string | number }[];
  /** Per (task, model): what the results hold. */
  coverage: Record<string, string | number>[];
  figures: ReportFigure[];
  /** The opening section ("Where to spend the budget"), HTML; the page opens with it. */
  headline?: string;
  skipped: { name: string; title: string; reason: string }[];
  fits: FitsReport;
  replayNotes: string[];
  /** Other systems' imported runs beside evoalloc's (null or absent: no imported runs). */
  baselines?: { rows: BaselineRow[]; notes: string[] } | null;
  problems: Problem[];
  warnings: Problem[];
  /** Links next to each figure: the formats written beside the page ("svg", "png", "vl.json"). */
  links: string[];
  /** JavaScript sources of vega, vega-lite and vega-embed (UMD builds). */
  libraries: { vega: string; vegaLite: string; vegaEmbed: string };
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML content and attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** JSON safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A library source safe inside a <script> element. */
function scriptSource(js: string): string {
  return js.replace(/<\/script/gi, "<\\/script");
}

const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : esc(String(v)));
const pfmt = (p: number) => (Number.isFinite(p) ? (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2)) : "–");

/** A cell is HTML, or HTML spanning several columns. */
type Cell = string | { html: string; span: number };

function table(head: string[], rows: Cell[][], cls = ""): string {
  const td = (c: Cell) =>
    typeof c === "string" ? `<td>${c}</td>` : `<td colspan="${c.span}">${c.html}</td>`;
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(td).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

function bilinearTable(f: FitsReport): string {
  if (f.bilinear.length === 0) return "<p>No greedy runs, so nothing to fit.</p>";
  const rows = f.bilinear.map((c): Cell[] => {
    const base = [esc(c.task), esc(c.model), String(c.n), String(c.n_splits), esc(c.budgets.join(", "))];
    if (!c.fittable)
      return [...base, { html: `<span class="muted">not fittable: ${esc(c.reason)}</span>`, span: 7 }];
    const coef = c.coefficients.map(
      (k) =>
        `${fmt(k.estimate)} <span class="muted">± ${fmt(k.se)}</span><br><span class="ci">[${fmt(k.lo)}, ${fmt(k.hi)}]</span>${k.se_clustered !== null ? `<br><span class="muted">seed-clustered ± ${fmt(k.se_clustered)}</span><br><span class="ci">[${fmt(k.lo_clustered!)}, ${fmt(k.hi_clustered!)}]</span>` : ""}`,
    );
    return [
      ...base,
      ...coef,
      fmt(c.r2, 3),
      fmt(c.adj_r2, 3),
      `F(${c.interaction.df1}, ${c.interaction.df2}) = ${fmt(c.interaction.F, 2)}<br>p = ${pfmt(c.interaction.p)}`,
    ];
  });
  return table(
    [
      "task",
      "model",
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
    ],
    rows,
    "fits",
  );
}

function phiTable(f: FitsReport): string {
  if (f.phi.length === 0) return "<p>No greedy runs, so nothing to fit.</p>";
  const rows = f.phi.map((c): Cell[] => {
    const base = [esc(c.task), esc(c.model), String(c.n), String(c.n_seeds), esc(c.budgets.join(", "))];
    if (!c.fittable)
      return [...base, { html: `<span class="muted">not fittable: ${esc(c.reason)}</span>`, span: 7 }];
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
      ...base,
      ...coef,
      `${fmt(c.r2, 3)}<br><span class="muted">budget only ${fmt(c.budget_only_r2, 3)}</span>`,
      `F(${c.f_vs_budget_only.df1}, ${c.f_vs_budget_only.df2}) = ${fmt(c.f_vs_budget_only.F, 1)}<br>p = ${pfmt(c.f_vs_budget_only.p)}`,
      `${opt}${notes}`,
    ];
  });
  return table(
    [
      "task",
      "model",
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
    ],
    rows,
    "fits",
  );
}

function learningTable(f: FitsReport): string {
  if (f.learning.length === 0) return "<p>No greedy runs.</p>";
  const rows = f.learning.map((l): Cell[] => {
    const base = [esc(l.task), esc(l.model), String(l.N), String(l.n_seeds), String(l.depth)];
    if (!l.fittable)
      return [...base, { html: `<span class="muted">not fittable: ${esc(l.reason)}</span>`, span: 6 }];
    const ci = (c: [number, number] | null, d: number) =>
      c ? `<br><span class="ci">[${fmt(c[0], d)}, ${fmt(c[1], d)}]</span>` : "";
    const flag = l.at_bound.length
      ? `<strong>at a bound: ${esc(l.at_bound.join("; "))} — degenerate fit, not an estimate</strong>`
      : "";
    return [
      ...base,
      `${fmt(l.a)}${ci(l.a_ci95, 4)}`,
      fmt(l.f0),
      `${fmt(l.tau, 2)}${ci(l.tau_ci95, 2)}`,
      fmt(l.rmse, 5),
      fmt(l.r2, 3),
      [flag, esc(l.note ?? "")].filter(Boolean).join("<br>"),
    ];
  });
  return table(
    [
      "task",
      "model",
      "N",
      "seeds",
      "depth",
      "a (plateau) [95% seed bootstrap]",
      "f0",
      "τ (generations) [95% seed bootstrap]",
      "RMSE",
      "R²",
      "note",
    ],
    rows,
    "fits",
  );
}

function replayTable(f: FitsReport): string {
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
function replayHeadline(f: FitsReport): string {
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

function problemList(problems: Problem[]): string {
  if (problems.length === 0) return "<p>Every result file was read.</p>";
  const byFile = new Map<string, Problem[]>();
  for (const p of problems) {
    if (!byFile.has(p.file)) byFile.set(p.file, []);
    byFile.get(p.file)!.push(p);
  }
  return `<p>${byFile.size} file${byFile.size === 1 ? "" : "s"} could not be used and ${byFile.size === 1 ? "is" : "are"} left out of every figure and fit:</p><ul class="problems">${[
    ...byFile,
  ]
    .map(
      ([file, ps]) =>
        `<li><code>${esc(file)}</code><ul>${ps
          .slice(0, 5)
          .map((p) => `<li>${p.path ? `<code>${esc(p.path)}</code>: ` : ""}${esc(p.message)}</li>`)
          .join("")}${ps.length > 5 ? `<li>… ${ps.length - 5} more</li>` : ""}</ul></li>`,
    )
    .join("")}</ul>`;
}

const CSS = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1500px;padding:1.5rem 2rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} h2{margin-top:2.5rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.muted{color:#777} .ci{color:#555;font-size:.85em}
table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem} th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5} table.summary td:first-child{color:#555}
figure{margin:1rem 0 2rem} .chart{overflow-x:auto;min-height:60px} .how{max-width:60rem}
.notes{color:#8a5a00;font-size:.9rem} .links a{margin-right:.8rem;font-size:.85rem}
nav ul{columns:2;font-size:.92rem} code{font-size:.85em}
.chart-error{color:#b00020}
`;

const f4 = (x: number | null): string => (x === null ? "–" : x.toFixed(4));

/** Imported runs of other systems beside greedy and bandit runs, at equal calls and equal FLOPs. */
function baselinesSection(b: ReportInput["baselines"]): string {
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
export function reportHtml(input: ReportInput): string {
  const { fits } = input;
  const figs = input.figures
    .map((f) => {
      const links = input.links
        .map((ext) => `<a href="figures/${esc(f.name)}.${ext}">${ext.toUpperCase()}</a>`)
        .join("");
      const notes =
        f.notes.length > 0
          ? `<ul class="notes">${f.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`
          : "";
      return `<figure id="${esc(f.name)}"><h3>${esc(f.title)}</h3><div class="chart" id="chart-${esc(f.name)}" data-figure="${esc(f.name)}"></div><figcaption><p class="how">${esc(f.howToRead)}</p>${notes}${links ? `<p class="links">${links}</p>` : ""}</figcaption></figure>`;
    })
    .join("\n");
  const skipped =
    input.skipped.length === 0
      ? ""
      : `<h2 id="skipped">Figures not drawn</h2><ul>${input.skipped.map((s) => `<li><b>${esc(s.title)}</b>: ${esc(s.reason)}</li>`).join("")}</ul>`;
  const toc = [
    ...(input.headline ? ['<li><a href="#advice">Where to spend the budget</a></li>'] : []),
    ...input.figures.map((f) => `<li><a href="#${esc(f.name)}">${esc(f.title)}</a></li>`),
    ...(input.skipped.length ? ['<li><a href="#skipped">Figures not drawn</a></li>'] : []),
    '<li><a href="#fits">Fit tables</a></li>',
    '<li><a href="#replay">Replay summary</a></li>',
    ...(input.baselines ? ['<li><a href="#baselines">Baselines: other systems at equal calls</a></li>'] : []),
    '<li><a href="#problems">Result files with problems</a></li>',
  ].join("");
  const coverage =
    input.coverage.length === 0
      ? "<p>No runs found.</p>"
      : table(
          Object.keys(input.coverage[0]!),
          input.coverage.map((r) => Object.values(r).map((v) => esc(v))),
        );
  const specs: Record<string, TopLevelSpec> = Object.fromEntries(input.figures.map((f) => [f.name, f.spec]));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(input.title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(input.title)}</h1>
<p class="muted">Results: <code>${esc(input.source)}</code> · evoalloc ${esc(input.version)}${input.generated ? ` · ${esc(input.generated)}` : ""}</p>
${input.headline ?? ""}
${table(
  ["", ""],
  input.summary.map((s) => [esc(s.label), esc(s.value)]),
  "summary",
)}
<h2>Contents</h2><nav><ul>${toc}</ul></nav>
<h2>What the results hold</h2>${coverage}
<h2>Figures</h2>
${figs}
${skipped}
<h2 id="fits">Fit tables</h2>
<h3>Φ-model (the paper's form)</h3>
<p class="how">y = ln(1 − V/V*) = b0 + a·ln T + b·ln N + c·ln T·ln N by ordinary least squares over every seed at every split, V* the task's ceiling (task.json <code>ceiling</code>, default 1). Estimates ± seed-clustered standard error (OLS error in grey), 95% intervals from t with seeds − 1 df; R² beside the budget-only model y = β0 + β1·ln C and the F test against it. Per budget C: the fitted optimum T* along the iso-C line over [1, C], its regime (corner-depth: all generations; corner-breadth: one generation; interior) and its 95% interval (delta method on the clustered covariance at an interior optimum, seed-cluster bootstrap at a corner), and the plateau, the T range whose fitted V is within 0.01 of the optimum. Measured on synthetic sweeps (npm run bench:fit-coverage): c's interval covered 0.94–0.96, T*'s 0.93–0.97.</p>
${phiTable(fits)}
<h3>Bilinear depth–breadth fit</h3>
<p class="how">y = b0 + bT·log2 T + bN·log2 N + bTN·log2 T·log2 N by ordinary least squares over every seed at every split (exact runs and prefixes of deeper runs), per task and model. Estimates ± standard error, with 95% intervals (Student t); the last column tests the interaction against the additive model. At a single budget C, log2 N = log2 C − log2 T, so a cell needs at least two budgets. A seed's prefixes at several budgets are one run, not independent draws: below each OLS error stands the seed-clustered one (t with seeds − 1 df). Measured on synthetic sweeps (npm run bench:fit-coverage), the OLS interval of the interaction covered 0.86–0.90 of the time where runs carry the noise and 0.95–1.00 where seeds do; the seed-clustered interval covered 0.94–0.96 in every case.</p>
${bilinearTable(fits)}
<h3>Saturating learning curves</h3>
<p class="how">f(t) = a − (a − f0)·exp(−t/τ) fitted by Levenberg–Marquardt to the mean best-so-far curve over the seeds of each (task, model, N), up to the depth every seed reaches.</p>
${learningTable(fits)}
${fits.envelope.notes.length ? `<h3>Envelope</h3><ul class="notes">${fits.envelope.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}
<h2 id="replay">Replay summary</h2>
<p class="how">Every (task, model, N) pool with at least three seeds, replayed offline with K = min(5, S − 1) arms for G rounds, G the depth every seed of the pool reaches. Intervals: bootstrap over the seed pool. P(beats uniform): share of instances where the policy's outcome exceeds the uniform allocation's (ties count one half). Normalised score: (Y − uniform)/(oracle − uniform). The table names the policy with the highest mean outcome in each pool; where its interval overlaps the others' (see the outcome figure and the full table) there is no clear winner, and at G = 1 a policy only chooses which one arm to pull, before it has seen any reward, so differences there are chance.</p>
${input.replayNotes.length ? `<ul class="notes">${input.replayNotes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}
${replayHeadline(fits)}
<details><summary>Every policy in every pool (${fits.replay.length} pools)</summary>${replayTable(fits)}</details>
${baselinesSection(input.baselines)}
<h2 id="problems">Result files with problems</h2>
${problemList(input.problems)}
${
  input.warnings.length
    ? `<details><summary>${input.warnings.length} warnings</summary><ul>${input.warnings
        .slice(0, 200)
        .map(
          (w) =>
            `<li><code>${esc(w.file)}</code> ${w.path ? `<code>${esc(w.path)}</code>` : ""}: ${esc(w.message)}</li>`,
        )
        .join("")}</ul></details>`
    : ""
}
<script>${scriptSource(input.libraries.vega)}</script>
<script>${scriptSource(input.libraries.vegaLite)}</script>
<script>${scriptSource(input.libraries.vegaEmbed)}</script>
<script>
const SPECS = ${scriptJson(specs)};
window.evoallocRendered = Promise.all(Object.entries(SPECS).map(([name, spec]) => {
  const el = document.getElementById("chart-" + name);
  // logLevel Error: vega's UMD build misreports its version (5.33.1 inside vega 6.3.0), which would warn on every chart
  return vegaEmbed(el, spec, { renderer: "svg", actions: false, logLevel: vega.Error })
    .then(() => { el.dataset.rendered = "true"; })
    .catch((err) => { el.dataset.rendered = "error"; el.innerHTML = '<p class="chart-error">This chart could not be drawn: ' + String(err && err.message || err).replace(/</g, "&lt;") + "</p>"; console.error(err); });
}));
</script>
</body></html>
`;
}
