import assert from "node:assert/strict";
import { test } from "node:test";
import { fitBilinear } from "../src/analysis/bilinear.ts";
import { upperFrontier } from "../src/analysis/envelope.ts";
import { fitSaturating, learningCurves, profileFit } from "../src/analysis/learning.ts";
import { FitError, fTest, ols } from "../src/analysis/ols.ts";
import type { Curve, SplitOutcome } from "../src/analysis/splits.ts";
import { rng } from "../src/util/rng.ts";

function surface(b: number[], budgets: number[], seeds: number, noise: number): SplitOutcome[] {
  const r = rng(7);
  const rows: SplitOutcome[] = [];
  for (const C of budgets)
    for (let T = 1; T <= C; T *= 2)
      for (let s = 0; s < seeds; s++) {
        const N = C / T;
        const x = Math.log2(T);
        const z = Math.log2(N);
        const fitness = b[0]! + b[1]! * x + b[2]! * z + b[3]! * x * z + noise * r.normal();
        rows.push({ task: "t", model: "m", C, T, N, seed: s, fitness, calls: C, flops: 0, exact: true });
      }
  return rows;
}

test("ols recovers an exact line and rejects a rank-deficient design", () => {
  const r = ols(
    [
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
    ],
    [1, 3, 5, 7],
  );
  assert.ok(Math.abs(r.beta[0]! - 1) < 1e-9 && Math.abs(r.beta[1]! - 2) < 1e-9);
  assert.ok(Math.abs(r.r2 - 1) < 1e-12);
  assert.throws(
    () =>
      ols(
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        [1, 2, 3],
      ),
    FitError,
  );
});

test("bilinear fit recovers a known surface with an interaction, and its intervals cover the truth", () => {
  const truth = [0.3, 0.05, 0.02, -0.01];
  const fit = fitBilinear(surface(truth, [16, 64, 256], 10, 0.01));
  assert.equal(fit.fittable, true);
  if (!fit.fittable) return;
  for (const [j, c] of fit.coefficients.entries()) {
    assert.ok(c.lo <= truth[j]! && truth[j]! <= c.hi, `${c.term}: [${c.lo}, ${c.hi}] misses ${truth[j]}`);
    assert.ok(Math.abs(c.estimate - truth[j]!) < 0.01, c.term);
  }
  assert.ok(fit.r2 > 0.9 && fit.adj_r2 <= fit.r2);
  assert.ok(fit.interaction.p < 1e-6, "a real interaction is detected");
  assert.equal(fit.interaction.df1, 1);
  assert.equal(fit.n, 10 * (5 + 7 + 9));
  assert.equal(fit.points.length, 5 + 7 + 9);
});

test("bilinear fit without interaction: the F test does not reject", () => {
  const fit = fitBilinear(surface([0.3, 0.05, 0.02, 0], [16, 64, 256], 10, 0.02));
  assert.ok(fit.fittable && fit.interaction.p > 0.001);
});

test("one budget, too few splits and empty input are not fittable, with reasons", () => {
  const one = fitBilinear(surface([0.3, 0.05, 0.02, 0], [64], 5, 0.01));
  assert.equal(one.fittable, false);
  assert.match(!one.fittable ? one.reason : "", /one budget C \(64\)/);
  const few = fitBilinear(surface([0.3, 0.05, 0.02, 0], [1, 2], 3, 0.01));
  assert.equal(few.fittable, false);
  assert.match(!few.fittable ? few.reason : "", /splits/);
  const none = fitBilinear([]);
  assert.equal(none.fittable, false);
});

test("saturating curve: LM recovers a, f0 and tau", () => {
  const r = rng(3);
  const t = Array.from({ length: 40 }, (_, i) => i);
  const y = t.map((v) => 0.9 - (0.9 - 0.3) * Math.exp(-v / 8) + 0.002 * r.normal());
  const fit = fitSaturating(t, y);
  assert.ok(fit.fittable);
  if (!fit.fittable) return;
  assert.ok(Math.abs(fit.a - 0.9) < 0.01, `a = ${fit.a}`);
  assert.ok(Math.abs(fit.f0 - 0.3) < 0.01, `f0 = ${fit.f0}`);
  assert.ok(Math.abs(fit.tau - 8) < 0.5, `tau = ${fit.tau}`);
  assert.ok(fit.r2 > 0.99);
});

test("saturating curve: flat and short curves are not fittable", () => {
  assert.equal(fitSaturating([0, 1, 2, 3, 4, 5], [1, 1, 1, 1, 1, 1]).fittable, false);
  assert.equal(fitSaturating([0, 1, 2], [0, 0.5, 0.7]).fittable, false);
});

test("upper frontier keeps strict improvements in x order, ties to the higher y", () => {
  const f = upperFrontier([
    { x: 2, y: 0.5 },
    { x: 1, y: 1 },
    { x: 3, y: 2 },
    { x: 3, y: 1.5 },
    { x: Number.NaN, y: 9 },
  ]);
  assert.deepEqual(f, [
    { x: 1, y: 1 },
    { x: 3, y: 2 },
  ]);
  assert.deepEqual(upperFrontier([]), []);
});

