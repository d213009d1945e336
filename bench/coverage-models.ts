/**
 * Generative models of best-so-far curves for `npm run bench:coverage`,
 * and the Monte Carlo truth of every replay statistic under them.
 *
 * Every seed starts from the same initial program (f(0) equal for all, as
 * in real logs), so stagnating seeds tie with each other and with uniform.
 *
 * - `steady`: every seed improves, ever more rarely and by ever smaller
 *   steps; seeds differ in rate (log-normal, σ = 0.5).
 * - `stagnant`: 40 % of seeds never improve; the others improve rarely,
 *   with log-normal(σ = 1.2) jumps (heavy right tail, skewness ≈ 20) and
 *   log-normal(σ = 1) rates, so a few seeds dominate every mean. (Jumps
 *   without a finite variance, Pareto α ≤ 2, would defeat any interval
 *   built from a sample variance.)
 */

import { getPolicy, resolveParams } from "../src/policies/index.ts";
import {
  curveTable,
  disjointInstances,
  type Pool,
  type References,
  references,
  runPolicy,
} from "../src/replay/index.ts";
import { type Rng, rng } from "../src/util/rng.ts";

export const MODELS = ["steady", "stagnant"] as const;
export type ModelName = (typeof MODELS)[number];

const F0 = 0.25;

/** One seed's curve f(0..depth) under `model`. */
export function drawCurve(model: ModelName, r: Rng, depth: number): Float64Array {
  const out = new Float64Array(depth + 1);
  let v = F0;
  out[0] = v;
  if (model === "steady") {
    const rate = Math.exp(0.5 * r.normal());
    for (let g = 1; g <= depth; g++) {
      if (r.next() < Math.min(0.9, (0.45 * rate) / (1 + g / 8))) {
        let e = 0;
        while (e === 0) e = r.next();
        v += 0.03 * rate * -Math.log(e) * Math.exp(-g / 24);
      }
      out[g] = v;
    }
    return out;
  }
  const stagnates = r.next() < 0.4;
  const rate = Math.exp(-1 + r.normal());
  for (let g = 1; g <= depth; g++) {
    if (!stagnates && r.next() < Math.min(0.9, (0.4 * rate) / (1 + g / 4))) {
      v += 0.01 * Math.exp(1.2 * r.normal()) * Math.exp(-g / 32);
    }
    out[g] = v;
  }
  return out;
}

/** A pool of S seeds drawn from `model` (seeds 0..S−1), depth L. */
export function drawPool(model: ModelName, s: number, depth: number, seed: number): Pool {
  const r = rng(seed, 31);
  const curves = Array.from({ length: s }, () => drawCurve(model, r, depth));
  return {
    task: "coverage",
    model,
    N: 1,
    seeds: curves.map((_, i) => i),
    curves,
    depths: curves.map(() => depth),
    files: curves.map((_, i) => `seed${i}`),
    warnings: [],
  };
}

/** The statistics checked, by key: "ucb.mean", "uniform.mean", "ucb.p_improve_vs_uniform", "ucb-thompson.diff"… */
export type Truth = Record<string, number>;

/**
 * The true value of every statistic for K arms and G rounds, by Monte Carlo
 * over `m` instances of K fresh curves (each instance its own arms).
 */
export function truthOf(
  model: ModelName,
  k: number,
  g: number,
  policies: string[],
  m: number,
  seed: number,
): Truth {
  const pool = drawPool(model, m * k, 64, seed);
  const table = curveTable(pool);
  const inst = disjointInstances(m * k, k);
  const ys = policies.map(
    (name) =>
      runPolicy(table, inst, {
        spec: getPolicy(name),
        params: resolveParams(name),
        rounds: g,
        seed,
        firstInstance: 0,
      }).outcomes,
  );
  return statistics(policies, ys, references(table, inst, g));
}

const avg = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
};

/** Every statistic's value from per-instance outcomes (the same definitions as replay's). */
export function statistics(policies: string[], ys: Float64Array[], refs: References): Truth {
  const out: Truth = {};
  const n = refs.uniform.length;
  const means: Record<string, number> = {};
  policies.forEach((name, p) => {
    const y = ys[p]!;
    means[name] = avg(y);
    let impU = 0;
    let impS = 0;
    let norm = 0;
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const u = refs.uniform[i]!;
      const sg = refs.single[i]!;
      impU += y[i]! > u ? 1 : y[i] === u ? 0.5 : 0;
      impS += y[i]! > sg ? 1 : y[i] === sg ? 0.5 : 0;
      if (refs.oracle[i]! > u) {
        norm += (y[i]! - u) / (refs.oracle[i]! - u);
        ok++;
      }
    }
    out[`${name}.mean`] = means[name]!;
    out[`${name}.p_improve_vs_uniform`] = impU / n;
    out[`${name}.p_improve_vs_single`] = impS / n;
    out[`${name}.normalized_mean`] = ok > 0 ? norm / ok : Number.NaN;
  });
  for (const ref of ["uniform", "single", "oracle"] as const)
    means[ref] = out[`${ref}.mean`] = avg(refs[ref]);
  policies.forEach((a, p) => {
    for (const b of [...policies.slice(p + 1), "uniform", "single", "oracle"])
      out[`${a}-${b}.diff`] = means[a]! - means[b]!;
  });
  return out;
}
