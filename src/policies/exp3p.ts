/**
 * EXP3 with implicit exploration, the reference's "exp3p" (Auer et al. 2002;
 * implicit exploration after Kocák et al. 2014): p_i = (1−γ)·w_i/Σw + γ/K;
 * sample an arm from p (one uniform u, the first arm whose cumulative
 * probability is ≥ u); on update g = clip(reward, 0, 1) and
 * w_a ← w_a·exp(η·g / (p_a + γ/(2K))), p_a computed from the weights before
 * the update. Defaults η = 0.07, γ = 0.1.
 *
 * Weights are rescaled by their maximum when they grow large, which leaves
 * every probability unchanged and keeps long horizons finite.
 * O(K) per `select` and per `update`.
 *
 * @example
 * const p = createExp3p({ nArms: 2, horizon: 4, rng: rng(0) }, exp3p.defaults);
 * p.probabilities(); // => [0.5, 0.5]
 */
import { definePolicy, inRange, type Policy, type PolicyContext, type PolicyParams } from "./policy.ts";

export interface Exp3pPolicy extends Policy {
  /** The current sampling distribution p (a copy). */
  probabilities(): number[];
  /** The current weights w (a copy, up to a common factor). */
  weights(): number[];
}

const RESCALE_ABOVE = 1e250;

const DEFAULTS = { eta: 0.07, gamma: 0.1 };

/** An exp3p policy with its probabilities and weights exposed; `params` override the defaults. */
export function createExp3p(ctx: PolicyContext, params: PolicyParams): Exp3pPolicy {
  const k = ctx.nArms;
  const { eta, gamma } = { ...DEFAULTS, ...params };
  const rng = ctx.rng;
  const w = new Float64Array(k).fill(1);
  const total = Float64Array.of(k); // Σw after each update (select is the hot path); unboxed
  const prob = (i: number): number => ((1 - gamma) * w[i]!) / total[0]! + gamma / k;
  return {
    select(): number {
      const u = rng.next();
      const sum = total[0]!;
      let acc = 0;
      for (let i = 0; i < k; i++) {
        acc += ((1 - gamma) * w[i]!) / sum + gamma / k;
        if (u <= acc) return i; // the first arm whose cumulative probability reaches u, as the reference
      }
      return k - 1; // u within rounding of 1
    },
    update(arm: number, reward: number): void {
      const g = reward > 0 ? Math.min(reward, 1) : 0; // NaN → 0
      const p = prob(arm);
      w[arm]! *= Math.exp((eta * g) / (p + gamma / (2 * k)));
      if (w[arm]! > RESCALE_ABOVE) {
        const m = w[arm]!;
        for (let i = 0; i < k; i++) w[i]! /= m;
      }
      let sum = 0;
      for (let i = 0; i < k; i++) sum += w[i]!;
      total[0] = sum;
    },
    reset(): void {
      w.fill(1);
      total[0] = k;
    },
    probabilities(): number[] {
      return Array.from({ length: k }, (_, i) => prob(i));
    },
    weights(): number[] {
      return Array.from(w);
    },
  };
}

export const exp3p = definePolicy<typeof DEFAULTS>({
  name: "exp3p",
  description: "EXP3 with implicit exploration: p = (1−γ)·w/Σw + γ/K, w_a ← w_a·exp(η·g/(p_a + γ/2K))",
  defaults: DEFAULTS,
  check: ({ eta, gamma }) =>
    inRange("eta", eta, 0, Number.POSITIVE_INFINITY, true) ?? inRange("gamma", gamma, 0, 1, true),
  create: createExp3p,
});
