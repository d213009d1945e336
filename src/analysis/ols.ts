/**
 * Ordinary least squares with the classical inference: coefficients,
 * standard errors from σ̂²(XᵀX)⁻¹, t statistics, two-sided p values and
 * 95% intervals from Student's t with n − p degrees of freedom.
 */
import jStat from "jstat";
import { inverse, Matrix, SingularValueDecomposition } from "ml-matrix";

export class FitError extends Error {
  override name = "FitError";
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
  const mean = y.reduce((s, v) => s + v, 0) / n;
  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    rss += (y[i]! - fitted[i]!) ** 2;
    tss += (y[i]! - mean) ** 2;
  }
  const df = n - p;
  const s2 = rss / df;
  const se = beta.map((_, j) => Math.sqrt(s2 * inv.get(j, j)));
  const q = jStat.studentt.inv(0.975, df);
  const t = beta.map((b, j) => (se[j]! > 0 ? b / se[j]! : Number.NaN));
  const pv = t.map((v) => (Number.isFinite(v) ? 2 * (1 - jStat.studentt.cdf(Math.abs(v), df)) : Number.NaN));
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
  const p = Number.isFinite(F) ? 1 - jStat.centralF.cdf(Math.max(F, 0), df1, dfFull) : 0;
  return { F, df1, df2: dfFull, p };
}
