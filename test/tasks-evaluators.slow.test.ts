/** The three tasks' evaluators, run through the real sandbox (python3 with numpy and scipy). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createEvaluator, type SandboxEvaluator } from "../src/run/sandbox/sandbox.ts";
import { loadTask } from "../src/run/tasks.ts";

const evaluators = new Map<string, SandboxEvaluator>();
before(async () => {
  for (const key of ["cp", "mmd", "ht"])
    evaluators.set(key, await createEvaluator(loadTask(key), { parallel: 1, timeoutS: 20 }));
});
after(async () => {
  for (const ev of evaluators.values()) await ev.close();
});
const run = (key: string, code: string) => evaluators.get(key)!.evaluate(code);

describe("cp evaluator", () => {
  it("scores the initial program at about 0.36 (sum of radii / 2.635)", async () => {
    const r = await run("cp", loadTask("cp").initialProgram);
    assert.equal(r.status, "ok");
    assert.ok(Math.abs(r.fitness - 0.9575727076748453 / 2.635) < 1e-9, String(r.fitness));
    assert.ok(Math.abs((r.metrics!.sum_radii as number) - 0.9575727076748453) < 1e-9);
    assert.equal(typeof r.metrics!.strict_slack, "number");
  });

  it("accepts a packing inside the 1e-6 band and reports negative strict slack", async () => {
    const code = `import numpy as np
def construct_packing():
    c = np.array([[0.05 + 0.1 * (i % 10), 0.05 + 0.1 * (i // 10)] for i in range(26)])
    r = np.full(26, 0.05); r[0] = 0.0500005
    return c, r, float(r.sum())`;
    const r = await run("cp", code);
    assert.equal(r.status, "ok", r.error ?? "");
    assert.ok((r.metrics!.strict_slack as number) < 0);
    assert.equal(r.metrics!.strictly_valid, false);
  });

  it("scores overlap, leaving the square, wrong shapes, a lying sum and NaN as 0 with an error", async () => {
    const cases: [string, RegExp][] = [
      ["c = np.full((26, 2), 0.5); r = np.full(26, 0.1)", /overlap/],
      [
        "c = np.array([[0.05 + 0.1 * (i % 10), 0.05 + 0.1 * (i // 10)] for i in range(26)]); r = np.full(26, 0.06)",
        /overlap|leaves/,
      ],
      ["c = np.full((25, 2), 0.5); r = np.full(25, 0.0)", /shape/],
      ["c = np.full((26, 2), np.nan); r = np.zeros(26)", /NaN/],
    ];
    for (const [body, re] of cases) {
      const r = await run(
        "cp",
        `import numpy as np\ndef construct_packing():\n    ${body}\n    return c, r, float(r.sum())`,
      );
      assert.equal(r.fitness, 0);
      assert.equal(r.status, "error");
      assert.match(r.error ?? "", re);
    }
    const liar = await run(
      "cp",
      "import numpy as np\ndef construct_packing():\n    return np.full((26, 2), 0.5), np.zeros(26), 2.6",
    );
    assert.match(liar.error ?? "", /reported sum/);
    const missing = await run("cp", "x = 1");
    assert.match(missing.error ?? "", /construct_packing/);
  });

  it("lets a program use multiprocessing (its functions pickle)", async () => {
    const pool =
      "import multiprocessing as mp\ndef sq(x):\n    return x * x\nwith mp.Pool(2) as p:\n    assert p.map(sq, range(4)) == [0, 1, 4, 9]\n";
    const r = await run("cp", pool + loadTask("cp").initialProgram);
    assert.equal(r.status, "ok", r.error ?? "");
    assert.ok(Math.abs(r.fitness - 0.9575727076748453 / 2.635) < 1e-9);
  });

  it("prefers run_packing() when present", async () => {
    const code = `import numpy as np
def construct_packing():
    raise RuntimeError("not me")
def run_packing():
    return np.array([[0.5, 0.5]] + [[0.01 + 0.03 * i, 0.01] for i in range(25)]), np.array([0.1] + [0.0] * 25), 0.1`;
    const r = await run("cp", code);
    assert.equal(r.status, "ok", r.error ?? "");
    assert.ok(Math.abs(r.fitness - 0.1 / 2.635) < 1e-12);
  });
});

describe("mmd evaluator", () => {
  it("scores the initial program valid, weak and positive", async () => {
    const r = await run("mmd", loadTask("mmd").initialProgram);
    assert.equal(r.status, "ok");
    assert.ok(r.fitness > 0 && r.fitness < 0.05, String(r.fitness));
  });

  it("computes (d_min/d_max)^2 * 12.889266112 and rejects coincident points", async () => {
    // a 4x4 grid: d_min = 1, d_max = 3*sqrt(2): ratio^2 = 1/18
    const grid =
      "import numpy as np\ndef min_max_dist_dim2_16():\n    return np.array([[i % 4, i // 4] for i in range(16)], dtype=float)";
    const r = await run("mmd", grid);
    assert.ok(Math.abs(r.fitness - 12.889266112 / 18) < 1e-12, String(r.fitness));
    const same = await run(
      "mmd",
      "import numpy as np\ndef min_max_dist_dim2_16():\n    return np.zeros((16, 2))",
    );
    assert.equal(same.fitness, 0);
    assert.match(same.error ?? "", /coincide/);
    const shape = await run(
      "mmd",
      "import numpy as np\ndef min_max_dist_dim2_16():\n    return np.zeros((15, 2))",
    );
    assert.match(shape.error ?? "", /shape/);
  });
});

describe("ht evaluator", () => {
  it("scores the initial program valid, weak and positive", async () => {
    const r = await run("ht", loadTask("ht").initialProgram);
    assert.equal(r.status, "ok");
    assert.ok(r.fitness > 0 && r.fitness < 0.05, String(r.fitness));
    assert.equal(r.metrics!.strictly_valid, true);
  });

  it("normalises by the triangle's area and 0.036529889880030156, and rejects points outside", async () => {
    // the three vertices plus 8 points on the base: smallest area 0 (collinear) -> valid, score 0
    const verts = `import numpy as np
def heilbronn_triangle11():
    return np.array([[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]] + [[0.1 * (i + 1), 0.0] for i in range(8)])`;
    const r = await run("ht", verts);
    assert.equal(r.status, "ok", r.error ?? "");
    assert.equal(r.fitness, 0);
    const outside = await run("ht", verts.replace("[0, 0], [1, 0]", "[0, -0.001], [1, 0]"));
    assert.equal(outside.fitness, 0);
    assert.match(outside.error ?? "", /outside the triangle/);
    const band = await run("ht", verts.replace("[0, 0], [1, 0]", "[0.5, -0.0000005], [1, 0]"));
    assert.equal(band.status, "ok", band.error ?? "");
    assert.ok((band.metrics!.strict_slack as number) < 0);
  });
});
