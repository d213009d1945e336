/**
 * The report's opening section, "Where to spend the budget": per (task,
 * model), the advise answer at every budget C in the logs, in plain
 * sentences and one small table, every claim with its interval and "no
 * clear winner" where the comparison does not tell the splits apart.
 *
 *   analysis (outcomes, curves, Φ, effects, online reach) ─> advise(C) per logged C ─> HTML
 *
 * Pure: the analysis in, HTML out. Parallel arms come from the report's K
 * ablation (replayed at each pool's depth G); a budget whose G = C/N no pool
 * was replayed at gets a note pointing to `evoalloc advise`.
 */
import type { Pool } from "../replay/index.ts";
import { type Advice, adviceText, advise } from "./advise.ts";
import type { Analysis } from "./analysis.ts";
import type { Taus } from "./studies.ts";

/** The advice at every logged budget of every (task, model). */
export function headlineAdvice(a: Analysis, pools: readonly Pool[], taus: Taus, seed = 0): Advice[] {
  const cells = [...new Set(a.outcomes.map((o) => `${o.task}\u0000${o.model}`))].sort();
  const out: Advice[] = [];
  for (const cell of cells) {
    const [task, model] = cell.split("\u0000") as [string, string];
    const outcomes = a.outcomes.filter((o) => o.task === task && o.model === model);
    const curves = a.curves.filter((c) => c.task === task && c.model === model);
    const phi = a.phi.find((p) => p.task === task && p.model === model) ?? null;
    const budgets = [...new Set(outcomes.map((o) => o.C))].sort((x, y) => x - y);
    for (const C of budgets)
      out.push(
        advise(
          {
            task,
            model,
            C,
            outcomes,
            curves,
            phi,
            pools: pools.filter((p) => p.task === task && p.model === model),
            online: a.reach.filter((r) => r.kind === "online" && r.task === task && r.model === model),
            taus: taus.get(task) ?? [],
          },
          { seed, effects: a.effects.filter((e) => e.task === task && e.model === model) },
        ),
      );
  }
  return out;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ESC[c]!);
const f = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(4));
const ci = (c: [number, number] | null) => (c ? ` <span class="ci">[${f(c[0])}, ${f(c[1])}]</span>` : "");

function row(a: Advice): string {
  const r = a.recommended;
  const split = (s: { T: number; N: number } | null) => (s ? `T = ${s.T} × N = ${s.N}` : "–");
  const value = r
    ? a.basis === "observed"
      ? `${f(r.observed)}${ci(r.observed_ci95)} <span class="muted">(${r.n_seeds} seeds)</span>`
      : `${f(r.predicted)}${ci(r.predicted_ci95)} <span class="muted">(Φ-model)</span>`
    : "–";
  const verdict = !a.runner_up
    ? "one split"
    : a.clear_winner
      ? "<b>clear</b> (Holm p &lt; 0.05 against every other split)"
      : `no clear winner: tied with ${a.tied.map((s) => esc(split(s))).join(", ")}`;
  const p = a.parallel;
  const bt = a.parallel_best_tried;
  const par = p
    ? `<b>${esc(p.policy)}</b> over K = ${p.K} (N = ${p.N}): +${f(p.gain_vs_single)}${ci(p.ci95)}`
    : bt
      ? `no clear gain <span class="muted">(best tried: ${esc(bt.policy)}, K = ${bt.K}, N = ${bt.N}: ${f(bt.gain_vs_single)}${ci(bt.ci95)})</span>`
      : '<span class="muted">not replayed at this budget</span>';
  return `<tr><td>${a.C}</td><td><b>${esc(split(r))}</b></td><td>${value}</td><td>${r ? `${f(r.predicted)}${ci(r.predicted_ci95)}` : "–"}</td><td>${esc(split(a.runner_up))}</td><td>${a.difference === null ? "–" : `${f(a.difference)}${ci(a.difference_ci95)}`}</td><td>${verdict}</td><td>${par}</td></tr>`;
}

/** The section's HTML (an h2 and one block per (task, model)). */
export function headlineHtml(advice: readonly Advice[]): string {
  const intro =
    '<p class="how">For every budget C logged, the split T × N = C with the best mean final fitness over seeds, its 95% interval (Student t) and the Φ-model\'s prediction; the runner-up and the paired difference over the seeds both splits share. A split is called the winner only when a paired t test against every other split rejects equality after Holm\'s adjustment (p &lt; 0.05); otherwise the row says <i>no clear winner</i> and lists the splits tied with it. "Parallel arms": whether K runs of N children under an allocation policy, replayed offline on the logged seeds at the same budget (G = C/N rounds), beat one run of that N given all G rounds — the gain over single with its interval, called only when its Holm-adjusted p (over every K and policy tried) is below 0.05. <code>evoalloc advise --C c</code> gives the same answer for any budget, with threshold-reaching and the data that would sharpen it.</p>';
  if (advice.length === 0)
    return `<h2 id="advice">Where to spend the budget</h2><p>No greedy runs, so no budget to advise on.</p>`;
  const cells = new Map<string, Advice[]>();
  for (const a of advice) {
    const k = `${a.task} / ${a.model}`;
    if (!cells.has(k)) cells.set(k, []);
    cells.get(k)!.push(a);
  }
  const blocks = [...cells].map(([cell, list]) => {
    const sentences = list.flatMap((a) => adviceText(a));
    const gaps = [...new Set(list.flatMap((a) => a.data_gaps))];
    return `<h3>${esc(cell)}</h3><ul>${sentences.map((s) => `<li>${esc(s)}</li>`).join("")}</ul><table class="fits"><thead><tr><th>C (calls)</th><th>recommended split</th><th>mean final fitness [95% CI]</th><th>Φ-model [95% CI]</th><th>runner-up</th><th>best − runner-up [95% CI]</th><th>verdict</th><th>parallel arms: gain over one run [95% CI]</th></tr></thead><tbody>${list
      .map(row)
      .join(
        "",
      )}</tbody></table>${gaps.length ? `<details><summary>What would sharpen the answer (${gaps.length})</summary><ul>${gaps.map((g) => `<li>${esc(g)}</li>`).join("")}</ul></details>` : ""}`;
  });
  return `<h2 id="advice">Where to spend the budget</h2>${intro}${blocks.join("\n")}`;
}
