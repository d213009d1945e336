/**
 * The random stream a policy draws from: one definition for the online
 * bandit (src/run) and for replay (src/replay), so that replaying a run's
 * own arms with its bandit seed (`replay --subset <arm seeds> --seed
 * <bandit seed>`) makes exactly the run's choices.
 *
 * Instance i of seed s (replay instance i; an online run is instance 0):
 * - `evoalloc` (default): stream 1 + i of s, xoshiro128** with ziggurat
 *   normals (src/util/stream-rng.ts); stream 0 of a replay seed samples the
 *   instances;
 * - `python`: CPython's `random.Random(s + i)` (src/util/py-random.ts), so
 *   an online run draws what the reference's `random.Random(bandit_seed)`
 *   draws.
 *
 * @example policyRng("python").reseed(42, 0).next() // => 0.6394267984578837
 */
import { PyRandom } from "../util/py-random.ts";
import type { Rng } from "../util/rng.ts";
import { StreamRng } from "../util/stream-rng.ts";

export const RNG_KINDS = ["evoalloc", "python"] as const;
export type RngKind = (typeof RNG_KINDS)[number];

/** A policy's generator, restartable as instance `instance` of `seed`. */
export interface PolicyRng extends Rng {
  reseed(seed: number, instance: number): this;
}

class EvoallocStream extends StreamRng implements PolicyRng {
  override reseed(seed: number, instance = 0): this {
    return super.reseed(seed, 1 + instance);
  }
}

class PythonStream extends PyRandom implements PolicyRng {
  reseed(seed: number, instance: number): this {
    return this.seed(BigInt(seed) + BigInt(instance));
  }
}

/**
 * A policy generator of `kind`, positioned at instance 0 of seed 0 (call
 * `reseed`). Throws RangeError for an unknown kind.
 */
export function policyRng(kind: RngKind = "evoalloc"): PolicyRng {
  if (kind === "evoalloc") return new EvoallocStream(); // its constructor reseeds through the override: instance 0
  if (kind === "python") return new PythonStream(0);
  throw new RangeError(`unknown rng "${kind}" (available: ${RNG_KINDS.join(", ")})`);
}
