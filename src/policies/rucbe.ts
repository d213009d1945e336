/**
 * R-UCBE, optimistic projection for rising bandits (Mussi, Montenegro,
 * Trovò, Restelli & Metelli 2024): for an arm with n ≥ 2 pulls, h =
 * max(1, ⌊ε·n⌋) (so 2h ≤ n),
 *
 *   index = mean of the last h rewards + (G − t)·slope + σ·(G − t + h − 1)·sqrt(a / h³),
 *   slope = (sum of the last h rewards − sum of the h before) / h²,
 *
 * t = number of updates so far (G − t floored at 0); an arm with fewer than 2
 * pulls has index +∞; argmax, ties → lowest index. Options σ (`sigma`, 0.05),
 * `a` (1), `eps` (0.25). O(K) per `select` via per-arm prefix sums.
 *
 * @example
 * rucbe.create({ nArms: 2, horizon: 6, rng: rng(0) }, rucbe.defaults).select(); // => 0
 */
import { definePolicy, inRange, type Policy, type PolicyContext } from "./policy.ts";

export const rucbe = definePolicy({
  name: "rucbe",
  description: "R-UCBE: recent mean + projected slope to the horizon + σ·(G−t+h−1)·sqrt(a/h³)",
  defaults: { sigma: 0.05, a: 1, eps: 0.25 },
  check: ({ sigma, a, eps }) =>
    inRange("eps", eps, 0, 0.5, true) ??
    inRange("sigma", sigma, 0, Number.POSITIVE_INFINITY) ??
    inRange("a", a, 0, Number.POSITIVE_INFINITY),
  create(ctx: PolicyContext, { sigma, a, eps }): Policy {
    const k = ctx.nArms;
    const horizon = ctx.horizon;
    // prefix[i][n] = sum of arm i's first n rewards
    const prefix: number[][] = Array.from({ length: k }, () => [0]);
    let t = 0;
    return {
      select(): number {
        const left = Math.max(0, horizon - t);
        let best = 0;
        let bestValue = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < k; i++) {
          const p = prefix[i]!;
          const n = p.length - 1;
          if (n < 2) return i; // +∞; the lowest such index wins the tie
          const h = Math.max(1, Math.floor(eps * n));
          const last = p[n]! - p[n - h]!;
          const before = p[n - h]! - p[n - 2 * h]!;
          const value =
            last / h +
            (left * (last - before)) / (h * h) +
            sigma * (left + h - 1) * Math.sqrt(a / (h * h * h));
          if (value > bestValue) {
            bestValue = value;
            best = i;
          }
        }
        return best;
      },
      update(arm: number, reward: number): void {
        const p = prefix[arm]!;
        p.push(p[p.length - 1]! + reward);
        t++;
      },
      reset(): void {
        for (const p of prefix) p.length = 1;
        t = 0;
      },
    };
  },
});
