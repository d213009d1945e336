// The mutator's children compile as Python (starts python3; the literal functions: mutator-literals.test.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { mutateProgram } from "../src/mutator/mutator.ts";

describe("mutated programs stay valid Python", () => {
  it("compiles 200 children of a literal-heavy program", { skip: !hasPython() }, () => {
    const src = [
      "import numpy as np",
      "P = [(0.5, -0.25), (1e-3, .75), (2., -3.5e2)]",
      "def f(x=-0.5, y=0.0):",
      "    z = x - 0.25 * y ** -0.5 if x > 0.0 else -1.0",
      "    return [ -z, 2.0*-x, np.clip(z, 0.0, 1.0), {'k': 0.1}, (lambda: -0.2)() ]",
      's = f"{0.5:.3f}" + "1.5"  # 2.5',
    ].join("\n");
    const children = Array.from(
      { length: 200 },
      (_, seed) => mutateProgram(src, seed, { scaleMin: 0.01, scaleMax: 30, absFloor: 1 }).code,
    );
    const script =
      "import json,sys\nfor c in json.load(sys.stdin):\n    compile(c, 'child', 'exec')\nprint('ok')";
    const r = spawnSync("python3", ["-c", script], { input: JSON.stringify(children), encoding: "utf8" });
    assert.equal(r.stderr, "");
    assert.equal(r.stdout.trim(), "ok");
  });
});

function hasPython(): boolean {
  return spawnSync("python3", ["-c", "pass"]).status === 0;
}
