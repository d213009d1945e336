/**
 * OpenEvolve task folders run as they are: no task.json, the system prompt and
 * the timeout from config.yaml / config*.yaml, an evaluator that imports
 * `openevolve.evaluation_result` (evoalloc's stand-in here, where the package
 * is not installed), returns an object with `.metrics`, imports the program
 * itself and defines cascade stages that must not be called. Then the
 * `tasks` and `models` commands. Uses the real sandbox (a few seconds).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parsePythonJson } from "../src/log/json.ts";
import { GreedyRunSchema } from "../src/log/schema.ts";
import { createEvaluator } from "../src/run/sandbox/sandbox.ts";
import {
  DEFAULT_EVAL_TIMEOUT_S,
  GENERIC_SYSTEM_PROMPT,
  listTasks,
  loadTask,
  TaskError,
} from "../src/run/tasks.ts";
import { ROOT, runCli } from "./cli.ts";

const EXAMPLES = join(ROOT, "examples", "openevolve");
const tmp = mkdtempSync(join(tmpdir(), "evoalloc-oe-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

/** A copy of the example task under a fresh folder, to edit. */
function copyBumpy(name: string): string {
  const dir = join(tmp, name);
  cpSync(join(EXAMPLES, "bumpy"), join(dir, "bumpy"), { recursive: true });
  return dir;
}

