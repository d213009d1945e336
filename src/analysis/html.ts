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
import {
  baselinesSection,
  bilinearTable,
  esc,
  learningTable,
  phiTable,
  replayHeadline,
  replayTable,
  table,
} from "./html-tables.ts";

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
