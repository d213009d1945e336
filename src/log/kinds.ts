/**
 * What kind of file a parsed result file is, and the timeout policies of
 * the FLOPs convention: the parts of the log contract that need no schema,
 * kept apart from the zod schemas (schema.ts, imported.ts) so that a reader
 * whose files all pass the fast guards (guard.ts) never loads zod (about 95
 * modules, some 60 ms of CPU at every start).
 */

/** The FLOPs convention's ways to count a timed-out attempt (DESIGN.md; the type is schema.ts's `TimeoutPolicy`). */
export const TIMEOUT_POLICIES = ["worst_case", "exclude", "bounded"] as const;

export type RunKind = "greedy" | "bandit";

/**
 * DESIGN.md: a JSON file counts as a run file when it has any of
 * `trajectory`, `arm_results`, `final_fitness`, `final_best_fitness`.
 * A bandit run is one with `arm_results` or `final_best_fitness`.
 *
 * @example classifyRun({ trajectory: [] }) // => "greedy"
 * @example classifyRun({ grid: 1 }) // => null
 */
export function classifyRun(value: unknown): RunKind | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if ("arm_results" in o || "final_best_fitness" in o) return "bandit";
  if ("trajectory" in o || "final_fitness" in o) return "greedy";
  return null;
}

/** True for a parsed JSON value that declares itself an imported run (imported.ts). */
export function isImportedKind(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { kind?: unknown }).kind === "imported"
  );
}
