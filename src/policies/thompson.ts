/**
 * Gaussian Thompson sampling as the reference runs it: for each arm draw a
 * normal with mean μ_i = (s0·m0 + Σ rewards_i)/(s0 + n_i) and standard
 * deviation σ/√(s0 + n_i) (σ = 0.1, m0 = 0.5, s0 = 1), pull the argmax
 * (ties → lowest index). O(K) per `select`, O(1) per `update`.
 *
 * @example
 * thompson.create({ nArms: 3, horizon: 9, rng: rng(1) }, thompson.defaults).select(); // => an arm in [0, 3)
 */
import { definePolicy, inRange, type Policy, type PolicyContext } from "./policy.ts";

export const thompson = definePolicy({
  name: "thompson",
  description: "Gaussian Thompson sampling: N((s0·m0 + Σr)/(s0+n), σ²/(s0+n)) per arm, argmax",
  defaults: { sigma: 0.1, m0: 0.5, s0: 1 },
  check: ({ sigma, s0 }) =>
    inRange("sigma", sigma, 0, Number.POSITIVE_INFINITY) ??
    inRange("s0", s0, 0, Number.POSITIVE_INFINITY, true),
  create(ctx: PolicyContext, { sigma, m0, s0 }): Policy {
    const k = ctx.nArms;
    const rng = ctx.rng;
    const sums = new Float64Array(k);
    const counts = new Float64Array(k);
    // posterior mean and sd per arm, refreshed on update (select is the hot path)
    const mu = new Float64Array(k).fill(m0);
    const sd = new Float64Array(k).fill(sigma / Math.sqrt(s0));
    return {
      select(): number {
        let best = 0;
        let bestValue = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < k; i++) {
          const value = mu[i]! + sd[i]! * rng.normal();
          if (value > bestValue) {
            bestValue = value;
            best = i;
          }
        }
        return best;
      },
      update(arm: number, reward: number): void {
        sums[arm]! += reward;
        counts[arm]! += 1;
        const n = s0 + counts[arm]!;
        mu[arm] = (s0 * m0 + sums[arm]!) / n;
        sd[arm] = sigma / Math.sqrt(n);
      },
      reset(): void {
        sums.fill(0);
        counts.fill(0);
        mu.fill(m0);
        sd.fill(sigma / Math.sqrt(s0));
      },
    };
  },
});
