/**
 * Ordinary least squares with the classical inference: coefficients,
 * standard errors from σ̂²(XᵀX)⁻¹, t statistics, two-sided p values and
 * 95% intervals from Student's t with n − p degrees of freedom (util/student-t.ts:
 * within 1e-13 of scipy where jstat was off by up to 7e-8, and p values below 1e-16
 * that jstat's 1 − cdf rounded to 0).
 */
import { inverse, Matrix, SingularValueDecomposition } from "ml-matrix";
import { mean as meanOf } from "../util/stats.ts";
import { incompleteBeta, tCritical, tQuantile, tTwoSidedP } from "../util/student-t.ts";

export class FitError extends Error {
  override name = "FitError";
}

/**
 * Runs `fit`; a FitError (too few observations, a rank-deficient design, one
 * cluster) comes back as the value, so a caller can report the data as not
 * fittable. Any other error is a bug and is thrown.
 * @example fitOrError(() => ols([[1]], [2])) // => FitError "1 observations for 1 coefficients"
 */
export function fitOrError<T>(fit: () => T): T | FitError {
  try {
    return fit();
  } catch (err) {
    if (err instanceof FitError) return err;
    throw err;
  }
}

export interface OlsResult {
  beta: number[];
  se: number[];
  t: number[];
  p: number[];
  lo: number[];
  hi: number[];
  /** Residual sum of squares, total sum of squares (about the mean), residual df. */
  rss: number;
  tss: number;
  df: number;
  n: number;
  r2: number;
  adjR2: number;
  sigma: number;
  fitted: number[];
  /** (XᵀX)⁻¹, for sandwich covariances. */
  xtxInv: number[][];
}

/**
 * OLS of y on the columns of X (include a column of ones for an intercept).
 * O(n·p²).
 *
 * @throws FitError when n ≤ p or X is rank deficient.
 * @example ols([[1, 0], [1, 1], [1, 2]], [1, 3, 5]).beta // => [1, 2] (up to rounding)
 */
export function ols(X: number[][], y: number[]): OlsResult {
  const n = X.length;
  const p = X[0]?.length ?? 0;
  if (n <= p) throw new FitError(`${n} observations for ${p} coefficients`);
  const Xm = new Matrix(X);
  const rank = new SingularValueDecomposition(Xm, { computeLeftSingularVectors: false }).rank;
  if (rank < p) throw new FitError(`the design has rank ${rank} < ${p} coefficients`);
  const Xt = Xm.transpose();
  const inv = inverse(Xt.mmul(Xm));
  const beta = inv.mmul(Xt).mmul(Matrix.columnVector(y)).getColumn(0);
  const fitted = X.map((row) => row.reduce((s, x, j) => s + x * beta[j]!, 0));
  const mean = meanOf(y);
  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    rss += (y[i]! - fitted[i]!) ** 2;
    tss += (y[i]! - mean) ** 2;
  }
  const df = n - p;
  const s2 = rss / df;
  const se = beta.map((_, j) => Math.sqrt(s2 * inv.get(j, j)));
  const q = tQuantile(0.975, df);
  const t = beta.map((b, j) => (se[j]! > 0 ? b / se[j]! : Number.NaN));
  const pv = t.map((v) => (Number.isFinite(v) ? tTwoSidedP(v, df) : Number.NaN));
  // an intercept-only model has p = 1: adjusted R² is defined for p > 1
  const r2 = tss > 0 ? 1 - rss / tss : Number.NaN;
  const adjR2 = tss > 0 ? 1 - rss / df / (tss / (n - 1)) : Number.NaN;
  return {
    beta,
    se,
    t,
    p: pv,
    lo: beta.map((b, j) => b - q * se[j]!),
    hi: beta.map((b, j) => b + q * se[j]!),
    rss,
    tss,
    df,
    n,
    r2,
    adjR2,
    sigma: Math.sqrt(s2),
    fitted,
    xtxInv: inv.to2DArray(),
  };
}

/**
 * F test of nested linear models: F = ((RSS_r − RSS_f) / q) / (RSS_f / df_f),
 * q = df_r − df_f. Returns F and the upper-tail p value.
 *
 * @example fTest(10, 8, 4, 20) // => { F: 2.5, df1: 4, df2: 20, p: 0.07... }
 */
export function fTest(rssReduced: number, dfReduced: number, rssFull: number, dfFull: number) {
  const df1 = dfReduced - dfFull;
  const F = rssFull > 0 ? (rssReduced - rssFull) / df1 / (rssFull / dfFull) : Number.POSITIVE_INFINITY;
  // upper tail as I_x(df2/2, df1/2), x = df2/(df2 + df1·F): no cancellation in 1 − cdf for large F
  const p = Number.isFinite(F)
    ? F <= 0
      ? 1
      : incompleteBeta(dfFull / (dfFull + df1 * F), dfFull / 2, df1 / 2)
    : 0;
  return { F, df1, df2: dfFull, p };
}

