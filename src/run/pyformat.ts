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
 */

/** A template cannot be formatted (what CPython would raise, or what is not supported). */
export class FormatError extends Error {
  override name = "FormatError";
}

export type PyValue =
  | { type: "float"; value: number }
  | { type: "int"; value: number | bigint }
  | { type: "str"; value: string };

export const pyFloat = (value: number): PyValue => ({ type: "float", value });
export const pyInt = (value: number | bigint): PyValue => ({ type: "int", value });
export const pyStr = (value: string): PyValue => ({ type: "str", value });

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

/** `str(v)`. */
export function pyStrOf(v: PyValue): string {
  if (v.type === "str") return v.value;
  if (v.type === "int") return BigInt(v.value).toString();
  return floatRepr(v.value);
}

/** `repr(v)`. */
export function pyRepr(v: PyValue): string {
  return v.type === "str" ? strRepr(v.value) : pyStrOf(v);
}

/** Python's repr of a str: single quotes unless it holds ' and no ", escapes for the non-printable. */
function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp < 0x7f || (ch !== " " && !/[\p{C}\p{Z}]/u.test(ch)) || ch === " ") out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + quote;
}

// ---- the format-spec mini-language ---------------------------------------

interface Spec {
  fill: string;
  align: "<" | ">" | "=" | "^" | null;
  sign: "+" | "-" | " " | null;
  z: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: "," | "_" | null;
  precision: number | null;
  type: string;
}

const ALIGNS = "<>=^";

function parseSpec(spec: string): Spec {
  const cps = Array.from(spec);
  const s: Spec = {
    fill: " ",
    align: null,
    sign: null,
    z: false,
    alt: false,
    zero: false,
    width: -1,
    grouping: null,
    precision: null,
    type: "",
  };
  let i = 0;
  let fillGiven = false;
  if (cps.length >= 2 && ALIGNS.includes(cps[1]!)) {
    s.fill = cps[0]!;
    s.align = cps[1] as Spec["align"];
    fillGiven = true;
    i = 2;
  } else if (cps.length >= 1 && ALIGNS.includes(cps[0]!)) {
    s.align = cps[0] as Spec["align"];
    i = 1;
  }
  if (cps[i] === "+" || cps[i] === "-" || cps[i] === " ") s.sign = cps[i++] as Spec["sign"];
  if (cps[i] === "z") {
    s.z = true;
    i++;
  }
  if (cps[i] === "#") {
    s.alt = true;
    i++;
  }
  if (cps[i] === "0") {
    // numbers: sign-aware zero padding ('=' unless aligned); strings: only the fill (Python ≥ 3.10)
    s.zero = true;
    if (!fillGiven) s.fill = "0";
    i++;
  }
  const digits = (): string => {
    let d = "";
    while (i < cps.length && cps[i]! >= "0" && cps[i]! <= "9") d += cps[i++];
    return d;
  };
  const w = digits();
  if (w !== "") s.width = Number(w);
  if (cps[i] === "," || cps[i] === "_") {
    s.grouping = cps[i++] as Spec["grouping"];
    if (cps[i] === "," || cps[i] === "_") throw new FormatError("Cannot specify both ',' and '_'.");
  }
  if (cps[i] === ".") {
    i++;
    const p = digits();
    if (p === "") throw new FormatError("Format specifier missing precision");
    s.precision = Number(p);
  }
  if (cps.length - i > 1) throw new FormatError("Invalid format specifier");
  if (i < cps.length) s.type = cps[i]!;
  if (s.width > 1e6 || (s.precision ?? 0) > 1e6)
    throw new FormatError("Too many decimal digits in format string");
  return s;
}

/**
 * `format(v, spec)` as CPython computes it.
 * @example formatValue(pyFloat(2.5), ".0f") // => "2"
 * @throws FormatError for what CPython rejects with ValueError.
 */
