/**
 * `npm run bench:fit-coverage`: measured coverage of the depth–breadth fits'
 * 95% intervals (not part of `npm test`).
 *
 * Sweeps with a known surface (`phiSweepCurves`: every power-of-two split of
 * C ∈ {16, 64, 256}, a seed effect shared by all of a seed's runs and a run
 * effect shared by a run's prefixes, so a seed's rows are correlated as in
 * real logs) are drawn R times per cell; each is fitted and every interval is
 * checked against the truth:
 *
 *   Φ-model (log response): c by OLS, by seed-clustered t, by seed-cluster
 *   bootstrap; T* at C = 256 by bootstrap and as reported (delta method on the
 *   clustered covariance at an interior optimum; interior surface, T* = 16);
 *   bilinear (linear response, log2 terms): the interaction bTN by OLS and by
 *   seed-clustered t.
 *
 * Cells: S ∈ {5, 10, 20} seeds × three noise structures (balanced: seed sd
 * 0.05, run sd 0.05; seed-heavy: 0.12, 0.02; run-only: 0, 0.08 — a seed's
 * runs at different N independent, as the child seeds make them in real logs). `-- R` sets the draws per cell
 * (default 300). Prints coverage and mean width per interval and cell.
 */
import { fitBilinear } from "../src/analysis/bilinear.ts";
import { fitPhi, type PhiFit } from "../src/analysis/phi.ts";
import type { SplitOutcome } from "../src/analysis/splits.ts";
import { phiSweepCurves } from "../src/replay/synthetic.ts";

const R = Number(process.argv[2] ?? 300);
const BUDGETS = [16, 64, 256];
const PHI: [number, number, number, number] = [-0.3, -0.3, -0.3, -0.1];
// linear response in natural logs; bilinear fits log2: bTN_log2 = c·(ln 2)²
const LIN: [number, number, number, number] = [0.2, 0.04, 0.02, -0.004];
const LIN_BTN = LIN[3] * Math.LN2 ** 2;

function rows(curves: ReturnType<typeof phiSweepCurves>): SplitOutcome[] {
  const out: SplitOutcome[] = [];
  for (const { N, seed, curve } of curves)
    for (const C of BUDGETS) {
      const T = C / N;
      if (!Number.isInteger(T) || T >= curve.length) continue;
      out.push({ task: "t", model: "m", C, T, N, seed, fitness: curve[T]!, calls: C, flops: 0, exact: true });
    }
  return out;
}

type Tally = { hit: number; width: number; n: number };
const tally = (): Tally => ({ hit: 0, width: 0, n: 0 });
const add = (t: Tally, lo: number | null | undefined, hi: number | null | undefined, truth: number) => {
  if (lo === null || lo === undefined || hi === null || hi === undefined) return;
  t.n++;
  t.width += hi - lo;
  if (lo <= truth && truth <= hi) t.hit++;
};

const noises = [
  { name: "balanced", seedSd: 0.05, runSd: 0.05 },
  { name: "seed-heavy", seedSd: 0.12, runSd: 0.02 },
  { name: "run-only", seedSd: 0, runSd: 0.08 },
];
console.log(`${R} draws per cell; C ∈ {${BUDGETS.join(", ")}}, every power-of-two split; nominal 95%`);
console.log(
  "noise       S   Φ c: OLS      clustered-t   bootstrap     T*(C=256): boot  delta-t          bilinear bTN: OLS   clustered-t",
);
let worst = { cov: 1, what: "" };
for (const noise of noises)
  for (const S of [5, 10, 20]) {
    const t = {
      cOls: tally(),
      cClus: tally(),
      cBoot: tally(),
      tBoot: tally(),
      tDelta: tally(),
      bOls: tally(),
      bClus: tally(),
    };
    for (let r = 0; r < R; r++) {
      const seeds = Array.from({ length: S }, (_, i) => i);
      const common = { budgets: BUDGETS, seeds, seedSd: noise.seedSd, runSd: noise.runSd, rngSeed: 1000 + r };
      const phi = fitPhi(rows(phiSweepCurves({ ...common, beta: PHI })), { bootstrap: 200, seed: r });
      if (phi.fittable) {
        const c = (phi as PhiFit).coefficients.c;
        add(t.cOls, c.lo_ols, c.hi_ols, PHI[3]);
        add(t.cClus, c.lo, c.hi, PHI[3]);
        add(t.cBoot, c.ci95_bootstrap?.[0], c.ci95_bootstrap?.[1], PHI[3]);
        const o = (phi as PhiFit).optimum.find((x) => x.C === 256)!;
        add(t.tBoot, o.T_star_ci95_bootstrap?.[0], o.T_star_ci95_bootstrap?.[1], 16);
        add(t.tDelta, o.T_star_ci95?.[0], o.T_star_ci95?.[1], 16);
      }
      const lin = fitBilinear(rows(phiSweepCurves({ ...common, beta: LIN, response: "linear" })));
      if (lin.fittable) {
        const k = lin.coefficients[3]!;
        add(t.bOls, k.lo, k.hi, LIN_BTN);
        add(t.bClus, k.lo_clustered, k.hi_clustered, LIN_BTN);
      }
    }
    const cell = (x: Tally, label: string, d = 4) => {
      const cov = x.hit / Math.max(1, x.n);
      if (cov < worst.cov) worst = { cov, what: `${label}, ${noise.name}, S = ${S}` };
      return `${cov.toFixed(3)} (w ${(x.width / Math.max(1, x.n)).toFixed(d)})`.padEnd(14);
    };
    console.log(
      `${noise.name.padEnd(11)} ${String(S).padStart(2)}  ${cell(t.cOls, "Φ c OLS")}${cell(t.cClus, "Φ c clustered")}${cell(t.cBoot, "Φ c bootstrap")}${cell(t.tBoot, "T* bootstrap", 1)}${cell(t.tDelta, "T* reported (delta-t)", 1)}   ${cell(t.bOls, "bilinear bTN OLS", 5)}      ${cell(t.bClus, "bilinear bTN clustered", 5)}`,
    );
  }
console.log(`worst coverage: ${worst.cov.toFixed(3)} (${worst.what})`);
