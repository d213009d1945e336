/**
 * Values as Python holds them (a JavaScript number alone cannot tell 1.0
 * from 1): a `PyValue` is a float, an int or a str; `str()` and `repr()` of
 * one as CPython prints them.
 */
import { floatRepr } from "./float.ts";

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
