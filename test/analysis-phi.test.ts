import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { analyse } from "../src/analysis/analysis.ts";
import { phiData, phiSpec } from "../src/analysis/figures/phi.ts";
import {
  fitPhi,
  isoOptimum,
  type PhiCell,
  type PhiFit,
  phiPredict,
  phiResponse,
} from "../src/analysis/phi.ts";
import { splitOutcomes } from "../src/analysis/splits.ts";
import { collectTables } from "../src/analysis/tables.ts";
import { readResults } from "../src/log/read.ts";
import { type PhiGridSpec, writePhiGrid } from "./phi-grid.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function gridTables(spec: PhiGridSpec) {
  const dir = mkdtempSync(join(tmpdir(), "evoalloc-phi-"));
  dirs.push(dir);
  writePhiGrid(dir, spec);
  const tables = await collectTables(readResults([dir]));
  assert.equal(tables.problems.length, 0, JSON.stringify(tables.problems.slice(0, 2)));
  return tables;
}

async function fitGrid(spec: PhiGridSpec): Promise<PhiCell> {
  return fitPhi(splitOutcomes(await gridTables(spec)), { bootstrap: 400, seed: 3 });
}

const seeds = Array.from({ length: 10 }, (_, i) => 40 + i);

test("Φ-model: an interior surface (c = −0.1, a = b) is recovered with T* = √C and the interior regime", async () => {
  const fit = await fitGrid({ beta: [-0.3, -0.3, -0.3, -0.1], budgets: [16, 64, 256], seeds });
  assert.equal(fit.fittable, true, fit.fittable ? "" : fit.reason);
  const f = fit as PhiFit;
  const c = f.coefficients.c;
  assert.ok(c.lo <= -0.1 && -0.1 <= c.hi, `c interval [${c.lo}, ${c.hi}] misses −0.1`);
  assert.ok(c.ci95_bootstrap && c.ci95_bootstrap[0] <= -0.1 && -0.1 <= c.ci95_bootstrap[1]);
  assert.ok(c.hi < 0, "the interaction is clearly negative");
  for (const o of f.optimum) {
    assert.equal(o.regime, "interior", `C = ${o.C}`);
    const truth = Math.sqrt(o.C);
    assert.ok(
      o.T_star_ci95 && o.T_star_ci95[0] <= truth && truth <= o.T_star_ci95[1],
      `C = ${o.C}: ${o.T_star_ci95}`,
    );
    assert.ok(o.regime_share && o.regime_share.interior > 0.9);
    assert.ok(o.plateau_half_width > 0 && o.plateau_T[0] <= o.T_star && o.T_star <= o.plateau_T[1]);
  }
  assert.ok(f.r2 > f.budget_only_r2, "the bilinear model explains more than budget alone");
  assert.ok(f.f_vs_budget_only.p < 1e-6);
  assert.equal(f.n_seeds, 10);
  // 16: 5 splits, 64: 7, 256: 9 — every seed at every split
  assert.equal(f.n, 10 * 21);
  // clustered and OLS errors both reported, and differ (rows of one seed are correlated)
  assert.ok(c.se > 0 && c.se_ols > 0 && c.se !== c.se_ols);
  const p = phiPredict(f, 16, 16);
  assert.ok(p.V_lo <= p.V && p.V <= p.V_hi);
  assert.ok(Math.abs(p.V - (1 - Math.exp(-0.3 - 0.6 * Math.log(16) - 0.1 * Math.log(16) ** 2))) < 0.02);
});

test("Φ-model: c = 0 with a < b puts the optimum at the all-depth corner", async () => {
  const fit = await fitGrid({ beta: [-0.3, -0.4, -0.2, 0], budgets: [16, 64, 256], seeds, rngSeed: 5 });
  assert.equal(fit.fittable, true);
  const f = fit as PhiFit;
  const c = f.coefficients.c;
  assert.ok(c.lo <= 0 && 0 <= c.hi, `c interval [${c.lo}, ${c.hi}] misses 0`);
  for (const o of f.optimum) {
    assert.equal(o.regime, "corner-depth", `C = ${o.C}`);
    assert.ok(Math.abs(o.T_star - o.C) < 1e-6 * o.C);
  }
});

