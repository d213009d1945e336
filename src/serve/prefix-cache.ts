/**
 * A model of an inference server's automatic prefix cache (vLLM, SGLang): the
 * prompt is split into fixed blocks of tokens (tokens.ts gives them); a block
 * is a hit when the same block with the same prefix before it was computed
 * before. `cached_tokens` is the hit prefix in whole blocks, and — as in vLLM
 * — never the whole prompt (the last token is always recomputed).
 *
 * Blocks are hashed as a chain (h_k = sha1(h_{k-1} ‖ block_k)), so a lookup is
 * O(prompt length); the table is an LRU of `capacity` blocks.
 */
import { createHash } from "node:crypto";

export class PrefixCache {
  private readonly seen = new Map<string, true>();

  /** @param capacity blocks kept (least recently used dropped first) */
  constructor(readonly capacity = 200_000) {
    if (!(capacity >= 1)) throw new RangeError("PrefixCache: capacity must be >= 1");
  }

  /**
   * Looks a prompt's leading blocks up, then records them. Returns the cached
   * tokens: hit leading blocks × `blockTokens`, capped at `promptTokens - 1`
   * rounded down to a whole block.
   *
   * @example new PrefixCache().lookupBlocks(["a", "b"], 16, 40) // => 0 (the first time)
   */
  lookupBlocks(blocks: readonly string[], blockTokens: number, promptTokens: number): number {
    let h = "";
    let hits = 0;
    let stillHitting = true;
    for (const block of blocks) {
      h = createHash("sha1").update(h).update(block).digest("hex");
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
