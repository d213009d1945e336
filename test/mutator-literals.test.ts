// mutator/literals: finding, formatting and replacing float literals. Children compiled by python3: mutator-literals.slow.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findFloatLiterals, formatFloat, replaceLiterals } from "../src/mutator/literals.ts";

const spans = (src: string) => findFloatLiterals(src).map((l) => src.slice(l.start, l.end));

describe("findFloatLiterals", () => {
  it("finds floats in every notation and skips integers, complex and hex", () => {
    assert.deepEqual(spans("a = [0.5, .5, 5., 1e-3, 1E+2, 1_0.5, 7, 0x1f, 3j, 2.5j, 1e5j]"), [
      "0.5",
      ".5",
      "5.",
      "1e-3",
      "1E+2",
      "1_0.5",
    ]);
    assert.deepEqual(
      findFloatLiterals("x = 1_0.5").map((l) => l.value),
      [10.5],
    );
  });

  it("skips comments, strings of every kind and identifiers", () => {
    const src = [
      "# 1.5 in a comment",
      's = "2.5"; t = f"{3.5}"; u = r\'\\\' 4.5\'; b = b"5.5"',
      'doc = """ 6.5',
      ' still 7.5 """',
      "x1e5 = var2.real + 8.5  # 9.5",
    ].join("\n");
    assert.deepEqual(spans(src), ["8.5"]);
  });

  it("folds a unary minus in, never a binary one", () => {
    const src = "def f(x=-0.5):\n    return -0.75 + x - 0.25 + 2**-0.5 + [ -1.0, (-2.0)][0]\n";
    const lits = findFloatLiterals(src);
    assert.deepEqual(
      lits.map((l) => [src.slice(l.start, l.end), l.value, l.negated]),
      [
        ["-0.5", -0.5, true],
        ["-0.75", -0.75, true],
        ["0.25", 0.25, false],
        ["-0.5", -0.5, true],
        ["-1.0", -1, true],
        ["-2.0", -2, true],
      ],
    );
  });

  it("handles the empty program and a program without floats", () => {
    assert.deepEqual(findFloatLiterals(""), []);
    assert.deepEqual(findFloatLiterals("for i in range(10):\n    print(i)\n"), []);
  });
});

describe("formatFloat / replaceLiterals", () => {
  it("always writes a float, parenthesised when negative without a folded minus", () => {
    assert.equal(formatFloat(2, false), "2.0");
    assert.equal(formatFloat(1e-7, false), "1e-7");
    assert.equal(formatFloat(-0.25, false), "(-0.25)");
    assert.equal(formatFloat(-0.25, true), "-0.25");
    assert.equal(formatFloat(0.1 + 0.2, false), "0.3");
  });

  it("replaces only the chosen literals", () => {
    const src = "a = 0.5 - 0.25\nb = -1.0\n";
    const lits = findFloatLiterals(src);
    assert.equal(
      replaceLiterals(
        src,
        lits,
        new Map([
          [1, -0.125],
          [2, 3],
        ]),
      ),
      "a = 0.5 - (-0.125)\nb = 3.0\n",
    );
    assert.equal(replaceLiterals(src, lits, new Map()), src);
  });
});
