/**
 * OpenEvolve task folders as they are: no task.json, the system prompt and
 * the timeout from config.yaml / config*.yaml, bad configs named, task.json's
 * prompt template; the `models` command. Evaluating them on the real sandbox,
 * `run greedy` on them and `tasks --check`: tasks-openevolve.slow.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  DEFAULT_EVAL_TIMEOUT_S,
  GENERIC_SYSTEM_PROMPT,
  listTasks,
  loadTask,
  TaskError,
} from "../src/run/tasks.ts";
import { runCli } from "./cli.ts";
import { copyBumpy, EXAMPLES } from "./openevolve-fixture.ts";

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-oe-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

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
    const dir = copyBumpy(tmp, "precedence");
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
    const dir = copyBumpy(tmp, "bad");
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
});

describe("evoalloc models", () => {
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
    const dir = copyBumpy(tmp, "template");
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
