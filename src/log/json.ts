/**
 * JSON as Python's `json` module writes it: standard JSON plus the bare
 * literals `NaN`, `Infinity` and `-Infinity` (an evaluator can return NaN).
 *
 * The fast path is `JSON.parse`; only text that fails it and contains one of
 * those literals takes the slow path, which rewrites the literals outside
 * strings into sentinel strings and revives them.
 */

const SENTINEL = "\u0000evoalloc:";
/** The sentinel as it is spelled inside JSON text (a raw NUL is not allowed in a JSON string). */
const SENTINEL_JSON = "\\u0000evoalloc:";
const TOKENS = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

/**
 * Parses JSON text that may hold Python's non-finite literals.
 * @throws SyntaxError when the text is not JSON even with them allowed.
 * @example parsePythonJson('{"a": NaN, "b": "NaN"}') // => { a: NaN, b: "NaN" }
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
  }
  let replaced = false;
  const rewritten = text.replace(TOKENS, (tok) => {
    if (tok.charCodeAt(0) === 34 /* " */) return tok;
    replaced = true;
    return `"${SENTINEL_JSON}${tok}"`;
  });
  if (!replaced) return JSON.parse(text);
  return JSON.parse(rewritten, (_key, value) => {
    if (typeof value === "string" && value.startsWith(SENTINEL)) {
      const tok = value.slice(SENTINEL.length);
      return tok === "NaN"
        ? Number.NaN
        : tok === "-Infinity"
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY;
    }
    return value;
  });
}

/**
 * Serialises like Python's `json.dumps` does for non-finite numbers (bare
 * `NaN`/`Infinity` literals), so files round-trip through both readers.
 */
export function stringifyPythonJson(value: unknown, indent?: number): string {
  let nonFinite = false;
  const text = JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) {
        nonFinite = true;
        return `${SENTINEL}${Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"}`;
      }
      return v;
    },
    indent,
  );
  if (!nonFinite) return text;
  return text.replace(/"\\u0000evoalloc:(NaN|-?Infinity)"/g, "$1");
}

/**
 * True when `value` nests arrays/objects more than `limit` levels deep (a
 * scalar is depth 0, `[]` depth 1). Iterative, so a hostile file cannot
 * overflow the stack here; readers refuse such files, since structured
 * clone (worker threads) and recursive consumers would. O(nodes visited).
 * @example nestedDeeperThan([[1]], 1) // => true
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== "object") return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop() as object;
    const d = depths.pop()!;
    if (d > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children)
      if (c !== null && typeof c === "object") {
        stack.push(c);
        depths.push(d + 1);
      }
  }
  return false;
}
