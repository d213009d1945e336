/**
 * Follow the leader on the objective: pull each arm once (lowest index
 * first), then always the arm with the best best-so-far (ties → lowest
 * index). O(K) per round.
 *
 * @example
 * leader.create({ nArms: 2, horizon: 4, rng: rng(0) }, {}).select(); // => 0
 */
import type { Policy, PolicyContext, PolicySpec } from "./policy.ts";

export const leader: PolicySpec = {
  name: "leader",
  description: "one pull each, then always the arm with the best best-so-far",
  defaults: {},
  create(ctx: PolicyContext): Policy {
    const k = ctx.nArms;
    const best = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
    const counts = new Uint32Array(k);
    let pulledArms = 0;
    return {
      select(): number {
        if (pulledArms < k) {
          for (let i = 0; i < k; i++) if (counts[i] === 0) return i;
        }
        let arm = 0;
        for (let i = 1; i < k; i++) if (best[i]! > best[arm]!) arm = i;
        return arm;
      },
      update(arm: number, reward: number): void {
        if (counts[arm] === 0) pulledArms++;
        counts[arm]! += 1;
        if (reward > best[arm]!) best[arm] = reward;
      },
      reset(): void {
        best.fill(Number.NEGATIVE_INFINITY);
        counts.fill(0);
        pulledArms = 0;
      },
    };
  },
};
