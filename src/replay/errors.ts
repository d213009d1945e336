/** Bad replay input (too few seeds, unknown seed, bad K or G …); the CLI turns it into exit code 2. */
export class ReplayError extends Error {
  override name = "ReplayError";
}
