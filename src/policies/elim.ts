/**
 * Rising-bandit elimination (Li, Zhang, Jiang, Yang, Zhang & Cui 2020,
 * "Efficient Automatic CASH via Rising Bandits"): round-robin over the
 * active arms; after each pull, for every active arm with n ≥ 2 rewards,
 * slope ω = (y(n) − y(n − w))/w with w = min(W, n − 1), upper bound
 * u = y(n) + ω·(G − t), lower bound l = y(n) (y(k) = the k-th reward,
 * t = updates so far); an arm whose u is below another active arm's l is
 * dropped. An arm with fewer than 2 rewards cannot be dropped (u = +∞).
 * The policy never sees an arm's initial fitness, hence w ≤ n − 1 rather
 * than the paper's w ≤ n. The last active arm is never dropped.
 * Option `window` W (default 7). O(K) per round.
 *
 * @example
 * elim.create({ nArms: 3, horizon: 9, rng: rng(0) }, elim.defaults).select(); // => 0
 */
import { definePolicy, type Policy, type PolicyContext } from "./policy.ts";

export const elim = definePolicy({
  name: "elim",
  description:
    "rising-bandit elimination: round-robin, drop arms whose projected upper bound < another's best",
  defaults: { window: 7 },
  check: ({ window }) =>
    Number.isInteger(window) && window >= 1 ? null : `window must be an integer >= 1, got ${window}`,
  create(ctx: PolicyContext, params): Policy {
    const k = ctx.nArms;
    const horizon = ctx.horizon;
    const window = Math.max(1, Math.floor(params.window));
    const rewards: number[][] = Array.from({ length: k }, () => []);
    const active = new Uint8Array(k).fill(1);
    const upper = new Float64Array(k);
    const lower = new Float64Array(k);
    let nActive = k;
    let cursor = -1; // the arm last chosen by the round-robin
    let pending = -1;
    let t = 0;
    return {
      select(): number {
        for (let step = 1; step <= k; step++) {
          const i = (cursor + step) % k;
          if (active[i]) {
            pending = i;
            return i;
          }
        }
        return 0; // unreachable: one arm always stays active
      },
      update(arm: number, reward: number): void {
        rewards[arm]!.push(reward);
        t++;
        cursor = pending >= 0 ? pending : arm;
        pending = -1;
        const left = Math.max(0, horizon - t);
        let top = Number.NEGATIVE_INFINITY; // highest l, then second highest
        let second = Number.NEGATIVE_INFINITY;
        let topArm = -1;
        for (let i = 0; i < k; i++) {
          if (!active[i]) continue;
          const y = rewards[i]!;
          const n = y.length;
          const l = n > 0 ? y[n - 1]! : Number.NEGATIVE_INFINITY;
          let u = Number.POSITIVE_INFINITY;
          if (n >= 2) {
            const w = Math.min(window, n - 1);
            u = l + ((l - y[n - 1 - w]!) / w) * left;
          }
          upper[i] = u;
          lower[i] = l;
          if (l > top) {
            second = top;
            top = l;
            topArm = i;
          } else if (l > second) second = l;
        }
        for (let i = 0; i < k && nActive > 1; i++) {
          if (!active[i]) continue;
          const otherBest = i === topArm ? second : top;
          if (upper[i]! < otherBest) {
            active[i] = 0;
            nActive--;
          }
        }
      },
      reset(): void {
        for (const r of rewards) r.length = 0;
        active.fill(1);
        nActive = k;
        cursor = -1;
        pending = -1;
        t = 0;
      },
    };
  },
});
