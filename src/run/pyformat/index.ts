/**
 * Python's `str.format` with named fields, byte for byte: the prompt template
 * of a run (`--prompt-template`, task.json `prompt_template`) is written for
 * Python, so `{fitness:.6f}` must print what CPython prints.
 *
 * JavaScript's `toFixed` rounds a tie of the exact binary value away from zero
 * (`(0.0078125).toFixed(6)` is "0.007813"); CPython rounds it half to even
 * ("0.007812"). Here every float is expanded to its exact decimal value with
 * BigInt (a double m·2^e equals m·5^−e / 10^−e) and rounded half to even, as
 * CPython's dtoa does; the shortest round-trip digits of `repr` (no precision)
 * are JavaScript's own, which are the same shortest, closest digits.
 *
 * Supported: literal text with `{{` and `}}`; fields `{name}`, `{name!s}`,
 * `{name!r}`, `{name:spec}` (one level of nested `{other}` inside the spec);
 * the whole format-spec mini-language of Python 3.11
 * (`[[fill]align][sign][z][#][0][width][grouping][.precision][type]`) for
 * float (`e E f F g G n %` and none), int (`b c d o x X n`, the float types and
 * none) and str (`s` and none). Anything else — positional fields, attribute or
 * index access, `!a` — throws a `FormatError` rather than guess.
 *
 * Values are typed as Python would hold them: a `PyValue` is a float, an int
 * or a str (a JavaScript number alone cannot tell 1.0 from 1).
 *
 *   index.ts   templates: literal text and fields, `pyFormat`
 *   spec.ts    the format-spec mini-language, `formatValue`
 *   float.ts   float digits: exact decimal rounding, `floatRepr`
 *   value.ts   `PyValue`, `str()` and `repr()`, `FormatError`
 */
import { formatValue } from "./spec.ts";
import { FormatError, type PyValue, pyRepr, pyStr, pyStrOf } from "./value.ts";

export { floatRepr } from "./float.ts";
export { formatValue } from "./spec.ts";
export { FormatError, type PyValue, pyFloat, pyInt, pyRepr, pyStr, pyStrOf } from "./value.ts";

/** One piece of a parsed template: literal text, or a field. */
export type TemplatePart =
  | { kind: "text"; text: string }
  | { kind: "field"; name: string; conversion: "s" | "r" | null; spec: string };

/**
 * Parses a template into literal text and fields (CPython's MarkupIterator).
 * @throws FormatError for a single `}`, an unclosed `{`, or an unsupported field.
 * @example parseTemplate("a{x:.2f}}}").length // => 3
 */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c === "}") {
      if (template[i + 1] !== "}") throw new FormatError("Single '}' encountered in format string");
      text += "}";
      i += 2;
      continue;
    }
    if (c !== "{") {
      text += c;
      i++;
      continue;
    }
    if (template[i + 1] === "{") {
      text += "{";
      i += 2;
      continue;
    }
    // a field: up to the matching '}' (braces nest inside the spec)
    let depth = 1;
    let j = i + 1;
    for (; j < template.length; j++) {
      if (template[j] === "{") depth++;
      else if (template[j] === "}" && --depth === 0) break;
    }
    if (depth !== 0) throw new FormatError("expected '}' before end of string");
    if (text !== "") parts.push({ kind: "text", text });
    text = "";
    parts.push(parseField(template.slice(i + 1, j)));
    i = j + 1;
  }
  if (text !== "") parts.push({ kind: "text", text });
  return parts;
}

function parseField(field: string): TemplatePart {
  let end = 0;
  while (end < field.length && field[end] !== "!" && field[end] !== ":") end++;
  const name = field.slice(0, end);
  let conversion: "s" | "r" | null = null;
  let rest = field.slice(end);
  if (rest.startsWith("!")) {
    const conv = rest[1];
    if (conv === undefined || (rest.length > 2 && rest[2] !== ":"))
      throw new FormatError("expected ':' after conversion specifier");
    if (conv !== "s" && conv !== "r")
      throw new FormatError(`conversion !${conv} is not supported (use !s or !r)`);
    conversion = conv;
    rest = rest.slice(2);
  }
  const spec = rest.startsWith(":") ? rest.slice(1) : "";
  if (name === "" || /^\d+$/.test(name))
    throw new FormatError(`positional field {${name}} is not supported: name the placeholder`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new FormatError(`field {${name}}: attribute and index access are not supported`);
  return { kind: "field", name, conversion, spec };
}

/** The field names a template uses, in order of first use (nested ones in specs included). */
export function templateFields(template: string): string[] {
  const names: string[] = [];
  const add = (n: string): void => {
    if (!names.includes(n)) names.push(n);
  };
  for (const p of parseTemplate(template)) {
    if (p.kind !== "field") continue;
    add(p.name);
    for (const q of parseTemplate(p.spec)) if (q.kind === "field") add(q.name);
  }
  return names;
}

/**
 * `template.format(**values)` as CPython computes it.
 *
 * @example pyFormat("{x:.6f}", { x: pyFloat(0.0078125) }) // => "0.007812"
 * @example pyFormat("{{g={g:03d}}}", { g: pyInt(7) }) // => "{g=007}"
 * @throws FormatError naming the problem (unknown field: KeyError, bad spec: ValueError).
 */
export function pyFormat(template: string, values: Readonly<Record<string, PyValue>>): string {
  let out = "";
  for (const part of parseTemplate(template)) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const v = lookup(values, part.name);
    const spec = part.spec.includes("{") ? nestedSpec(part.spec, values) : part.spec;
    if (part.conversion === null) out += formatValue(v, spec);
    else out += formatValue(pyStr(part.conversion === "s" ? pyStrOf(v) : pyRepr(v)), spec);
  }
  return out;
}

function lookup(values: Readonly<Record<string, PyValue>>, name: string): PyValue {
  if (!Object.hasOwn(values, name))
    throw new FormatError(
      `unknown field {${name}} (KeyError: '${name}'); known: ${Object.keys(values).join(", ")}`,
    );
  return values[name]!;
}

function nestedSpec(spec: string, values: Readonly<Record<string, PyValue>>): string {
  let out = "";
  for (const p of parseTemplate(spec)) {
    if (p.kind === "text") out += p.text;
    else if (p.spec.includes("{")) throw new FormatError("Max string recursion exceeded");
    else
      out += formatValue(
        p.conversion === null ? lookup(values, p.name) : pyStr(pyRepr(lookup(values, p.name))),
        p.spec,
      );
  }
  return out;
}
