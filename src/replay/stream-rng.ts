/**
 * Replay's name for the re-seedable generator, which lives in src/util since
 * the online runner draws its policy stream from it too (src/policies/stream.ts).
 */
export { StreamRng } from "../util/stream-rng.ts";