export function formatValue(v: PyValue, spec: string): string {
  const s = parseSpec(spec);
  if (v.type === "str") return formatStr(v.value, s);
  if (v.type === "int") return formatInt(BigInt(v.value), s);
  return formatFloat(v.value, s);
}

function formatStr(value: string, s: Spec): string {
  if (s.type !== "" && s.type !== "s")
    throw new FormatError(`Unknown format code '${s.type}' for object of type 'str'`);
  if (s.sign !== null) throw new FormatError("Sign not allowed in string format specifier");
  if (s.alt) throw new FormatError("Alternate form (#) not allowed in string format specifier");
  if (s.z) throw new FormatError("Negative zero coercion (z) not allowed in format specifier");
  if (s.grouping !== null) throw new FormatError(`Cannot specify '${s.grouping}' with 's'.`);
  if (s.align === "=") throw new FormatError("'=' alignment not allowed in string format specifier");
  let cps = Array.from(value);
  if (s.precision !== null) cps = cps.slice(0, s.precision);
  // '0' before the width only sets the fill for strings (Python ≥ 3.10)
  return pad("", cps.join(""), s.fill, s.align ?? "<", s.width);
}

/** Pads `sign + body` to `width` code points; "=" puts the fill between them. */
function pad(
  sign: string,
  body: string,
  fill: string,
  align: NonNullable<Spec["align"]>,
  width: number,
): string {
  const len = Array.from(sign).length + Array.from(body).length;
  const n = Math.max(0, width - len);
  if (n === 0) return sign + body;
  switch (align) {
    case "<":
      return sign + body + fill.repeat(n);
    case ">":
      return fill.repeat(n) + sign + body;
    case "^":
      return fill.repeat(n >> 1) + sign + body + fill.repeat(n - (n >> 1));
    case "=":
      return sign + fill.repeat(n) + body;
  }
}

/**
 * Inserts `sep` every `every` digits from the right of `digits`; when
 * `minWidth` > 0, pads with zeros (grouped too) to at least that many
 * characters, never starting with a separator (CPython's zero padding).
 */
function group(digits: string, sep: string, every: number, minWidth: number): string {
  let out = "";
  for (let k = 0; k < digits.length || out.length < minWidth; k++) {
    if (k > 0 && k % every === 0) out = sep + out;
    out = (k < digits.length ? digits[digits.length - 1 - k]! : "0") + out;
  }
  return out;
}

/** Lays out a number: sign, prefix (0x …), digits with grouping, the rest (fraction, exponent, %). */
function layoutNumber(
  negative: boolean,
  prefix: string,
  intDigits: string,
  rest: string,
  s: Spec,
  groupEvery: number,
): string {
  const sign = negative ? "-" : s.sign === "+" ? "+" : s.sign === " " ? " " : "";
  const align = s.align ?? (s.zero ? "=" : ">");
  const sep = s.grouping ?? "";
  if (align === "=" && s.fill === "0" && sep !== "") {
    // zero padding counts as digits: it is grouped too
    const min = s.width - sign.length - prefix.length - rest.length;
    return sign + prefix + group(intDigits, sep, groupEvery, min) + rest;
  }
  const body = (sep !== "" ? group(intDigits, sep, groupEvery, 0) : intDigits) + rest;
  if (align === "=") return pad(sign + prefix, body, s.fill, "=", s.width);
  return pad("", sign + prefix + body, s.fill, align, s.width);
}

