/**
 * The exhausted-arm fallback, one definition for the online bandit
 * (src/run/bandit.ts) and replay (src/replay/engine.ts): when a policy picks
 * an arm that cannot be pulled (it has had its `cap` pulls: the bandit's
 * T_cap_per_arm, or the depth of a replayed arm's log), the caller pulls the
 * eligible arm with the fewest pulls, the lowest index on ties, and tells
 * the policy the arm actually pulled. Returns −1 when no arm is eligible. O(K).
 *
 * @example fallbackArm([3, 1, 1], [5, 1, 5]) // => 2
 * @example fallbackArm([2, 2], 2) // => -1
 */
export function fallbackArm(pulls: ArrayLike<number>, cap: ArrayLike<number> | number): number {
  let pick = -1;
  for (let i = 0; i < pulls.length; i++) {
    const limit = typeof cap === "number" ? cap : cap[i]!;
    if (pulls[i]! < limit && (pick < 0 || pulls[i]! < pulls[pick]!)) pick = i;
  }
  return pick;
}
