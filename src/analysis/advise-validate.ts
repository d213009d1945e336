/**
 * `evoalloc advise --validate`: how well the Φ-model predicts a split it has
 * not seen. For every logged split (T, N) of a (task, model), the model is
 * refitted without that split's rows and predicts its mean; the error is
 * measured against the split's own seed standard error (z), and the
 * prediction interval — the fit's interval for the mean combined with the
 * split's seed standard error, t with seeds − 1 df — is checked for
 * covering the observed mean. Pure.
 */
import { tInterval } from "../util/interval.ts";
import { tCritical } from "../util/student-t.ts";
import { fitPhi, type PhiOptions, phiPredict } from "./phi.ts";
import type { SplitOutcome } from "./splits.ts";

export interface ValidationRow {
  T: number;
  N: number;
  C: number;
  n_seeds: number;
  observed: number;
  /** Seed standard error of the observed mean (null with one seed). */
  se: number | null;
  /** Prediction from the fit without this split; null when that fit is not possible. */
  predicted: number | null;
  /** 95% prediction interval for the observed mean: the fit's interval for the mean combined with the split's seed SE. */
  prediction_interval: [number, number] | null;
  /** (observed − predicted) / se. */
  z: number | null;
  covered: boolean | null;
  note?: string;
}

export interface ValidationCell {
  task: string;
  model: string;
  n_splits: number;
  /** Splits with a prediction and a z (two seeds or more). */
  n_scored: number;
  mean_abs_z: number | null;
  /** Share of scored splits whose observed mean lies in the prediction interval. */
  coverage: number | null;
  mean_abs_error: number | null;
  rows: ValidationRow[];
}

/**
 * Leave-one-split-out validation of the Φ-model over one cell's outcomes
 * (one task and model). O(splits · fit).
 */
export function validatePhi(
  rows: readonly SplitOutcome[],
  opts: Omit<PhiOptions, "bootstrap"> = {},
): ValidationCell {
  const splits = new Map<string, { T: number; N: number; C: number; values: number[] }>();
  for (const r of rows) {
    const k = `${r.T}x${r.N}`;
    if (!splits.has(k)) splits.set(k, { T: r.T, N: r.N, C: r.C, values: [] });
    splits.get(k)!.values.push(r.fitness);
  }
  const out: ValidationRow[] = [];
  for (const [k, s] of [...splits].sort((a, b) => a[1].C - b[1].C || a[1].T - b[1].T)) {
    const obs = tInterval(s.values);
    const base = { T: s.T, N: s.N, C: s.C, n_seeds: s.values.length, observed: obs.mean, se: obs.se };
    const fit = fitPhi(
      rows.filter((r) => `${r.T}x${r.N}` !== k),
      { ...opts, bootstrap: 0 },
    );
    if (!fit.fittable) {
      out.push({
        ...base,
        predicted: null,
        prediction_interval: null,
        z: null,
        covered: null,
        note: fit.reason,
      });
      continue;
    }
    const p = phiPredict(fit, s.T, s.N);
    if (obs.se === null) {
      out.push({
        ...base,
        predicted: p.V,
        prediction_interval: [p.V_lo, p.V_hi],
        z: null,
        covered: null,
        note: "one seed: no standard error",
      });
      continue;
    }
    // the fit's interval for the mean, as a standard error on the V scale, combined with the split's own
    const qFit = tCritical(0.95, fit.n_seeds - 1);
    const seFit = (p.V_hi - p.V_lo) / (2 * qFit);
    const h = tCritical(0.95, s.values.length - 1) * Math.sqrt(seFit ** 2 + obs.se ** 2);
    const ci: [number, number] = [p.V - h, p.V + h];
    out.push({
      ...base,
      predicted: p.V,
      prediction_interval: ci,
      z: obs.se > 0 ? (obs.mean - p.V) / obs.se : null,
      covered: obs.mean >= ci[0] && obs.mean <= ci[1],
    });
  }
  const scored = out.filter((r) => r.z !== null && r.covered !== null);
  const first = rows[0];
  return {
    task: first?.task ?? "",
    model: first?.model ?? "",
    n_splits: out.length,
    n_scored: scored.length,
    mean_abs_z: scored.length ? scored.reduce((a, r) => a + Math.abs(r.z!), 0) / scored.length : null,
    coverage: scored.length ? scored.filter((r) => r.covered).length / scored.length : null,
    mean_abs_error: scored.length
      ? scored.reduce((a, r) => a + Math.abs(r.observed - r.predicted!), 0) / scored.length
      : null,
    rows: out,
  };
}
