/**
 * Rising successive rejects, R-SR (Mussi, Montenegro, Trovò, Restelli &
 * Metelli 2024, "Best Arm Identification for Stochastic Rising Bandits"):
 * K−1 phases; in phase j every surviving arm is pulled round-robin up to
 * ⌈(G − K)/(logbar(K)·(K+1−j))⌉ pulls in total; at the end of a phase the
 * arm with the lowest mean of its last h = max(1, ⌊ε·n⌋) rewards is dropped
 * (ties drop the higher index); the last arm takes what is left.
 * Option `eps` (default 0.25). O(1) per round, O(K·n) per phase end.
 *
 * @example
 * rsr.create({ nArms: 3, horizon: 12, rng: rng(0) }, rsr.defaults).select(); // => 0
 */
import { phasedPolicy, recentMean } from "./phased.ts";
import { definePolicy, inRange, type Policy, type PolicyContext } from "./policy.ts";
import { rsrSchedule } from "./schedule.ts";

export const rsr = definePolicy({
  name: "rsr",
  description: "rising successive rejects: K−1 phases, drop the lowest mean of the last ⌊ε·n⌋ rewards",
  defaults: { eps: 0.25 },
  check: ({ eps }) => inRange("eps", eps, 0, 0.5, true),
  create(ctx: PolicyContext, { eps }): Policy {
    return phasedPolicy(ctx.nArms, rsrSchedule(ctx.nArms, ctx.horizon), (survivors, history) => {
      let worst = survivors[0]!;
      let worstValue = Number.POSITIVE_INFINITY;
      for (const arm of survivors) {
        const v = recentMean(history.rewards[arm]!, eps);
        if (v <= worstValue) {
          worstValue = v;
          worst = arm;
        }
      }
      return survivors.filter((a) => a !== worst);
    });
  },
});
