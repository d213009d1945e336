/**
 * Float digits exactly as CPython prints them. JavaScript's `toFixed` rounds
 * a tie of the exact binary value away from zero (`(0.0078125).toFixed(6)` is
 * "0.007813"); CPython rounds it half to even ("0.007812"). Here every float
 * is expanded to its exact decimal value with BigInt (a double m·2^e equals
 * m·5^−e / 10^−e) and rounded half to even, as CPython's dtoa does; the
 * shortest round-trip digits of `repr` (no precision) are JavaScript's own,
 * which are the same shortest, closest digits. Every function takes x ≥ 0
 * and finite unless it says otherwise.
 */

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
export function fixed(x: number, p: number, alt: boolean): string {
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
export function expo(x: number, p: number, alt: boolean): string {
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
export function general(x: number, precision: number, alt: boolean, addDot0: boolean): string {
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
export function reprAbs(x: number, alt: boolean): string {
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
