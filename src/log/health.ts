/**
 * How a run went, counted from its result (pure): attempts by status, calls
 * whose every attempt failed, children without code, evaluation errors.
 * The runner prints it in its summary and warns when many calls failed; a
 * run in which no call succeeded is a failure.
 */
import type { BanditRun, Child, GreedyRun } from "./schema.ts";

export interface RunHealth {
  /** Calls (children) of the run. */
  calls: number;
  /** Calls whose every attempt failed (no answer). */
  failed_calls: number;
  /** Attempts by status: { ok: 30, timeout: 2, "error:RateLimitError": 1 }. */
  attempts: Record<string, number>;
  /** Children with an answer but no program in it. */
  no_code: number;
  /** Children whose program was evaluated with an error or a timeout. */
  eval_errors: number;
}

/** Share of failed calls above which the runner warns. */
export const FAILED_CALLS_WARN = 0.1;

function* children(run: GreedyRun | BanditRun): Generator<Child> {
  const arms = "arm_results" in run && Array.isArray(run.arm_results) ? run.arm_results : [run as GreedyRun];
  for (const arm of arms) for (const gen of arm.trajectory.slice(1)) for (const c of gen.children) yield c;
}

/**
 * Counts of a greedy or bandit run (a bandit run: over its arms).
 * @example runHealth(greedyRunWithOneTimedOutCall).failed_calls // => 1
 */
export function runHealth(run: GreedyRun | BanditRun): RunHealth {
  const h: RunHealth = { calls: 0, failed_calls: 0, attempts: {}, no_code: 0, eval_errors: 0 };
  for (const c of children(run)) {
    h.calls++;
    let answered = false;
    for (const a of c.attempts) {
      h.attempts[a.status] = (h.attempts[a.status] ?? 0) + 1;
      if (a.status === "ok") answered = true;
    }
    if (!answered && c.attempts.length > 0) h.failed_calls++;
    else if (c.code_sha256 === null || c.code_sha256 === undefined) {
      if (answered) h.no_code++;
    } else if (!c.valid) h.eval_errors++;
  }
  return h;
}

/** "2 of 16 calls failed (12%): error:APIConnectionError ×6", or null at or below the threshold. */
export function failedCallsWarning(h: RunHealth): string | null {
  if (h.calls === 0 || h.failed_calls / h.calls <= FAILED_CALLS_WARN) return null;
  const bad = Object.entries(h.attempts)
    .filter(([s]) => s !== "ok")
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s} ×${n}`)
    .join(", ");
  return `${h.failed_calls} of ${h.calls} calls failed (${Math.round((100 * h.failed_calls) / h.calls)}%): ${bad}`;
}
