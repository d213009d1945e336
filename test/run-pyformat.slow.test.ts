/**
 * Python's str.format, byte for byte: every case is checked against python3
 * at test time (thousands of random values × format specs, the ties that
 * JavaScript's toFixed rounds the other way, nan/inf/−0, ints and strs,
 * and the specs CPython rejects).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  FormatError,
  floatRepr,
  formatValue,
  type PyValue,
  pyFloat,
  pyFormat,
  pyInt,
  pyStr,
  templateFields,
} from "../src/run/pyformat/index.ts";
import { rng } from "../src/util/rng.ts";

type Case = [kind: "float" | "int" | "str", value: number | string, spec: string];

/** format(value, spec) in CPython for each case: ["ok", text] or ["err", "ValueError: …"]. */
function python(cases: Case[]): [string, string][] {
  const code = `
import json, sys
out = []
for kind, v, spec in json.load(sys.stdin):
    if kind == "float": v = float(v)
    try: out.append(["ok", format(v, spec)])
    except Exception as e: out.append(["err", type(e).__name__ + ": " + str(e)])
print(json.dumps(out))
`;
  const r = spawnSync("python3", ["-c", code], {
    input: JSON.stringify(cases),
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as [string, string][];
}

/** JSON cannot carry nan, ±inf or −0: they travel as Python's spelling. */
const wire = (x: number): number | string =>
  Number.isNaN(x) ? "nan" : !Number.isFinite(x) ? (x > 0 ? "inf" : "-inf") : Object.is(x, -0) ? "-0.0" : x;
const unwire = (v: number | string): number =>
  typeof v === "number"
    ? v
    : v === "nan"
      ? Number.NaN
      : v === "-0.0"
        ? -0
        : v === "inf"
          ? Infinity
          : -Infinity;

function ours(c: Case): [string, string] {
  const v: PyValue =
    c[0] === "float" ? pyFloat(unwire(c[1])) : c[0] === "int" ? pyInt(c[1] as number) : pyStr(c[1] as string);
  try {
    return ["ok", formatValue(v, c[2])];
  } catch (err) {
    assert.ok(err instanceof FormatError, String(err));
    return ["err", err.message];
  }
}

function compare(cases: Case[]): { ok: number; err: number } {
  const want = python(cases);
  const wrong: string[] = [];
  let ok = 0;
  cases.forEach((c, i) => {
    const w = want[i]!;
    const g = ours(c);
    if (w[0] === "ok") ok++;
    // an error must be an error; a text must be the same text
    if (w[0] !== g[0] || (w[0] === "ok" && w[1] !== g[1]))
      wrong.push(
        `format(${JSON.stringify(c[1])} (${c[0]}), ${JSON.stringify(c[2])}): python ${JSON.stringify(w)}, ours ${JSON.stringify(g)}`,
      );
  });
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${cases.length} differ`);
  return { ok, err: cases.length - ok };
}

const TIES = [
  0.0078125, 0.125, 0.375, 2.5, 0.5, 1.5, -2.5, 1.25, 1234.5, 0.0625, 9.5, 99.5, 999999.5, 0.03125,
];
const SPECIAL = [
  Number.NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  5e-324,
  1.7976931348623157e308,
  1e16,
  1e15,
  1e-5,
  1e-4,
];
const AWKWARD = [
  0.1,
  0.3634052021536415,
  2.675,
  1.005,
  0.045,
  9.9999999,
  0.95,
  1e22,
  123e-20,
  0.000049,
  1 / 3,
];

describe("run/pyformat: Python's format(), checked against python3", () => {
  it("ties of the exact binary value round half to even (toFixed rounds them up)", () => {
    assert.equal(formatValue(pyFloat(0.0078125), ".6f"), "0.007812");
    assert.equal((0.0078125).toFixed(6), "0.007813");
    const specs = [".0f", ".1f", ".2f", ".3f", ".6f", ".0e", ".1e", ".2e", ".1g", ".2g", ".3", ".0%"];
    compare(TIES.flatMap((x) => specs.map((s): Case => ["float", x, s])));
  });

  it("the common specs over many floats of every magnitude", () => {
    const r = rng(2024);
    const specs = [
      "",
      ".6f",
      "f",
      ".0f",
      ".2f",
      ".12f",
      ".20f",
      "e",
      ".3e",
      ".17e",
      "g",
      ".3g",
      ".10g",
      ".17g",
      "%",
      ".1%",
      ".3",
      ".12",
      "n",
      "F",
      "E",
      "G",
    ];
    const values: number[] = [...TIES, ...SPECIAL, ...AWKWARD];
    for (let i = 0; i < 400; i++) values.push((r.next() - 0.3) * 10 ** Math.floor(r.next() * 44 - 22));
    for (let i = 0; i < 100; i++)
      values.push(Math.round(r.next() * 2 ** 20) / 2 ** Math.floor(r.next() * 24)); // exact binary fractions: ties
    const counts = compare(values.flatMap((x) => specs.map((s): Case => ["float", wire(x), s])));
    assert.ok(counts.ok > 11_000, JSON.stringify(counts));
  });

  it("random specs (fill, align, sign, z, #, 0, width, grouping, precision, type) over floats, ints and strs", () => {
    const r = rng(7);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r.next() * a.length)]!;
    const ints = [0, 1, -1, 7, 42, 255, 1000, 1234567, -98765, 65];
    const strs = ["abc", "", "héllo wörld", "x = 1\n", "it's", "日本語", "tab\there"];
    const typesFor = {
      float: ["", "", "f", "e", "g", "%", "E", "F", "G", "n"],
      int: ["", "d", "x", "X", "o", "b", "n", "c", "f", "e", "%"],
      str: ["", "s"],
    };
    const cases: Case[] = [];
    for (let i = 0; i < 6000; i++) {
      const kind = pick(["float", "float", "int", "str"] as const);
      let spec = "";
      if (r.next() < 0.3) spec += pick(["", "*", "0", "x", " ", "é"]) + pick(["<", ">", "^", "="]);
      if (r.next() < 0.3) spec += pick(["+", "-", " "]);
      if (r.next() < 0.1) spec += "z";
      if (r.next() < 0.2) spec += "#";
      if (r.next() < 0.2) spec += "0";
      if (r.next() < 0.5) spec += String(Math.floor(r.next() * 22));
      if (r.next() < 0.2) spec += pick([",", "_"]);
      if (r.next() < (kind === "int" ? 0.1 : 0.6)) spec += `.${pick([0, 1, 2, 3, 6, 10, 17, 25])}`;
      // mostly a type that fits the value, sometimes any (CPython's errors must be errors here too)
      spec += r.next() < 0.85 ? pick(typesFor[kind]) : pick(["d", "s", "f", "x", "c", "q"]);
      const value =
        kind === "float"
          ? wire(
              r.next() < 0.4
                ? pick([...TIES, ...SPECIAL, ...AWKWARD])
                : (r.next() - 0.3) * 10 ** Math.floor(r.next() * 40 - 20),
            )
          : kind === "int"
            ? pick(ints)
            : pick(strs);
      cases.push([kind, value, spec]);
    }
    const counts = compare(cases);
    assert.ok(counts.ok > 3000 && counts.err > 300, JSON.stringify(counts));
  });

  it("repr and str of floats: the shortest round-trip digits in Python's layout", () => {
    const values = [...TIES, ...SPECIAL, ...AWKWARD, 1e16 + 2, 123456789012345680, 0.001, 1e-7, 100, 1e100];
    const r = spawnSync(
      "python3",
      ["-c", "import json,sys\nprint(json.dumps([repr(float(v)) for v in json.load(sys.stdin)]))"],
      {
        input: JSON.stringify(values.map(wire)),
        encoding: "utf8",
      },
    );
    assert.deepEqual(values.map(floatRepr), JSON.parse(r.stdout));
  });
});

describe("run/pyformat: templates", () => {
  const values = {
    current_program: pyStr("x = 0.5\n"),
    fitness: pyFloat(0.0078125),
    generation: pyInt(3),
    task_description: pyStr("Make it 'big'."),
  };

  it("formats a template with every placeholder and spec as str.format does", () => {
    const template =
      "{{literal}} gen {generation} / {generation:03d} / {generation:>4} / {generation:.2f}\n" +
      "score {fitness} {fitness:.6f} {fitness:.3e} {fitness:g} {fitness:10.4f}| {fitness:<12.5}| {fitness:+.2%} {fitness!r} {fitness!s:>12}\n" +
      "task {task_description} {task_description!r} {task_description:^20.4}\n" +
      "```python\n{current_program}```\n{current_program!r}";
    const py = spawnSync(
      "python3",
      [
        "-c",
        "import sys\nt=sys.stdin.read()\nsys.stdout.write(t.format(current_program='x = 0.5\\n', fitness=0.0078125, generation=3, task_description=\"Make it 'big'.\"))",
      ],
      { input: template, encoding: "utf8" },
    );
    assert.equal(py.status, 0, py.stderr);
    assert.equal(pyFormat(template, values), py.stdout);
    assert.deepEqual(templateFields(template), [
      "generation",
      "fitness",
      "task_description",
      "current_program",
    ]);
  });

  it("supports a nested field in a spec, and rejects what str.format rejects or evoalloc does not support", () => {
    assert.equal(pyFormat("{fitness:.{generation}f}", values), "0.008");
    assert.throws(() => pyFormat("{nope}", values), /unknown field \{nope\}/);
    assert.throws(() => pyFormat("a } b", values), /Single '}'/);
    assert.throws(() => pyFormat("a { b", values), /expected '}'/);
    assert.throws(() => pyFormat("{}", values), /positional/);
    assert.throws(() => pyFormat("{0}", values), /positional/);
    assert.throws(() => pyFormat("{fitness.real}", values), /attribute/);
    assert.throws(() => pyFormat("{current_program:.6f}", values), FormatError);
    assert.throws(() => pyFormat("{generation:.2}", values), /Precision not allowed/);
  });
});
