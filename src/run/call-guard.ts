/**
 * Stops a run whose calls keep failing, and keeps failed calls of a stopped
 * run out of its journal. Wraps the run's journal (every finished call
 * passes through `recordCall` before the runner uses it):
 *
 * - after `max` calls in a row (in finishing order) whose every attempt
 *   failed, the next such call throws `TooManyFailuresError` instead of
 *   being recorded;
 * - `end()` throws `NoSuccessError` when no call of the run got an answer
 *   (journalled ones included).
 *
 * Either way the failed calls of the streak (or of the whole run) are
 * retracted from the journal, so resuming after the endpoint is fixed asks
 * them again instead of replaying the outage.
 */
import { NoSuccessError, TooManyFailuresError } from "./errors.ts";
import type { RunJournal } from "./journal.ts";
import type { CompletionResult } from "./ports.ts";

export interface GuardedJournal extends RunJournal {
  /** Throws `NoSuccessError` when the run had calls and none got an answer. */
  end(): void;
}

const failed = (r: CompletionResult): boolean => r.content === null && r.attempts.length > 0;

/** `max` 0: never stop on a streak. `onStop` is told the error before it is thrown. */
export function guardCalls(
  journal: RunJournal,
  max: number,
  onStop: (err: Error) => void = () => {},
): GuardedJournal {
  let streak: string[] = [];
  let answered = 0;
  let calls = 0;
  for (const [, r] of journal.calls()) {
    calls++;
    if (!failed(r)) answered++;
  }
  return {
    call: (k) => journal.call(k),
    evaluation: (k) => journal.evaluation(k),
    calls: () => journal.calls(),
    recordEvaluation: (k, r) => journal.recordEvaluation(k, r),
    retract: (keys) => journal.retract(keys),
    get callCount() {
      return journal.callCount;
    },
    close: () => journal.close(),
    recordCall(key, result) {
      if (failed(result)) {
        if (max > 0 && streak.length + 1 >= max) {
          const n = streak.length + 1;
          journal.retract(streak);
          streak = [];
          const last = result.attempts.at(-1);
          const err = new TooManyFailuresError(
            `${n} calls in a row got no answer (last: ${last?.status}${last?.error ? `: ${last.error}` : ""}${last?.endpoint ? ` from ${last.endpoint}` : ""}); stopped`,
          );
          onStop(err);
          throw err;
        }
        streak.push(key);
      } else {
        streak = [];
        answered++;
      }
      calls++;
      journal.recordCall(key, result);
    },
    end() {
      if (calls === 0 || answered > 0) return;
      journal.retract([...journal.calls()].filter(([, r]) => failed(r)).map(([k]) => k));
      throw new NoSuccessError(`no call of the run got an answer (${calls} calls); check the endpoint`);
    },
  };
}
