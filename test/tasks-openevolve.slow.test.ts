/**
 * OpenEvolve task folders run as they are (the loading: tasks-openevolve.test.ts):
 * an evaluator that imports `openevolve.evaluation_result` (evoalloc's
 * stand-in here, where the package is not installed), returns an object with
 * `.metrics`, imports the program itself and defines cascade stages that must
 * not be called; `run greedy` on it unchanged; `tasks --check`. Uses the real
 * sandbox (a few seconds).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parsePythonJson } from "../src/log/json.ts";
import { GreedyRunSchema } from "../src/log/schema.ts";
import { createEvaluator } from "../src/run/sandbox/sandbox.ts";
import { loadTask } from "../src/run/tasks.ts";
import { runCli } from "./cli.ts";
import { copyBumpy, EXAMPLES } from "./openevolve-fixture.ts";

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-oe-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args);

describe("OpenEvolve task folders on the sandbox", () => {
  it("evaluates with the stand-in EvaluationResult, takes .metrics, never calls the cascade stages", async () => {
    const t = loadTask("bumpy", EXAMPLES);
    const ev = await createEvaluator(t, { parallel: 1 });
    try {
      const r = await ev.evaluate(t.initialProgram);
      assert.equal(r.error, null, r.error ?? "");
      assert.equal(r.status, "ok");
      // x = 2 - 0.25·k after the descent steps, y = -1.5: worked out in Python below
      const expected = spawnSync(
        "python3",
        [
          "-c",
          "import math\nx=2.0\nfor _ in range(3):\n  x = x-0.25 if math.sin(5*(x-0.25))**2 < math.sin(5*x)**2 else x\n" +
            "v=(x-0.7)**2+(-1.5+0.3)**2+0.1*math.sin(5*x)**2\nprint(repr(1/(1+v)))",
        ],
        { encoding: "utf8" },
      ).stdout.trim();
      assert.equal(r.fitness, Number(expected));
      assert.deepEqual(Object.keys(r.metrics!).sort(), ["combined_score", "value"]);
      // a program that breaks gets an error, as with a dict-returning evaluator
      const bad = await ev.evaluate("def run_search():\n    raise ValueError('nope')\n");
      assert.equal(bad.fitness, 0);
      assert.match(bad.error!, /ValueError: nope/);
    } finally {
      await ev.close();
    }
  });

  it("runs unchanged: run greedy --tasks-dir examples/openevolve --task bumpy --model mutator", async () => {
    const out = join(tmp, "bumpy-run.json");
    const r = await cli([
      "run",
      "greedy",
      "--tasks-dir",
      EXAMPLES,
      "--task",
      "bumpy",
      "--model",
      "mutator",
      "--T",
      "3",
      "--N",
      "2",
      "--output",
      out,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const run = GreedyRunSchema.parse(parsePythonJson(readFileSync(out, "utf8")));
    assert.equal(run.trajectory.length, 4);
    assert.ok(run.trajectory[0]!.best_fitness > 0.2);
    assert.ok(run.trajectory.slice(1).every((g) => g.children.every((c) => c.error === null)));
    const v = await cli(["validate", out]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});

describe("evoalloc tasks --check", () => {
  it("tasks --check --json: each value with its source and the initial score", async () => {
    const r = await cli(["tasks", "--tasks-dir", EXAMPLES, "--check", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as {
      key: string;
      eval_timeout_s: number;
      sources: Record<string, string>;
      check: { fitness: number; error: string | null };
    }[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.key, "bumpy");
    assert.equal(rows[0]!.eval_timeout_s, 30);
    assert.equal(rows[0]!.sources.evalTimeoutS, "config.yaml evaluator.timeout");
    assert.equal(rows[0]!.check.error, null);
    assert.ok(rows[0]!.check.fitness > 0.2);
    const text = await cli(["tasks"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^cp {2}/m);
    assert.match(text.stdout, /eval timeout: {3}120 s {2}\[task\.json eval_timeout_s\]/);
  });

  it("tasks --check exits 1 naming a task whose initial program fails, and a task that does not load", async () => {
    const dir = copyBumpy(tmp, "broken");
    writeFileSync(join(dir, "bumpy", "initial_program.py"), "def run_search():\n    return 1 / 0\n");
    cpSync(join(EXAMPLES, "bumpy"), join(dir, "noload"), { recursive: true });
    writeFileSync(join(dir, "noload", "task.json"), "{");
    const r = await cli(["tasks", "--tasks-dir", dir, "--check"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /initial score: {2}FAILED \(error\): .*ZeroDivisionError/);
    assert.match(r.stdout, /noload\n {2}error: .*task\.json: not valid JSON/);
    assert.match(r.stderr, /2 of 2 tasks failed: bumpy, noload/);
    assert.equal((await cli(["tasks", "--tasks-dir", join(tmp, "missing")])).code, 2);
  });
});