describe("OpenEvolve task folders", () => {
  it("a folder with initial_program.py and evaluator.py and no task.json is a task", () => {
    assert.deepEqual(listTasks(EXAMPLES), ["bumpy"]);
    const t = loadTask("bumpy", EXAMPLES);
    assert.equal(t.entry, null);
    assert.equal(t.evalTimeoutS, 30);
    assert.match(t.systemPrompt, /^You are an expert in numerical optimisation\. Improve the search\(\)/);
    assert.ok(t.systemPrompt.endsWith("Keep run_search() unchanged.\n"), "YAML block scalar kept as is");
    assert.deepEqual(t.sources, {
      systemPrompt: "config.yaml prompt.system_message",
      evalTimeoutS: "config.yaml evaluator.timeout",
      entry: "none",
      promptTemplate: "default",
    });
  });

  it("takes the config first, then task.json, then the defaults", () => {
    const dir = copyBumpy("precedence");
    const folder = join(dir, "bumpy");
    writeFileSync(
      join(folder, "task.json"),
      JSON.stringify({ entry_function: "run_search", eval_timeout_s: 7, system_prompt: "From task.json." }),
    );
    let t = loadTask("bumpy", dir);
    assert.equal(t.evalTimeoutS, 30);
    assert.match(t.systemPrompt, /numerical optimisation/);
    assert.equal(t.entry, "run_search");
    assert.equal(t.sources!.entry, "task.json entry_function");
    // a config without those keys gives way to task.json
    writeFileSync(join(folder, "config.yaml"), "max_iterations: 10\nprompt:\n  num_top_programs: 2\n");
    t = loadTask("bumpy", dir);
    assert.equal(t.evalTimeoutS, 7);
    assert.equal(t.systemPrompt, "From task.json.");
    assert.equal(t.sources!.systemPrompt, "task.json system_prompt");
    // neither: the defaults
    unlinkSync(join(folder, "task.json"));
    unlinkSync(join(folder, "config.yaml"));
    t = loadTask("bumpy", dir);
    assert.equal(t.evalTimeoutS, DEFAULT_EVAL_TIMEOUT_S);
    assert.equal(t.systemPrompt, GENERIC_SYSTEM_PROMPT);
    assert.deepEqual(t.sources, {
      systemPrompt: "default",
      evalTimeoutS: "default",
      entry: "none",
      promptTemplate: "default",
    });
    // config*.yaml when there is no config.yaml: the first by name
    writeFileSync(join(folder, "config_phase_2.yaml"), "evaluator:\n  timeout: 99\n");
    writeFileSync(join(folder, "config_phase_1.yaml"), "evaluator:\n  timeout: 11\n");
    t = loadTask("bumpy", dir);
    assert.equal(t.evalTimeoutS, 11);
    assert.equal(t.sources!.evalTimeoutS, "config_phase_1.yaml evaluator.timeout");
  });

  it("names the file and field of a bad config", () => {
    const dir = copyBumpy("bad");
    writeFileSync(join(dir, "bumpy", "config.yaml"), "evaluator:\n  timeout: soon\n");
    assert.throws(
      () => loadTask("bumpy", dir),
      (e: unknown) => {
        return e instanceof TaskError && /config\.yaml: evaluator\.timeout: /.test(e.message);
      },
    );
    writeFileSync(join(dir, "bumpy", "config.yaml"), "prompt: [unclosed\n");
    assert.throws(() => loadTask("bumpy", dir), /config\.yaml: not valid YAML/);
  });

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

describe("evoalloc tasks / models", () => {
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
    const dir = copyBumpy("broken");
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

  it("models: name, active parameters and endpoint source, never a key", async () => {
    const file = join(tmp, "models.json");
    writeFileSync(
      file,
      JSON.stringify([{ key: "mine", name: "org/mine", params_active: 123, api_base_env: "MY_BASE" }]),
    );
    const r = await cli(["models", "--models", file, "--json"], {
      MY_BASE: "http://10.0.0.1:8000/v1",
      LLM_API_KEY: "sk-secret",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes("sk-secret"));
    const rows = JSON.parse(r.stdout) as {
      key: string;
      params_active: number;
      endpoint_source: string;
      endpoint: string | null;
    }[];
    const by = Object.fromEntries(rows.map((x) => [x.key, x]));
    assert.deepEqual(Object.keys(by), ["llama-8b", "mine", "mutator", "qwen3-14b", "qwen3-8b"]);
    assert.equal(by.mine!.params_active, 123);
    assert.equal(by.mine!.endpoint_source, "$MY_BASE");
    assert.equal(by.mine!.endpoint, "http://10.0.0.1:8000/v1");
    assert.equal(by["qwen3-8b"]!.endpoint_source, "none");
    assert.equal(by.mutator!.endpoint_source, "in-process");
    const o = await cli(["models", "--json"], { OPENAI_BASE_URL: "http://o/v1" });
    assert.equal(
      (JSON.parse(o.stdout) as { key: string; endpoint_source: string }[])[3]!.endpoint_source,
      "$OPENAI_BASE_URL",
    );
    const text = await cli(["models"]);
    assert.match(
      text.stdout,
      /^qwen3-8b +Qwen\/Qwen3-8B +8190726144 +none: set --api-base, \$LLM_API_BASE or/m,
    );
    assert.equal((await cli(["models", "--models", join(tmp, "nope.json")])).code, 2);
  });
});

describe("task.json prompt_template", () => {
  it("is the task's user template, checked when the task loads", () => {
    const dir = copyBumpy("template");
    const folder = join(dir, "bumpy");
    writeFileSync(
      join(folder, "task.json"),
      JSON.stringify({ prompt_template: "{current_program}\n{fitness:.6f}" }),
    );
    const t = loadTask("bumpy", dir);
    assert.equal(t.promptTemplate, "{current_program}\n{fitness:.6f}");
    assert.equal(t.sources!.promptTemplate, "task.json prompt_template");
    writeFileSync(join(folder, "prompt.txt"), "gen {generation}: {current_program}");
    writeFileSync(join(folder, "task.json"), JSON.stringify({ prompt_template_file: "prompt.txt" }));
    assert.equal(loadTask("bumpy", dir).promptTemplate, "gen {generation}: {current_program}");
    writeFileSync(join(folder, "task.json"), JSON.stringify({ prompt_template: "{program}" }));
    assert.throws(
      () => loadTask("bumpy", dir),
      /task\.json: prompt_template: unknown placeholder \{program\}/,
    );
  });
});
