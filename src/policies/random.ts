/**
 * Uniformly random arm each round. O(1) per round.
 *
 * @example
 * random.create({ nArms: 4, horizon: 8, rng: rng(0) }, {}).select(); // => an arm in [0, 4)
 */
import type { Policy, PolicyContext, PolicySpec } from "./policy.ts";

export const random: PolicySpec = {
  name: "random",
  description: "uniformly random arm each round",
  defaults: {},
  create(ctx: PolicyContext): Policy {
    const k = ctx.nArms;
    const rng = ctx.rng;
    return {
      select: () => rng.int(k),
      update(): void {},
      reset(): void {},
    };
  },
};