function formatInt(value: bigint, s: Spec): string {
  const t = s.type;
  if ("eEfFgG%".includes(t) && t !== "") return formatFloat(Number(value), s);
  if (t === "" && s.precision !== null)
    throw new FormatError("Precision not allowed in integer format specifier");
  if (!"bcdoxXn".includes(t) && t !== "")
    throw new FormatError(`Unknown format code '${t}' for object of type 'int'`);
  if (s.precision !== null) throw new FormatError("Precision not allowed in integer format specifier");
  if (s.z) throw new FormatError("Negative zero coercion (z) not allowed in integer format specifier");
  if (t === "c") {
    if (s.sign !== null) throw new FormatError("Sign not allowed with integer format specifier 'c'");
    if (s.alt) throw new FormatError("Alternate form (#) not allowed with integer format specifier 'c'");
    if (s.grouping !== null) throw new FormatError(`Cannot specify '${s.grouping}' with 'c'.`);
    if (value < 0n || value > 0x10ffffn) throw new FormatError("%c arg not in range(0x110000)");
    return pad("", String.fromCodePoint(Number(value)), s.fill, s.align ?? (s.zero ? "=" : ">"), s.width);
  }
  const base = t === "b" ? 2 : t === "o" ? 8 : t === "x" || t === "X" ? 16 : 10;
  if (s.grouping === "," && base !== 10) throw new FormatError(`Cannot specify ',' with '${t}'.`);
  if (t === "n" && s.grouping !== null) throw new FormatError(`Cannot specify '${s.grouping}' with 'n'.`);
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString(base);
  if (t === "X") digits = digits.toUpperCase();
  const prefix = s.alt && base !== 10 ? `0${t === "X" ? "X" : t}` : "";
  return layoutNumber(negative, prefix, digits, "", s, base === 10 ? 3 : 4);
}

function formatFloat(x: number, s: Spec): string {
  let t = s.type;
  if (!"eEfFgGn%".includes(t)) throw new FormatError(`Unknown format code '${t}' for object of type 'float'`);
  if (t === "n" && s.grouping !== null) throw new FormatError(`Cannot specify '${s.grouping}' with 'n'.`);
  const upper = t === "E" || t === "F" || t === "G";
  if (t === "n") t = "g";
  let negative = !Number.isNaN(x) && (x < 0 || Object.is(x, -0));
  let ax = Math.abs(x);
  let percent = "";
  if (t === "%") {
    ax *= 100; // a float multiplication, as CPython's (it may overflow to inf)
    t = "f";
    percent = "%";
  }
  if (!Number.isFinite(ax)) {
    const word = Number.isNaN(ax) ? "nan" : "inf";
    // no grouping of the padding for nan and inf
    return layoutNumber(
      negative,
      "",
      "",
      (upper ? word.toUpperCase() : word) + percent,
      { ...s, grouping: null },
      3,
    );
  }
  const p = s.precision;
  let str: string;
  if (t === "f" || t === "F") str = fixed(ax, p ?? 6, s.alt);
  else if (t === "e" || t === "E") str = expo(ax, p ?? 6, s.alt);
  else if (t === "g" || t === "G") str = general(ax, p ?? 6, s.alt, false);
  else if (p === null) str = reprAbs(ax, s.alt);
  else str = general(ax, p, s.alt, true);
  if (upper) str = str.toUpperCase();
  // 'z': a negative number that rounds to zero prints without its sign
  if (s.z && negative && !/[1-9]/.test(str.split(/e/i)[0]!)) negative = false;
  const m = /^(\d*)(.*)$/s.exec(str + percent)!;
  return layoutNumber(negative, "", m[1]!, m[2]!, s, 3);
}

// ---- exact decimal arithmetic ----------------------------------------------

