/**
 * UCB1 (Auer, Cesa-Bianchi & Fischer 2002) exactly as the reference runs it:
 * pull every unpulled arm first (lowest index first), then the argmax of
 * mean reward + c·sqrt(ln t / n_i), t = number of updates so far; ties go to
 * the lowest index. Deterministic, so it reproduces the reference's pull
 * sequence bit for bit (checked against a shipped reference bandit run).
 *
 * O(K) per `select`, O(1) per `update`.
 *
 * @example
 * const p = ucb.create({ nArms: 2, horizon: 4, rng: rng(0) }, ucb.defaults);
 * p.select(); // => 0 (unpulled arms first)
 */
import { definePolicy, inRange, type Policy, type PolicyContext } from "./policy.ts";

export const ucb = definePolicy({
  name: "ucb",
  description: "UCB1: mean reward + c·sqrt(ln t / n_i); unpulled arms first; ties to the lowest index",
  defaults: { c: Math.SQRT2 },
  check: ({ c }) => inRange("c", c, 0, Number.POSITIVE_INFINITY),
  create(ctx: PolicyContext, { c }): Policy {
    const k = ctx.nArms;
    const sums = new Float64Array(k);
    const counts = new Float64Array(k);
    const means = new Float64Array(k); // sums[i] / counts[i], the same division the reference does
    let t = 0;
    let pulledArms = 0;
    return {
      select(): number {
        if (pulledArms < k) {
          for (let i = 0; i < k; i++) if (counts[i] === 0) return i;
        }
        const logT = Math.log(t);
        let best = 0;
        let bestValue = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < k; i++) {
          const n = counts[i]!;
          const value = means[i]! + c * Math.sqrt(logT / n);
          if (value > bestValue) {
            bestValue = value;
            best = i;
          }
        }
        return best;
      },
      update(arm: number, reward: number): void {
        if (counts[arm] === 0) pulledArms++;
        sums[arm]! += reward;
        counts[arm]! += 1;
        means[arm] = sums[arm]! / counts[arm]!;
        t++;
      },
      reset(): void {
        sums.fill(0);
        counts.fill(0);
        means.fill(0);
        t = 0;
        pulledArms = 0;
      },
    };
  },
});
