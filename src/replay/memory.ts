/**
 * How much memory a replay needs, estimated before it starts, so that a
 * command can refuse `--rounds 1000000000` with a clear message instead of
 * being killed by V8 after taking the machine's memory.
 *
 * Counts the arrays that grow with the instances n = min(C(S, K), max
 * instances) (1 for a subset), the rounds G, the policies P and the curve
 * sample (at most 2,000 instances): per policy the outcomes (8n), the
 * running-best curves (G doubles, a float32 store of 2,000·G and its
 * float64 copy, per-seed sums S·G, the mean/lo/hi arrays), the selections
 * of a subset (G); per instance its arms (twice, 4K each) and a row of
 * P + 6 outcomes. Within a factor of about 2 of what is allocated; O(1).
 *
 * @example replayMemoryBytes({ seeds: 20, K: 5, rounds: 64, policies: 4 }) < 50e6 // => true
 */
import { binomial } from "./instances.ts";

export interface ReplaySize {
  /** Seeds in the pool (S). */
  seeds: number;
  K: number;
  rounds: number;
  policies: number;
  /** Default 100,000. */
  maxInstances?: number;
  /** One instance (`--subset`). */
  subset?: boolean;
  /** Instances behind the curves' bands. Default 2,000. */
  curveInstances?: number;
}

export function replayMemoryBytes(s: ReplaySize): number {
  const n = s.subset ? 1 : Math.min(binomial(s.seeds, s.K), s.maxInstances ?? 100_000);
  const curves = Math.min(n, s.curveInstances ?? 2000);
  const G = s.rounds;
  const perPolicy = 8 * n + G * (8 + 12 * curves + 8 * s.seeds + 32 + (s.subset ? 8 : 0));
  const perInstance = 8 * s.K + 8 * (s.policies + 6);
  return s.policies * perPolicy + n * perInstance;
}
