/**
 * Response parsing (DESIGN.md "Parsing"): drop every `<think>…</think>`
 * block (reasoning models; the reference implementation does not), then take
 * the first ```python block, else the first fenced block of any language,
 * else the whole text — each stripped of surrounding whitespace as Python's
 * `str.strip()` does, because that is the program the reference stores,
 * evaluates and sends back in the next prompt. Empty → null (no code; the
 * child's fitness is null).
 */

const THINK = /<think>[\s\S]*?<\/think>/gi;
// An unterminated <think> (the answer was cut inside the reasoning) holds no program.
const OPEN_THINK = /<think>[\s\S]*$/i;
const PYTHON_BLOCK = /```[ \t]*(?:python|py)3?[ \t]*\r?\n([\s\S]*?)```/i;
const ANY_BLOCK = /```[^\n`]*\r?\n([\s\S]*?)```/;

// Python's str.isspace() characters (JavaScript's trim() differs: it strips U+FEFF, keeps U+001C–U+001F and U+0085).
const PY_SPACE =
  "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");

/**
 * Python's `s.strip()`.
 * @example pyStrip("\n  x = 1\n\n") // => "x = 1"
 */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, "");
}

/**
 * The program in a model's answer, or null when there is none.
 *
 * @example parseProgram("<think>hm</think>```python\nx = 1\n```") // => "x = 1"
 * @example parseProgram("  x = 1  ") // => "x = 1"
 * @example parseProgram("<think>only thoughts</think>") // => null
 */
export function parseProgram(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const visible = text.replace(THINK, "").replace(OPEN_THINK, "");
  const block = PYTHON_BLOCK.exec(visible) ?? ANY_BLOCK.exec(visible);
  const code = pyStrip(block ? block[1]! : visible);
  return code === "" ? null : code;
}
