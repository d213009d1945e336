/**
 * A model of an inference server's automatic prefix cache (vLLM, SGLang): the
 * prompt is split into fixed blocks; a block is a hit when the same block with
 * the same prefix before it was computed before. `cached_tokens` is the hit
 * prefix in whole blocks, and — as in vLLM — never the whole prompt (the last
 * token is always recomputed).
 *
 * Blocks are hashed as a chain (h_k = sha1(h_{k-1} ‖ block_k)), so a lookup is
 * O(prompt length); the table is an LRU of `capacity` blocks.
 */
import { createHash } from "node:crypto";

export class PrefixCache {
  private readonly seen = new Map<string, true>();

  /**
   * @param blockChars characters per cache block (64 ≈ 16 tokens at 4 chars per token)
   * @param capacity blocks kept (least recently used dropped first)
   */
  constructor(
    readonly blockChars = 64,
    readonly capacity = 200_000,
  ) {
    if (!(blockChars >= 1) || !(capacity >= 1))
      throw new RangeError("PrefixCache: blockChars and capacity must be >= 1");
  }

  /**
   * Looks `text` up, then records its blocks. Returns the cached part as a
   * fraction-free token count: hit blocks × (blockChars / 4), capped at
   * `promptTokens - 1` rounded down to a whole block.
   */
  lookup(text: string, promptTokens: number): number {
    const blockTokens = Math.max(1, Math.floor(this.blockChars / 4));
    let h = "";
    let hits = 0;
    let stillHitting = true;
    const nBlocks = Math.floor(text.length / this.blockChars);
    for (let k = 0; k < nBlocks; k++) {
      h = createHash("sha1")
        .update(h)
        .update(text.slice(k * this.blockChars, (k + 1) * this.blockChars))
        .digest("hex");
      if (stillHitting && this.seen.has(h)) {
        hits++;
        this.seen.delete(h); // refresh its LRU position
      } else stillHitting = false;
      this.seen.set(h, true);
      if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    }
    const cap = Math.max(0, Math.floor((promptTokens - 1) / blockTokens) * blockTokens);
    return Math.min(hits * blockTokens, cap);
  }
}