/** The exact value of a finite double ≥ 0 as N / 10^k (BigInt N, k ≥ 0). */
function exactDecimal(x: number): { n: bigint; k: number } {
  if (x === 0) return { n: 0n, k: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  if (e >= 0) return { n: mant << BigInt(e), k: 0 };
  return { n: mant * 5n ** BigInt(-e), k: -e };
}

/** round(n / 10^drop) half to even; drop ≥ 0. */
function roundHalfEven(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const div = 10n ** BigInt(drop);
  const q = n / div;
  const r2 = (n % div) * 2n;
  if (r2 > div || (r2 === div && q % 2n === 1n)) return q + 1n;
  return q;
}

/** 'f': `p` digits after the point, exact value rounded half to even. */
function fixed(x: number, p: number, alt: boolean): string {
  const { n, k } = exactDecimal(x);
  const q = roundHalfEven(n, k - p)
    .toString()
    .padStart(p + 1, "0");
  const int = q.slice(0, q.length - p);
  const frac = q.slice(q.length - p);
  return p > 0 ? `${int}.${frac}` : alt ? `${int}.` : int;
}

/** The digits (p significant, rounded half to even) and the decimal exponent of x ≥ 0. */
function significant(x: number, p: number): { digits: string; exp: number } {
  if (x === 0) return { digits: "0".repeat(p), exp: 0 };
  const { n, k } = exactDecimal(x);
  const len = n.toString().length;
  let exp = len - 1 - k;
  let q = roundHalfEven(n, len - p).toString();
  if (q.length > p) {
    // 9.99… rounded up to 10.0…: one more power of ten
    q = q.slice(0, p);
    exp++;
  }
  return { digits: q, exp };
}

const expSuffix = (exp: number): string => `e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;

/** 'e': one digit, the point, `p` digits, the exponent. */
function expo(x: number, p: number, alt: boolean): string {
  const { digits, exp } = significant(x, p + 1);
  const mant = p > 0 ? `${digits[0]}.${digits.slice(1)}` : alt ? `${digits[0]}.` : digits[0]!;
  return mant + expSuffix(exp);
}

/**
 * Lays out significant `digits` (trailing zeros already as wanted) with
 * decimal exponent `exp` in fixed or exponential notation.
 */
function layoutDigits(digits: string, exp: number, useExp: boolean, minFrac: number, dot: boolean): string {
  let out: string;
  if (useExp) {
    let frac = digits.slice(1);
    if (frac.length < minFrac) frac = frac.padEnd(minFrac, "0");
    out = `${digits[0]}${frac !== "" || dot ? "." : ""}${frac}${expSuffix(exp)}`;
    return out;
  }
  let int: string;
  let frac: string;
  if (exp < 0) {
    int = "0";
    frac = "0".repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    int = digits + "0".repeat(exp + 1 - digits.length);
    frac = "";
  } else {
    int = digits.slice(0, exp + 1);
    frac = digits.slice(exp + 1);
  }
  if (frac.length < minFrac) frac = frac.padEnd(minFrac, "0");
  return frac !== "" || dot ? `${int}.${frac}` : int;
}

/**
 * 'g' (and the empty type with a precision, `addDot0`): p significant digits;
 * exponential when exp < −4 or exp ≥ p (exp ≥ p − 1 with addDot0); trailing
 * zeros dropped unless `alt`.
 */
function general(x: number, precision: number, alt: boolean, addDot0: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const { digits, exp } = significant(x, p);
  const useExp = exp < -4 || exp >= (addDot0 ? p - 1 : p);
  let d = alt ? digits : digits.replace(/0+$/, "");
  if (d === "") d = "0";
  if (alt) {
    // keep p significant digits: the fraction holds what the integer part does not
    const minFrac = useExp ? p - 1 : Math.max(0, p - 1 - exp);
    return layoutDigits(d, exp, useExp, minFrac, true);
  }
  const intOnly = useExp ? d.length === 1 : d.length <= exp + 1;
  return layoutDigits(d, exp, useExp, addDot0 && intOnly && !useExp ? 1 : 0, false);
}

/** repr of x ≥ 0: the shortest round-trip digits; exponential when exp < −4 or exp ≥ 16. */
function reprAbs(x: number, alt: boolean): string {
  if (x === 0) return "0.0";
  const [mant, e] = x.toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const exp = Number(e);
  const useExp = exp < -4 || exp >= 16;
  const intOnly = useExp ? digits.length === 1 : digits.length <= exp + 1;
  return layoutDigits(digits, exp, useExp, intOnly && !useExp ? 1 : 0, alt);
}

/** Python's repr(float), e.g. "0.1", "1e-05", "1e+16", "inf", "nan", "-0.0". */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return (x < 0 || Object.is(x, -0) ? "-" : "") + reprAbs(Math.abs(x), false);
}
