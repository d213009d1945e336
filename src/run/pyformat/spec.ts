/**
 * Python 3.11's format-spec mini-language,
 * `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`, for
 * float (`e E f F g G n %` and none), int (`b c d o x X n`, the float types
 * and none) and str (`s` and none): `format(value, spec)` as CPython computes it.
 */
import { expo, fixed, general, reprAbs } from "./float.ts";
import { FormatError, type PyValue } from "./value.ts";

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
