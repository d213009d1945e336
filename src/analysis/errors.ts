/** Bad arguments to an analysis function (a typed error the CLI turns into exit 2). */
export class AnalysisError extends Error {
  override name = "AnalysisError";
}
