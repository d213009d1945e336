/**
 * The comparisons behind `advise`: two observed splits (paired over shared
 * seeds, else Welch) and two predicted splits (delta method on the Φ-model's
 * clustered covariance), each a difference with its t interval and p.
 */
import { pairedTest, seedMean, tTwoSidedP } from "../replay/index.ts";
import { tInterval } from "../util/interval.ts";
import { tCritical } from "../util/student-t.ts";
import { design, type PhiFit, phiPredict } from "./phi.ts";

export type Interval = [number, number] | null;

/** Mean difference a − b with its t interval and two-sided p: paired over shared seeds (≥ 2), else Welch. */
export function compareSamples(
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
): { difference: number; ci95: Interval; p: number | null; paired: boolean } {
  const shared = [...a.keys()].filter((s) => b.has(s));
  if (shared.length >= 2) {
    // the paired jackknife t over seed means is the paired Student t
    const t = pairedTest(seedMean(shared.map((s) => a.get(s)!)), seedMean(shared.map((s) => b.get(s)!)));
    return { difference: t.diff, ci95: t.ci95, p: t.p_value, paired: true };
  }
  const x = [...a.values()];
  const y = [...b.values()];
  const ta = tInterval(x);
  const tb = tInterval(y);
  const diff = ta.mean - tb.mean;
  if (ta.se === null || tb.se === null) return { difference: diff, ci95: null, p: null, paired: false };
  const va = ta.se ** 2;
  const vb = tb.se ** 2;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (x.length - 1) + vb ** 2 / (y.length - 1));
  const h = tCritical(0.95, df) * se;
  return { difference: diff, ci95: [diff - h, diff + h], p: tTestP(diff, se, df), paired: false };
}

function tTestP(mean: number, se: number, df: number): number {
  if (!(se > 0)) return mean === 0 ? 1 : 0;
  return tTwoSidedP(mean / se, df);
}

/**
 * Interval of V(T1, N1) − V(T2, N2) from the fit's clustered covariance (delta
 * method through the response; t with seeds − 1 df).
 */
export function predictedDifference(fit: PhiFit, s1: { T: number; N: number }, s2: { T: number; N: number }) {
  const p1 = phiPredict(fit, s1.T, s1.N);
  const p2 = phiPredict(fit, s2.T, s2.N);
  const x1 = design(s1.T, s1.N);
  const x2 = design(s2.T, s2.N);
  // dV/dy: log response V = V*(1 − e^y) → −V*·e^y; linear → 1
  const dv = (y: number) => (fit.response === "log" ? -fit.ceiling * Math.exp(y) : 1);
  const g = x1.map((v, j) => dv(p1.y) * v - dv(p2.y) * x2[j]!);
  let v = 0;
  for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) v += g[j]! * fit.vcov[j]![k]! * g[k]!;
  const se = Math.sqrt(Math.max(0, v));
  const diff = p1.V - p2.V;
  const h = tCritical(0.95, fit.n_seeds - 1) * se;
  return {
    difference: diff,
    ci95: [diff - h, diff + h] as [number, number],
    p: tTestP(diff, se, fit.n_seeds - 1),
  };
}
