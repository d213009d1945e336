/** An advice in plain sentences, for the terminal and the report. */
import type { Advice, Interval } from "./advise.ts";

/** Plain sentences of an advice, for the terminal and the report. */
export function adviceText(a: Advice): string[] {
  const f = (v: number | null) => (v === null ? "–" : v.toFixed(4));
  const ci = (c: Interval) => (c ? ` [${f(c[0])}, ${f(c[1])}]` : " (no interval)");
  const out: string[] = [];
  const r = a.recommended;
  if (!r) out.push(`C = ${a.C}: no logged split and no Φ-model to predict from.`);
  else {
    const how =
      a.basis === "observed"
        ? `observed mean ${f(r.observed)}${ci(r.observed_ci95)} over ${r.n_seeds} seeds`
        : `predicted by the Φ-model (no runs at C = ${a.C})`;
    const pred = r.predicted !== null ? `; Φ-model ${f(r.predicted)}${ci(r.predicted_ci95)}` : "";
    if (a.clear_winner && a.runner_up)
      out.push(
        `C = ${a.C}: spend it as T = ${r.T} generations × N = ${r.N} children (${how}${pred}). It beats the runner-up T = ${a.runner_up.T}, N = ${a.runner_up.N} by ${f(a.difference)}${ci(a.difference_ci95)}, and every other split (Holm-adjusted p < 0.05).`,
      );
    else if (a.runner_up)
      out.push(
        `C = ${a.C}: no clear winner. T = ${r.T} × N = ${r.N} has the best mean (${how}${pred}), but ${a.tied.map((s) => `T = ${s.T} × N = ${s.N}`).join(", ")} ${a.tied.length === 1 ? "is" : "are"} tied with it (difference to the runner-up ${f(a.difference)}${ci(a.difference_ci95)}).`,
      );
    else out.push(`C = ${a.C}: one split only, T = ${r.T} × N = ${r.N} (${how}${pred}).`);
  }
  const p = a.parallel;
  if (p)
    out.push(
      `Parallel arms help: ${p.policy} over K = ${p.K} runs of N = ${p.N} (G = ${p.G} rounds) gains ${f(p.gain_vs_single)}${ci(p.ci95)} over one run (pool effect ${f(p.pool_effect)}${ci(p.pool_ci95)}, allocation effect ${f(p.allocation_effect)}${ci(p.allocation_ci95)}).`,
    );
  else if (a.parallel_best_tried)
    out.push(
      `Parallel arms: no clear gain over one run (best tried: ${a.parallel_best_tried.policy} over K = ${a.parallel_best_tried.K}, N = ${a.parallel_best_tried.N}, ${f(a.parallel_best_tried.gain_vs_single)}${ci(a.parallel_best_tried.ci95)}).`,
    );
  return out;
}