export interface ClusteredInference {
  /** The CR1 covariance of the coefficients. */
  vcov: number[][];
  se: number[];
  lo: number[];
  hi: number[];
  p: number[];
  /** Clusters G; the intervals use Student's t with G − 1 degrees of freedom. */
  clusters: number;
  df: number;
}

/**
 * Cluster-robust (CR1, "sandwich") inference for an OLS fit whose rows are
 * grouped into clusters (seeds): V = g·(XᵀX)⁻¹ (Σ_c X_cᵀe_c e_cᵀX_c) (XᵀX)⁻¹,
 * g = G/(G − 1)·(n − 1)/(n − p), intervals from t with G − 1 df. Rows in one
 * cluster may be correlated (a seed's prefixes are one run); clusters are
 * taken as independent.
 *
 * @throws FitError with fewer than 2 clusters.
 * @example clusteredInference(X, y, seeds, ols(X, y)).se // => clustered standard errors
 */
export function clusteredInference(
  X: readonly (readonly number[])[],
  y: readonly number[],
  cluster: readonly (string | number)[],
  fit: Pick<OlsResult, "beta" | "xtxInv">,
  level = 0.95,
): ClusteredInference {
  const n = X.length;
  const p = fit.beta.length;
  const scores = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const row = X[i]!;
    let e = y[i]!;
    for (let j = 0; j < p; j++) e -= row[j]! * fit.beta[j]!;
    let s = scores.get(cluster[i]!);
    if (!s) scores.set(cluster[i]!, (s = new Array<number>(p).fill(0)));
    for (let j = 0; j < p; j++) s[j]! += row[j]! * e;
  }
  const G = scores.size;
  if (G < 2) throw new FitError(`${G} cluster(s): clustered standard errors need at least 2`);
  const meat = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const s of scores.values())
    for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) meat[j]![k]! += s[j]! * s[k]!;
  const B = new Matrix(fit.xtxInv as number[][]);
  const scale = (G / (G - 1)) * ((n - 1) / (n - p));
  const vcov = B.mmul(new Matrix(meat)).mmul(B).mul(scale).to2DArray();
  const se = vcov.map((row, j) => Math.sqrt(Math.max(0, row[j]!)));
  const df = G - 1;
  const q = tCritical(level, df);
  return {
    vcov,
    se,
    lo: fit.beta.map((b, j) => b - q * se[j]!),
    hi: fit.beta.map((b, j) => b + q * se[j]!),
    p: fit.beta.map((b, j) => (se[j]! > 0 ? tTwoSidedP(b / se[j]!, df) : Number.NaN)),
    clusters: G,
    df,
  };
}

/**
 * Solves the weighted normal equations (Σ w_c·XᵀX_c) β = Σ w_c·Xᵀy_c for
 * per-cluster moment sums (Gaussian elimination with partial pivoting), the
 * fast path of a cluster bootstrap: a resample is a weight per cluster.
 * Returns null when the weighted design is (numerically) singular.
 */
export function solveWeighted(
  xtx: readonly Float64Array[],
  xty: readonly Float64Array[],
  weights: ArrayLike<number>,
  p: number,
): number[] | null {
  const A = Array.from({ length: p }, () => new Float64Array(p + 1));
  let scale = 0;
  for (let c = 0; c < xtx.length; c++) {
    const w = weights[c]!;
    if (w === 0) continue;
    const m = xtx[c]!;
    const v = xty[c]!;
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < p; k++) A[j]![k]! += w * m[j * p + k]!;
      A[j]![p]! += w * v[j]!;
    }
  }
  for (let j = 0; j < p; j++) scale = Math.max(scale, Math.abs(A[j]![j]!));
  for (let col = 0; col < p; col++) {
    let piv = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[piv]![col]!)) piv = r;
    if (!(Math.abs(A[piv]![col]!) > 1e-10 * scale)) return null;
    [A[col], A[piv]] = [A[piv]!, A[col]!];
    for (let r = col + 1; r < p; r++) {
      const f = A[r]![col]! / A[col]![col]!;
      for (let k = col; k <= p; k++) A[r]![k]! -= f * A[col]![k]!;
    }
  }
  const beta = new Array<number>(p).fill(0);
  for (let j = p - 1; j >= 0; j--) {
    let s = A[j]![p]!;
    for (let k = j + 1; k < p; k++) s -= A[j]![k]! * beta[k]!;
    beta[j] = s / A[j]![j]!;
  }
  return beta;
}
