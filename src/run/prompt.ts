/**
 * The greedy prompt (DESIGN.md "Online semantics"): the task's system
 * prompt, then one user message. By default it is evoalloc's own: the
 * current program in a ```python block, its score (combined_score, 6
 * decimals) and the instruction to return the complete improved program in
 * one ```python block. No history, no other programs.
 *
 * A user template (`--prompt-template FILE`, task.json `prompt_template`)
 * replaces that user message: Python `str.format` placeholders, formatted
 * exactly as CPython would (pyformat.ts), with
 *   {current_program}   the parent's code, as stored (str)
 *   {fitness}           its combined_score (float: `{fitness:.6f}`, `{fitness}` is Python's repr)
 *   {generation}        the generation being made, 1 for the first children (int)
 *   {task_description}  task.json `description`, else the system prompt (str)
 * so that the reference's own template, given as a file, yields its request
 * bodies byte for byte.
 */

import type { ChatMessage } from "./ports.ts";
import { FormatError, pyFloat, pyFormat, pyInt, pyStr, templateFields } from "./pyformat/index.ts";

/** The placeholders a template may use. */
export const TEMPLATE_FIELDS = ["current_program", "fitness", "generation", "task_description"] as const;

/** A user template and the values it needs beside the program and its score. */
export interface UserTemplate {
  text: string;
  generation: number;
  taskDescription: string;
}

/**
 * Messages asking for one full rewrite of `program`.
 *
 * @example buildMessages("Be brief.", "x = 1\n", 0.5)[1].content.startsWith("Current program") // => true
 * @example buildMessages("S", "x = 1", 0.0078125, { text: "{fitness:.6f}", generation: 1, taskDescription: "" })[1].content // => "0.007812"
 * @throws FormatError when the template cannot be formatted (checkTemplate finds that first).
 */
export function buildMessages(
  systemPrompt: string,
  program: string,
  score: number,
  template?: UserTemplate | null,
): ChatMessage[] {
  const user =
    template === undefined || template === null
      ? defaultUserMessage(program, score)
      : pyFormat(template.text, {
          current_program: pyStr(program),
          fitness: pyFloat(score),
          generation: pyInt(template.generation),
          task_description: pyStr(template.taskDescription),
        });
  return [
    { role: "system", content: systemPrompt },
    { role: "user", content: user },
  ];
}

function defaultUserMessage(program: string, score: number): string {
  const body = program.endsWith("\n") ? program : `${program}\n`;
  return (
    `Current program (combined_score = ${formatScore(score)}):\n\n` +
    `\`\`\`python\n${body}\`\`\`\n\n` +
    "Improve it. Return the complete improved program in a single ```python code block."
  );
}

/** Six decimals, as the reference (round half to even on the exact value, like Python). */
function formatScore(score: number): string {
  return pyFormat("{x:.6f}", { x: pyFloat(score) });
}

/**
 * Checks a template before a run spends anything: only known placeholders,
 * and every spec valid for its value (formatted once with sample values).
 *
 * @throws FormatError naming the problem.
 */
export function checkTemplate(text: string): void {
  const unknown = templateFields(text).filter((f) => !(TEMPLATE_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0)
    throw new FormatError(
      `unknown placeholder {${unknown[0]}} (known: ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(", ")})`,
    );
  buildMessages("", "x = 1", 0.5, { text, generation: 1, taskDescription: "" });
}
