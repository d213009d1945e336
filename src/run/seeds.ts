/**
 * Child seeds (DESIGN.md "Child seeds"): the API `seed` of child `idx` in
 * generation `g` of a run with seed `runSeed` and breadth `N` is the first
 * 4 bytes, big-endian, of SHA-256 over four big-endian uint32
 * (runSeed, N, g − 1, idx), each masked to 32 bits.
 *
 * Seeds do not depend on T, so a run (T, N) is the prefix of a deeper run
 * (T', N) with the same seed.
 */
import { createHash } from "node:crypto";

/**
 * The seed sent with child `idx` of generation `g` (g ≥ 1).
 *
 * @example childSeed(45, 4, 1, 0) // => 529159130
 */
export function childSeed(runSeed: number, N: number, g: number, idx: number): number {
  const buf = Buffer.alloc(16);
  buf.writeUInt32BE(runSeed >>> 0, 0);
  buf.writeUInt32BE(N >>> 0, 4);
  buf.writeUInt32BE((g - 1) >>> 0, 8);
  buf.writeUInt32BE(idx >>> 0, 12);
  return createHash("sha256").update(buf).digest().readUInt32BE(0);
}
