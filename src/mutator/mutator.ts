/**
 * The built-in, non-LLM proposer (model key `mutator`): one step of a classic
 * (1+N) evolution strategy on a program's float literals (Rechenberg 1973;
 * Beyer & Schwefel 2002, "Evolution strategies — a comprehensive
 * introduction"). The greedy runner supplies the "(1+N)" part — N children of
 * one frozen parent, the best replaces it only when strictly better — and this
 * module supplies the variation operator:
 *
 *   child = parent with m of its n float literals x_i replaced by
 *           x_i + r · max(|x_i|, absFloor) · z_i,   z_i ~ N(0, 1)
 *   r ~ log-uniform[scaleMin, scaleMax]  (one relative step size per child,
 *                                        so a batch of N children probes
 *                                        several scales at once)
 *   m = ceil(n^u), u ~ U(0, 1)           (log-uniform subset size in [1, n])
 *
 * Everything is drawn from `rng(seed, MUTATOR_STREAM)`: the same parent and
 * seed give the same child, byte for byte (in-process the seed is the child
 * seed; `serve` draws it from the seed and the whole request, serve/endpoint.ts).
 * It answers like a chat model: the full program in one ```python block.
 */

import type { ChatMessage } from "../run/ports.ts";
import { rng } from "../util/rng.ts";
import { findFloatLiterals, replaceLiterals } from "./literals.ts";

/** The step-size parameters; recorded with the runs that use them. */
export interface MutatorParams {
  /** Smallest relative step size r. */
  scaleMin: number;
  /** Largest relative step size r. */
  scaleMax: number;
  /** Step floor for literals near 0 (so `0.0` can move): the step is r · max(|x|, absFloor). */
  absFloor: number;
}

export const MUTATOR_DEFAULTS: Readonly<MutatorParams> = Object.freeze({
  scaleMin: 1e-4,
  scaleMax: 0.3,
  absFloor: 0.05,
});

/** RNG stream of the mutation draws (a fixed tag, so other users of a seed do not collide). */
export const MUTATOR_STREAM = 0x6d757400;

export interface Mutation {
  code: string;
  /** Float literals found in the parent. */
  literals: number;
  /** Literals perturbed (0 when the parent has none: the child is the parent). */
  mutated: number;
  /** The relative step size r drawn for this child. */
  scale: number;
}

/**
 * Mutates `source` deterministically from `seed`.
 * @throws RangeError on invalid parameters (scaleMin ≤ 0, scaleMax < scaleMin, absFloor < 0).
 *
 * @example mutateProgram("x = 0.5\n", 1).code === mutateProgram("x = 0.5\n", 1).code // => true
 */
export function mutateProgram(
  source: string,
  seed: number,
  params: MutatorParams = MUTATOR_DEFAULTS,
): Mutation {
  checkParams(params);
  const r = rng(seed >>> 0, MUTATOR_STREAM);
  const scale = params.scaleMin * (params.scaleMax / params.scaleMin) ** r.next();
  const literals = findFloatLiterals(source);
  const n = literals.length;
  if (n === 0) return { code: source, literals: 0, mutated: 0, scale };
  const m = Math.min(n, Math.max(1, Math.ceil(n ** r.next())));
  // partial Fisher–Yates: the first m entries of `order` are a uniform m-subset
  const order = Array.from({ length: n }, (_, k) => k);
  for (let k = 0; k < m; k++) {
    const j = k + r.int(n - k);
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const chosen = order.slice(0, m).sort((a, b) => a - b);
  const replacements = new Map<number, number>();
  for (const k of chosen) {
    const x = literals[k]!.value;
    replacements.set(k, x + scale * Math.max(Math.abs(x), params.absFloor) * r.normal());
  }
  return { code: replaceLiterals(source, literals, replacements), literals: n, mutated: m, scale };
}

function checkParams(p: MutatorParams): void {
  if (!(p.scaleMin > 0) || !(p.scaleMax >= p.scaleMin) || !Number.isFinite(p.scaleMax))
    throw new RangeError(`mutator: need 0 < scaleMin <= scaleMax, got ${p.scaleMin}, ${p.scaleMax}`);
  if (!(p.absFloor >= 0)) throw new RangeError(`mutator: absFloor must be >= 0, got ${p.absFloor}`);
}

const FENCE = /```([^\n`]*)\r?\n([\s\S]*?)```/g;
const PYTHON_TAG = /^[ \t]*(?:python|py)3?[ \t]*$/i;
// a Markdown heading (`#` … `######`) that names the current program, as OpenEvolve's prompts have
const CURRENT_HEADING = /^[ \t]{0,3}#{1,6}[ \t].*current program/im;

/** The fenced blocks of `text`, in order, python ones marked. */
function fencedBlocks(text: string): { python: boolean; code: string }[] {
  return [...text.matchAll(FENCE)].map((m) => ({ python: PYTHON_TAG.test(m[1]!), code: m[2]! }));
}

/**
 * The program a prompt asks to improve, from the last user message: the first
 * fenced block after a heading containing "Current Program" when there is one
 * (OpenEvolve's prompts show other programs before it),
 * else the last ```python block, else the last fenced block; null when there
 * is none. evoalloc's own prompt holds one block, which is both.
 *
 * @example extractProgram([{ role: "user", content: "# Top\n```python\na\n```\n## Current Program\n```python\nb\n```\n```python\nc\n```" }]) // => "b\n"
 */
export function extractProgram(messages: readonly ChatMessage[]): string | null {
  for (let k = messages.length - 1; k >= 0; k--) {
    const msg = messages[k]!;
    if (msg.role !== "user") continue;
    const text = msg.content;
    const heading = CURRENT_HEADING.exec(text);
    if (heading) {
      const first = fencedBlocks(text.slice(heading.index + heading[0].length))[0];
      if (first) return first.code;
    }
    const blocks = fencedBlocks(text);
    const chosen = blocks.findLast((b) => b.python) ?? blocks.at(-1);
    return chosen ? chosen.code : null;
  }
  return null;
}

/**
 * Token count of `text`, estimated as one token per 4 characters (the usual
 * rule of thumb for English and code under BPE tokenizers).
 *
 * @example estimateTokens("abcdefgh") // => 2
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Prompt tokens of a chat: each message's content plus 4 tokens of chat template, plus 3 to open the reply. */
export function promptTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const m of messages) total += estimateTokens(m.content) + 4;
  return total;
}

export interface MutatorReply {
  content: string;
  completionTokens: number;
  mutation: Mutation | null;
}

/**
 * The mutator's answer to a chat: the mutated program in one ```python block,
 * or a short refusal (no code block) when the prompt holds no program.
 * completionTokens counts the content plus an end-of-sequence token.
 */
export function mutatorReply(
  messages: readonly ChatMessage[],
  seed: number,
  params: MutatorParams = MUTATOR_DEFAULTS,
): MutatorReply {
  const program = extractProgram(messages);
  if (program === null) {
    const content = "I could not find a program to improve in your message.";
    return { content, completionTokens: estimateTokens(content) + 1, mutation: null };
  }
  const mutation = mutateProgram(program, seed, params);
  const body = mutation.code.endsWith("\n") ? mutation.code : `${mutation.code}\n`;
  const content = `\`\`\`python\n${body}\`\`\``;
  return { content, completionTokens: estimateTokens(content) + 1, mutation };
}
