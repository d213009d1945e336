/**
 * Sequential halving (Karnin, Koren & Somekh 2013) aimed at the final
 * maximum: ⌈log2 K⌉ phases; in each, every surviving arm gets
 * ⌊G/(survivors·phases)⌋ pulls round-robin, then the better half by
 * best-so-far (⌈s/2⌉ arms; ties keep the lower index) survives; rounds left
 * over go to the last survivor. O(1) per round, O(K log K) per phase end.
 *
 * @example
 * const p = halving.create({ nArms: 2, horizon: 5, rng: rng(0) }, {});
 * p.select(); // => 0; the pulls go 0, 1, 0, 1 (one phase, ⌊5/2⌋ each), then the better arm once
 */
import { bestSoFar, phasedPolicy } from "./phased.ts";
import type { Policy, PolicyContext, PolicySpec } from "./policy.ts";
import { halvingSchedule } from "./schedule.ts";

export const halving: PolicySpec = {
  name: "halving",
  description: "sequential halving on best-so-far: ⌈log2 K⌉ phases, keep the better half, rest to the winner",
  defaults: {},
  create(ctx: PolicyContext): Policy {
    return phasedPolicy(ctx.nArms, halvingSchedule(ctx.nArms, ctx.horizon), (survivors, history) => {
      const ranked = survivors
        .map((arm) => ({ arm, best: bestSoFar(history.rewards[arm]!) }))
        .sort((a, b) => b.best - a.best || a.arm - b.arm);
      return ranked
        .slice(0, Math.ceil(survivors.length / 2))
        .map((r) => r.arm)
        .sort((a, b) => a - b);
    });
  },
};
