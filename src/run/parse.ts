/**
 * Response parsing (DESIGN.md "Parsing"): drop every `<think>…</think>`
 * block (reasoning models), then take the first ```python block, else the
 * first fenced block of any language, else the whole stripped text. Empty
 * → null (no code; the child's fitness is null).
 */

const THINK = /<think>[\s\S]*?<\/think>/gi;
// An unterminated <think> (the answer was cut inside the reasoning) holds no program.
const OPEN_THINK = /<think>[\s\S]*$/i;
const PYTHON_BLOCK = /```[ \t]*(?:python|py)3?[ \t]*\r?\n([\s\S]*?)```/i;
const ANY_BLOCK = /```[^\n`]*\r?\n([\s\S]*?)```/;

/**
 * The program in a model's answer, or null when there is none.
 *
 * @example parseProgram("<think>hm</think>```python\nx = 1\n```") // => "x = 1\n"
 * @example parseProgram("  x = 1  ") // => "x = 1"
 * @example parseProgram("<think>only thoughts</think>") // => null
 */
export function parseProgram(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const visible = text.replace(THINK, "").replace(OPEN_THINK, "");
  const block = PYTHON_BLOCK.exec(visible) ?? ANY_BLOCK.exec(visible);
  const code = block ? block[1]! : visible.trim();
  return code.trim() === "" ? null : code;
}
