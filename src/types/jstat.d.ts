/** The small part of jstat (no bundled types) that evoalloc uses. */
declare module "jstat" {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
    pdf(x: number, ...params: number[]): number;
  }
  const jStat: {
    studentt: Distribution;
    centralF: Distribution;
    normal: Distribution;
    chisquare: Distribution;
    /** Regularised incomplete beta function I_x(a, b). */
    ibeta(x: number, a: number, b: number): number;
  };
  export default jStat;
}
