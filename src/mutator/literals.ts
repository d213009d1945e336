/**
 * Float literals of a Python program: where they are and how to rewrite them.
 * The mutation proposer (mutator.ts) perturbs these and nothing else, so a
 * child differs from its parent only in numbers, never in structure.
 *
 * The scanner is a small Python tokenizer: comments and string literals
 * (all prefixes, triple quotes, f-strings included) are skipped, identifiers
 * are consumed whole (so `x2` or `a1e5` are not numbers), and a numeric token
 * counts as a float when it has a `.` or an exponent and no `j` suffix
 * (integers and complex literals are left alone). A unary minus in front of a
 * literal (`= -0.5`, `(-1e-3`, `return -2.0`) is folded into it.
 */

/** One float literal: the source span `[start, end)` and its value (sign included). */
export interface FloatLiteral {
  start: number;
  end: number;
  value: number;
  /** True when the span starts with a unary minus. */
  negated: boolean;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;
// Keywords after which a `-` is unary.
const UNARY_AFTER_KEYWORD = new Set([
  "return",
  "in",
  "and",
  "or",
  "not",
  "if",
  "elif",
  "else",
  "lambda",
  "yield",
  "assert",
  "is",
  "await",
]);

/**
 * Every float literal of `source`, in source order.
 * Complexity O(length of source).
 *
 * @example findFloatLiterals("x = [0.5, -1e-3, 2]  # 3.0").map((l) => l.value) // => [0.5, -0.001]
 */
export function findFloatLiterals(source: string): FloatLiteral[] {
  const out: FloatLiteral[] = [];
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source[i]!;
    if (c === "#") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === "'" || c === '"') {
      i = skipString(source, i);
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(source[j]!)) j++;
      const word = source.slice(i, j);
      if (j < n && (source[j] === "'" || source[j] === '"') && STRING_PREFIX.test(word)) {
        i = skipString(source, j);
        continue;
      }
      i = j;
      continue;
    }
    if (DIGIT.test(c) || (c === "." && i + 1 < n && DIGIT.test(source[i + 1]!))) {
      const end = scanNumber(source, i);
      const text = source.slice(i, end);
      if (isFloatToken(text)) {
        const value = Number(text.replace(/_/g, ""));
        if (Number.isFinite(value)) {
          const minus = unaryMinusBefore(source, i);
          if (minus >= 0) out.push({ start: minus, end, value: -value, negated: true });
          else out.push({ start: i, end, value, negated: false });
        }
      }
      i = end;
      continue;
    }
    i++;
  }
  return out;
}

/**
 * Python source text for `value` as a float literal that can replace `lit`:
 * always a float (a `.` or an exponent), at most 12 significant digits, and
 * parenthesised when negative where no unary minus was folded in (so
 * `a - 0.5` becomes `a - (-0.1)`, never `a --0.1`).
 *
 * @example formatFloat(2, false) // => "2.0"
 * @example formatFloat(-0.25, false) // => "(-0.25)"
 */
export function formatFloat(value: number, negatedSpan: boolean): string {
  let text = String(Number(value.toPrecision(12)));
  if (!/[.e]/.test(text)) text += ".0";
  if (value < 0 && !negatedSpan) return `(${text})`;
  return text;
}

/**
 * `source` with literal k (an index into `literals`, as `findFloatLiterals`
 * returned them) replaced by `replacements.get(k)` where present.
 *
 * @example replaceLiterals("a = 0.5", findFloatLiterals("a = 0.5"), new Map([[0, 0.25]])) // => "a = 0.25"
 */
export function replaceLiterals(
  source: string,
  literals: readonly FloatLiteral[],
  replacements: ReadonlyMap<number, number>,
): string {
  const parts: string[] = [];
  let pos = 0;
  for (let k = 0; k < literals.length; k++) {
    const value = replacements.get(k);
    if (value === undefined) continue;
    const lit = literals[k]!;
    parts.push(source.slice(pos, lit.start), formatFloat(value, lit.negated));
    pos = lit.end;
  }
  parts.push(source.slice(pos));
  return parts.join("");
}

function isFloatToken(text: string): boolean {
  if (/^0[xXoObB]/.test(text)) return false;
  if (/[jJ]$/.test(text)) return false;
  return /[.eE]/.test(text);
}

/** End of the numeric token starting at `i` (Python's number grammar, loosely). */
function scanNumber(s: string, i: number): number {
  const n = s.length;
  if (s[i] === "0" && i + 1 < n && /[xXoObB]/.test(s[i + 1]!)) {
    let j = i + 2;
    while (j < n && /[0-9a-fA-F_]/.test(s[j]!)) j++;
    return j;
  }
  let j = i;
  while (j < n && /[0-9_]/.test(s[j]!)) j++;
  if (j < n && s[j] === ".") {
    j++;
    while (j < n && /[0-9_]/.test(s[j]!)) j++;
  }
  if (j < n && (s[j] === "e" || s[j] === "E")) {
    let k = j + 1;
    if (k < n && (s[k] === "+" || s[k] === "-")) k++;
    if (k < n && DIGIT.test(s[k]!)) {
      while (k < n && /[0-9_]/.test(s[k]!)) k++;
      j = k;
    }
  }
  if (j < n && (s[j] === "j" || s[j] === "J")) j++;
  return j;
}

/** Index of a unary `-` directly before the literal at `i`, or -1. */
function unaryMinusBefore(s: string, i: number): number {
  let j = i - 1;
  while (j >= 0 && (s[j] === " " || s[j] === "\t")) j--;
  if (j < 0 || s[j] !== "-") return -1;
  const minus = j;
  j--;
  while (j >= 0 && (s[j] === " " || s[j] === "\t")) j--;
  if (j < 0 || s[j] === "\n") return minus;
  const p = s[j]!;
  if ("([{,=:+-*/%<>&|^~@".includes(p)) return minus;
  if (IDENT_PART.test(p)) {
    let k = j;
    while (k >= 0 && IDENT_PART.test(s[k]!)) k--;
    const word = s.slice(k + 1, j + 1);
    return UNARY_AFTER_KEYWORD.has(word) ? minus : -1;
  }
  return -1;
}

/** End of the string literal whose opening quote is at `i` (unterminated → end of source). */
function skipString(s: string, i: number): number {
  const q = s[i]!;
  const n = s.length;
  const triple = s.startsWith(q.repeat(3), i);
  let j = i + (triple ? 3 : 1);
  while (j < n) {
    const c = s[j]!;
    if (c === "\\") {
      j += 2;
      continue;
    }
    if (triple) {
      if (s.startsWith(q.repeat(3), j)) return j + 3;
    } else {
      if (c === q) return j + 1;
      if (c === "\n") return j; // unterminated single-quoted string: stop at the line end
    }
    j++;
  }
  return n;
}
