/**
 * The machinery shared by phase-based elimination policies: round-robin
 * over the surviving arms (in index order) for a fixed number of rounds per
 * phase, then `eliminate` picks who survives. Phases advance by updates, not
 * by an arm's own pull count, so a fallback pull (exhausted arm) cannot
 * stall a phase. After the last phase the single survivor gets every round.
 */
import type { Policy } from "./policy.ts";
import type { PhaseSchedule } from "./schedule.ts";

export interface ArmHistory {
  /** Rewards of each arm, in pull order. */
  rewards: number[][];
}

/**
 * @param eliminate given the survivors (ascending indices) and the history,
 *   returns the survivors of the next phase (ascending indices, non-empty).
 */
export function phasedPolicy(
  nArms: number,
  schedule: PhaseSchedule,
  eliminate: (survivors: number[], history: ArmHistory) => number[],
): Policy {
  const history: ArmHistory = { rewards: Array.from({ length: nArms }, () => []) };
  const all = Array.from({ length: nArms }, (_, i) => i);
  let survivors = all;
  let phase = 0;
  let inPhase = 0;
  const skipEmptyPhases = (): void => {
    while (phase < schedule.lengths.length && inPhase >= schedule.lengths[phase]!) {
      survivors = eliminate(survivors, history);
      phase++;
      inPhase = 0;
    }
  };
  skipEmptyPhases();
  return {
    select(): number {
      if (phase >= schedule.lengths.length) return survivors[0]!;
      return survivors[inPhase % survivors.length]!;
    },
    update(arm: number, reward: number): void {
      history.rewards[arm]!.push(reward);
      if (phase < schedule.lengths.length) {
        inPhase++;
        skipEmptyPhases();
      }
    },
    reset(): void {
      for (const r of history.rewards) r.length = 0;
      survivors = all;
      phase = 0;
      inPhase = 0;
      skipEmptyPhases();
    },
  };
}

/** Mean of the last h = max(1, ⌊frac·n⌋) rewards; −∞ for an arm never pulled. */
export function recentMean(rewards: number[], frac: number): number {
  const n = rewards.length;
  if (n === 0) return Number.NEGATIVE_INFINITY;
  const h = Math.max(1, Math.floor(frac * n));
  let s = 0;
  for (let i = n - h; i < n; i++) s += rewards[i]!;
  return s / h;
}

/** Best reward so far; −∞ for an arm never pulled. */
export function bestSoFar(rewards: number[]): number {
  let b = Number.NEGATIVE_INFINITY;
  for (const r of rewards) if (r > b) b = r;
  return b;
}