test("saturating curve: a degenerate pool (one jump, then flat) fits at τ's lower bound and is flagged", () => {
  const t = [0, 1, 2, 3, 4, 5, 6];
  const fit = fitSaturating(t, [0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  assert.ok(fit.fittable);
  if (!fit.fittable) return;
  assert.ok(fit.r2 > 0.999, "R² alone looks perfect");
  assert.deepEqual(fit.at_bound, ["τ at its lower bound 0.00100"]);
  const ok = fitSaturating(
    t,
    t.map((v) => 0.9 - 0.6 * Math.exp(-v / 3)),
  );
  assert.ok(ok.fittable && ok.at_bound.length === 0);
});

test("profileFit (variable projection) agrees with Levenberg–Marquardt", () => {
  const r = rng(5);
  const t = Array.from({ length: 30 }, (_, i) => i);
  const y = t.map((v) => 0.7 - 0.4 * Math.exp(-v / 6) + 0.003 * r.normal());
  const lm = fitSaturating(t, y);
  const vp = profileFit(t, y)!;
  assert.ok(lm.fittable);
  if (!lm.fittable) return;
  assert.ok(
    Math.abs(vp.a - lm.a) < 1e-4 && Math.abs(vp.tau - lm.tau) < 0.01 * lm.tau,
    `${vp.tau} vs ${lm.tau}`,
  );
});

test("learning curves: seed-bootstrap intervals of a and τ cover the generating values", () => {
  const r = rng(11);
  const curves: Curve[] = Array.from({ length: 12 }, (_, seed) => {
    // each seed its own plateau around 0.8 and τ around 10: the pool's mean curve has a ≈ 0.8
    const a = 0.8 + 0.03 * r.normal();
    const best = Array.from({ length: 41 }, (_, g) => a - (a - 0.2) * Math.exp(-g / 10));
    return {
      task: "t",
      model: "m",
      N: 4,
      seed,
      file: `f${seed}`,
      best,
      calls: best.map((_, g) => 4 * g),
      flops: best.map(() => 0),
      flopsBy: { worst_case: best.map(() => 0), exclude: best.map(() => 0), bounded: best.map(() => 0) },
    };
  });
  const [cell] = learningCurves(curves, { bootstrap: 200, seed: 1 });
  assert.ok(cell?.fittable);
  if (!cell?.fittable) return;
  const meanA =
    curves.reduce((s, c) => s + c.best[0]! + (c.best[40]! - c.best[0]!) / (1 - Math.exp(-4)), 0) / 12;
  assert.ok(cell.a_ci95 && cell.a_ci95[0] <= meanA && meanA <= cell.a_ci95[1], `${cell.a_ci95} vs ${meanA}`);
  assert.ok(cell.tau_ci95 && cell.tau_ci95[0] <= 10 && 10 <= cell.tau_ci95[1], String(cell.tau_ci95));
  assert.ok(cell.a_ci95[1] - cell.a_ci95[0] > 0.005, "seed spread gives a real interval");
  assert.deepEqual(cell.bootstrap, { B: 200, failed: 0 });
  const none = learningCurves(curves, { bootstrap: 0 })[0]!;
  assert.ok(none.fittable && none.a_ci95 === null && none.bootstrap === null);
});

test("bilinear fit reports seed-clustered standard errors beside the OLS ones", () => {
  const rows = surface([0.3, 0.05, 0.02, -0.01], [16, 64, 256], 10, 0.01);
  // a seed effect: every row of a seed shifted alike
  const shift = new Map<number, number>();
  const r = rng(9);
  const shifted = rows.map((o) => {
    if (!shift.has(o.seed)) shift.set(o.seed, 0.05 * r.normal());
    return { ...o, fitness: o.fitness + shift.get(o.seed)! };
  });
  const fit = fitBilinear(shifted);
  assert.ok(fit.fittable);
  if (!fit.fittable) return;
  for (const k of fit.coefficients) {
    assert.ok(k.se_clustered !== null && k.se_clustered > 0 && k.se_clustered !== k.se, k.term);
    assert.ok(k.lo_clustered! < k.estimate && k.estimate < k.hi_clustered!);
  }
  // the intercept carries the seed effect: its clustered error is the larger one
  assert.ok(fit.coefficients[0]!.se_clustered! > fit.coefficients[0]!.se);
});

test("fTest: the upper tail stays accurate for a large F (no 1 − cdf cancellation)", () => {
  const t = fTest(136 + 2 * 125.4, 138, 136, 136);
  assert.ok(Math.abs(t.F - 125.4) < 1e-9);
  assert.ok(t.p > 0 && t.p < 1e-25, String(t.p));
  assert.ok(Math.abs(fTest(136 + 2 * 2.5, 138, 136, 136).p - 0.0858511483352) < 1e-9);
});
