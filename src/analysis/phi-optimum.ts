/**
 * The geometry of a fitted Φ-model along an iso-budget line ln N = ln C − ln T:
 * the optimum ln T* (interior or a corner), the plateau around it, and the
 * delta-method interval of an interior optimum.
 */
import { type PhiRegime, type PhiResponse, phiValue } from "./phi-model.ts";

export interface IsoOptimum {
  u: number;
  regime: PhiRegime;
  /** Fitted response and V at the optimum. */
  y: number;
  V: number;
  /** Plateau [lo, hi] in ln T and its half-width. */
  plateau: [number, number];
  halfWidth: number;
}

/**
 * The optimum of the fitted surface β = (b0, a, b, c) along the iso-budget
 * line ln N = ln C − ln T, over ln T ∈ [uMin, uMax] (default [0, ln C]): the
 * minimum of y for the log response (maximum V), the maximum for linear. Along
 * the line y(u) = b0 + b·L + (a − b + c·L)·u − c·u², L = ln C, so c < 0 makes
 * it convex (an interior optimum is possible) and c ≥ 0 puts it at a corner.
 * The plateau is the connected ln T range around the optimum whose fitted V
 * is within `tol` of the optimum's. O(1).
 *
 * @example isoOptimum([-0.3, -0.3, -0.3, -0.1], 256, 1, "log").u // => ln 16 (T* = √C when a = b)
 */
export function isoOptimum(
  beta: readonly number[],
  C: number,
  ceiling: number,
  response: PhiResponse,
  tol = 0.01,
  range?: [number, number],
): IsoOptimum {
  const [b0, a, b, c] = beta as [number, number, number, number];
  const L = Math.log(C);
  const [lo, hi] = range ?? [0, L];
  // loss(u) = s·y(u) = s·(A + B·u + D·u²), minimised
  const s = response === "log" ? 1 : -1;
  const A = b0 + b * L;
  const B = a - b + c * L;
  const D = -c;
  const y = (u: number) => A + B * u + D * u * u;
  const candidates = [lo, hi];
  if (s * D > 0) {
    const u = -B / (2 * D);
    if (u > lo && u < hi) candidates.push(u);
  }
  let u = candidates[0]!;
  for (const v of candidates) if (s * y(v) < s * y(u)) u = v;
  const eps = 1e-9 * Math.max(1, L);
  const regime: PhiRegime = u >= L - eps ? "corner-depth" : u <= eps ? "corner-breadth" : "interior";
  const yStar = y(u);
  const vStar = phiValue(yStar, ceiling, response);
  // plateau: s·y(u) ≤ s·yThr, yThr the response at V* − tol
  const vThr = vStar - tol;
  const yThr = response === "log" ? Math.log(1 - vThr / ceiling) : vThr;
  // g(u) = s·(y(u) − yThr) = s·(A − yThr) + s·B·u + s·D·u²; g(u*) < 0
  const roots = quadraticRoots(s * D, s * B, s * (A - yThr));
  let pLo = lo;
  let pHi = hi;
  for (const r of roots) {
    if (r < u && r > pLo) pLo = r;
    if (r > u && r < pHi) pHi = r;
  }
  return { u, regime, y: yStar, V: vStar, plateau: [pLo, pHi], halfWidth: (pHi - pLo) / 2 };
}

/** Real roots of q2·x² + q1·x + q0 (linear when q2 = 0). */
function quadraticRoots(q2: number, q1: number, q0: number): number[] {
  if (Math.abs(q2) < 1e-300) return q1 !== 0 ? [-q0 / q1] : [];
  const disc = q1 * q1 - 4 * q2 * q0;
  if (disc < 0) return [];
  const sq = Math.sqrt(disc);
  // the numerically stable pair
  const q = -0.5 * (q1 + Math.sign(q1 || 1) * sq);
  const out = [q / q2];
  if (q !== 0) out.push(q0 / q);
  return out;
}

/**
 * The delta-method interval of an interior optimum T*: ln T* = (a − b + c·ln C)/(2c),
 * gradient (0, 1/(2c), −1/(2c), −(a − b)/(2c²)), ln T* ± q·se clipped to [0, ln C].
 */
export function deltaInterval(
  beta: number[],
  vcov: number[][],
  C: number,
  q: number,
): [number, number] | null {
  const [, a, b, c] = beta as [number, number, number, number];
  if (c === 0) return null;
  const L = Math.log(C);
  const u = (a - b + c * L) / (2 * c);
  const g = [0, 1 / (2 * c), -1 / (2 * c), -(a - b) / (2 * c * c)];
  let v = 0;
  for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) v += g[j]! * vcov[j]![k]! * g[k]!;
  if (!(v >= 0)) return null;
  const h = q * Math.sqrt(v);
  return [Math.exp(Math.max(0, u - h)), Math.exp(Math.min(L, u + h))];
}
