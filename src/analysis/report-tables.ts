/**
 * The report's tables, from an analysis: the CSV files of reports/tables/
 * and the page's coverage table. Pure.
 */
import { from } from "arquero";
import type { Analysis } from "./analysis.ts";
import { banditReferences } from "./bandit-references.ts";
import { banditRows, runRows } from "./tables.ts";

/** Per (task, model): what the results hold (the page's coverage table). */
export function coverage(a: Analysis): Record<string, string | number>[] {
  const runs = runRows(a.tables);
  const bandits = banditRows(a.tables);
  const cells = new Map<string, { task: string; model: string }>();
  for (const r of [...runs, ...bandits])
    cells.set(`${r.task}\u0000${r.model}`, { task: r.task, model: r.model });
  return [...cells.keys()].sort().map((k) => {
    const { task, model } = cells.get(k)!;
    const mine = runs.filter((r) => r.task === task && r.model === model);
    const b = bandits.filter((r) => r.task === task && r.model === model);
    return {
      task,
      model,
      "greedy runs": mine.length,
      "budgets C": [...new Set(mine.map((r) => r.C))].sort((x, y) => x - y).join(", ") || "–",
      "splits T×N": new Set(mine.map((r) => `${r.T}x${r.N}`)).size,
      seeds: new Set(mine.map((r) => r.seed)).size,
      "bandit runs": b.length,
      "bandit policies": [...new Set(b.map((r) => r.algo))].sort().join(", ") || "–",
    };
  });
}

/** Every CSV file of reports/tables/ (but baselines.csv), by name. */
export function csvTables(a: Analysis): Record<string, string> {
  const t = a.tables;
  const out: Record<string, string> = {
    runs: t.runs.toCSV(),
    generations: t.generations.toCSV(),
    children: t.children.toCSV(),
    bandits: t.bandits.toCSV(),
    rounds: t.rounds.toCSV(),
    split_outcomes: from(a.outcomes).toCSV(),
    bandit_references: from(banditReferences(t).rows).toCSV(),
  };
  const coef = a.bilinear.flatMap((c): Record<string, unknown>[] => {
    const base = { task: c.task, model: c.model, n: c.n, n_splits: c.n_splits, budgets: c.budgets.join(" ") };
    if (!c.fittable)
      return [
        {
          ...base,
          term: null,
          estimate: null,
          se: null,
          t: null,
          p: null,
          lo: null,
          hi: null,
          r2: null,
          adj_r2: null,
          interaction_F: null,
          interaction_p: null,
          not_fittable: c.reason,
        },
      ];
    return c.coefficients.map((k) => ({
      ...base,
      ...k,
      r2: c.r2,
      adj_r2: c.adj_r2,
      interaction_F: c.interaction.F,
      interaction_p: c.interaction.p,
      not_fittable: null,
    }));
  });
  out.bilinear_fits = coef.length ? from(coef).toCSV() : "";
  const learn = a.learning.map((l) => ({
    task: l.task,
    model: l.model,
    N: l.N,
    n_seeds: l.n_seeds,
    depth: l.depth,
    a: l.fittable ? l.a : null,
    a_lo: l.fittable ? (l.a_ci95?.[0] ?? null) : null,
    a_hi: l.fittable ? (l.a_ci95?.[1] ?? null) : null,
    f0: l.fittable ? l.f0 : null,
    tau: l.fittable ? l.tau : null,
    tau_lo: l.fittable ? (l.tau_ci95?.[0] ?? null) : null,
    tau_hi: l.fittable ? (l.tau_ci95?.[1] ?? null) : null,
    at_bound: l.fittable ? l.at_bound.join("; ") || null : null,
    rmse: l.fittable ? l.rmse : null,
    r2: l.fittable ? l.r2 : null,
    note: l.fittable ? (l.note ?? null) : `not fittable: ${l.reason}`,
  }));
  out.learning_curves = learn.length ? from(learn).toCSV() : "";
  out.envelope_frontier = a.envelope.frontier.length ? from(a.envelope.frontier).toCSV() : "";
  const rep = a.replays.flatMap((r) =>
    Object.entries({ ...r.policies, ...r.references }).map(([name, d]) => ({
      task: r.task,
      model: r.model,
      N: r.N,
      K: r.K,
      rounds: r.rounds,
      seeds: r.pool.length,
      n_instances: r.n_instances,
      allocation: name,
      mean: d.mean,
      ci95_lo: d.ci95?.[0] ?? null,
      ci95_hi: d.ci95?.[1] ?? null,
      median: d.median,
      iqm: d.iqm,
      q05: d.q05,
      q95: d.q95,
      p_improve_vs_uniform: "p_improve_vs_uniform" in d ? d.p_improve_vs_uniform : null,
      normalized_mean: "normalized_mean" in d ? d.normalized_mean : null,
    })),
  );
  out.replay_summary = rep.length ? from(rep).toCSV() : "";
  out.threshold_reaching = a.reach.length ? from(a.reach).toCSV() : "";
  const eff = a.effects.map((e) => ({
    ...e,
    pool_ci95: undefined,
    allocation_ci95: undefined,
    total_ci95: undefined,
    pool_lo: e.pool_ci95?.[0] ?? null,
    pool_hi: e.pool_ci95?.[1] ?? null,
    allocation_lo: e.allocation_ci95?.[0] ?? null,
    allocation_hi: e.allocation_ci95?.[1] ?? null,
    total_lo: e.total_ci95?.[0] ?? null,
    total_hi: e.total_ci95?.[1] ?? null,
  }));
  out.effects = eff.length
    ? from(eff.map(({ pool_ci95: _p, allocation_ci95: _a, total_ci95: _t, ...rest }) => rest)).toCSV()
    : "";
  return out;
}
