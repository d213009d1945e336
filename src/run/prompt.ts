/**
 * The greedy prompt (DESIGN.md "Online semantics"): the task's system
 * prompt, then one user message with the current program in a ```python
 * block, its score (combined_score, 6 decimals) and the instruction to
 * return the complete improved program in one ```python block. No history,
 * no other programs.
 */
import type { ChatMessage } from "./types.ts";

/**
 * Messages asking for one full rewrite of `program`.
 *
 * @example buildMessages("Be brief.", "x = 1\n", 0.5)[1].content.startsWith("Current program") // => true
 */
export function buildMessages(systemPrompt: string, program: string, score: number): ChatMessage[] {
  const body = program.endsWith("\n") ? program : `${program}\n`;
  const user =
    `Current program (combined_score = ${formatScore(score)}):\n\n` +
    `\`\`\`python\n${body}\`\`\`\n\n` +
    "Improve it. Return the complete improved program in a single ```python code block.";
  return [
    { role: "system", content: systemPrompt },
    { role: "user", content: user },
  ];
}

/** Six decimals, as the reference; non-finite scores print as Python would. */
function formatScore(score: number): string {
  if (Number.isNaN(score)) return "nan";
  if (!Number.isFinite(score)) return score > 0 ? "inf" : "-inf";
  return score.toFixed(6);
}