test("Φ-model: minimum N above 1 makes a corner T* an extrapolation, stated in a note", async () => {
  const fit = await fitGrid({ beta: [-0.3, -0.4, -0.2, 0], budgets: [16, 64], seeds, minN: 4 });
  assert.equal(fit.fittable, true);
  assert.ok(
    fit.notes.some((n) => /outside the logged depths/.test(n)),
    fit.notes.join("; "),
  );
});

test("Φ-model: one budget is not fittable, values at the ceiling are clipped and counted", () => {
  const rows = [1, 2, 4, 8, 16].flatMap((T) =>
    [1, 2].map((seed) => ({ task: "t", model: "m", C: 16, T, N: 16 / T, seed, fitness: 0.5 })),
  );
  const one = fitPhi(rows);
  assert.equal(one.fittable, false);
  assert.match(one.fittable ? "" : one.reason, /one budget/);
  const y = phiResponse(1.2, 1, "log");
  assert.equal(y.clipped, true);
  assert.ok(Math.abs(y.y - Math.log(1e-4)) < 1e-12);
  assert.equal(phiResponse(0.5, 1, "linear").y, 0.5);
  const more = [
    ...rows,
    ...rows.map((r) => ({ ...r, C: 64, T: r.T * 4, fitness: r.T === 16 ? 1 : 0.4 + 0.01 * r.seed })),
  ];
  const f = fitPhi(more, { bootstrap: 0 });
  assert.equal(f.fittable, true);
  assert.ok(
    f.notes.some((n) => /2 of 20 value\(s\) at or above the ceiling/.test(n)),
    f.notes.join("; "),
  );
  assert.equal((f as PhiFit).bootstrap, null);
  assert.equal((f as PhiFit).optimum[0]!.T_star_ci95, null);
});

test("isoOptimum: convex iso-C line gives the vertex and a plateau of half-width √(Δy/|c|)", () => {
  const beta = [-0.3, -0.3, -0.3, -0.1];
  const o = isoOptimum(beta, 256, 1, "log", 0.01);
  assert.ok(Math.abs(o.u - Math.log(16)) < 1e-12);
  assert.equal(o.regime, "interior");
  const dy = Math.log(1 - (o.V - 0.01)) - o.y;
  assert.ok(Math.abs(o.halfWidth - Math.sqrt(dy / 0.1)) < 1e-9);
  // restricting the range moves the optimum to the nearest end
  const r = isoOptimum(beta, 256, 1, "log", 0.01, [0, Math.log(4)]);
  assert.ok(Math.abs(r.u - Math.log(4)) < 1e-12);
  // linear response: a maximum, corner-breadth when breadth pays
  const lin = isoOptimum([0.1, 0.01, 0.05, 0], 64, 1, "linear");
  assert.equal(lin.regime, "corner-breadth");
});

test("Φ figure: a fitted line per budget, observed means with intervals, T* marked where the surface puts it", async () => {
  const tables = await gridTables({ beta: [-0.3, -0.3, -0.3, -0.1], budgets: [16, 64, 256], seeds });
  const a = analyse(tables, { bootstrap: 100 });
  const d = phiData(a);
  assert.ok(!("skip" in d));
  if ("skip" in d) return;
  const opt = d.rows.filter((r) => r.kind === "optimum");
  assert.deepEqual(
    opt.map((r) => r.C),
    [16, 64, 256],
  );
  for (const r of opt) {
    assert.ok(Math.abs(Math.log2(r.T) - Math.log2(Math.sqrt(r.C))) < 0.15, `C = ${r.C}: T* = ${r.T}`);
    assert.ok(r.T_lo! <= r.T && r.T <= r.T_hi!);
  }
  assert.equal(d.rows.filter((r) => r.kind === "observed").length, 21);
  assert.ok(d.rows.filter((r) => r.kind === "observed").every((r) => r.lo !== null && r.n === 10));
  const fitted = d.rows.filter((r) => r.kind === "fitted" && r.C === 256);
  assert.equal(Math.min(...fitted.map((r) => r.T)), 1);
  assert.equal(Math.max(...fitted.map((r) => r.T)), 256);
  const spec = phiSpec(d.rows);
  assert.match(JSON.stringify(spec), /"shape":"diamond"/);
});
