/**
 * `--prompt-template FILE`: the user message is a Python str.format template,
 * formatted as CPython formats it, and the program sent back is the answer's
 * code block stripped of surrounding whitespace (what the reference stores and
 * re-sends). A recording loopback server keeps every request body; python3
 * computes what each user message must be; the bodies must equal, byte for
 * byte, the JSON of {model, messages, seed, max_tokens, temperature, top_p}.
 * Runs the CLI on the OpenEvolve-layout example task with the real sandbox.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parsePythonJson } from "../src/log/json.ts";
import { type GreedyRun, GreedyRunSchema } from "../src/log/schema.ts";
import { parseProgram } from "../src/run/parse.ts";
import { buildMessages } from "../src/run/prompt.ts";
import { childSeed } from "../src/run/seeds.ts";
import { loadTask } from "../src/run/tasks.ts";
import { ROOT, runCli } from "./cli.ts";
import { startLlmServer } from "./run-llm-server.ts";

const EXAMPLES = join(ROOT, "examples", "openevolve");
const tmp = mkdtempSync(join(tmpdir(), "evoalloc-template-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

// every placeholder, with and without format specs, plus escaped braces and a conversion
const TEMPLATE = `# Generation {generation} (of the run; {generation:03d}, {generation:>5}, {generation:x})

{task_description}

## Current Program
Score: {fitness:.6f} | {fitness} | {fitness:.3e} | {fitness:g} | {fitness:10.4f} | {fitness:<12.5} | {fitness:+.2%} | {fitness!r}
\`\`\`python
{current_program}
\`\`\`

Return the whole program in one \`\`\`python block. Keep {{braces}} literal. {task_description!r:.20}
`;

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** The answer for a child seed: the example program with another x, inside whitespace and prose. */
function answer(seed: number, parent: string): string {
  const x = (0.5 + (seed % 1000) / 1000).toFixed(3);
  const program = parent.replace(/x = [-\d.]+/, `x = ${x}`);
  return `Here is a better one.\n\`\`\`python\n\n\n${program}\n\n   \n\`\`\`\nDone.`;
}

/** `template.format(...)` in CPython for each (program, fitness, generation). */
function pythonFormat(
  rows: { program: string; fitness: number; generation: number }[],
  description: string,
): string[] {
  const code = `
import json, sys
d = json.load(sys.stdin)
print(json.dumps([d["template"].format(current_program=r["program"], fitness=float(r["fitness"]), generation=r["generation"], task_description=d["description"]) for r in d["rows"]]))
`;
  const r = spawnSync("python3", ["-c", code], {
    input: JSON.stringify({ template: TEMPLATE, rows, description }),
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

describe("--prompt-template and stripped programs (slow: real sandbox)", () => {
  it("sends exactly what str.format gives, and re-sends the stripped program", async () => {
    const templateFile = join(tmp, "template.txt");
    writeFileSync(templateFile, TEMPLATE);
    const server = await startLlmServer((body) => {
      const user = body.messages[1]!.content;
      const parent = /```python\n([\s\S]*?)\n```/.exec(user)![1]!;
      return { kind: "ok", content: answer(body.seed!, parent) };
    });
    const out = join(tmp, "run.json");
    try {
      const r = await runCli([
        "run",
        "greedy",
        "--tasks-dir",
        EXAMPLES,
        "--task",
        "bumpy",
        "--model",
        "qwen3-8b",
        "--api-base",
        server.url,
        "--T",
        "3",
        "--N",
        "2",
        "--temperature",
        "0.6",
        "--prompt-template",
        templateFile,
        "--retry-policy",
        "reference",
        "--output",
        out,
        "--json",
      ]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await server.close();
    }
    const run = GreedyRunSchema.parse(parsePythonJson(readFileSync(out, "utf8"))) as GreedyRun;
    const task = loadTask("bumpy", EXAMPLES);
    assert.equal(run.config?.prompt_template_sha256, sha(TEMPLATE));
    assert.equal(run.config?.retry_policy, "reference");
    assert.equal(run.config?.backoff_s, 5);

    // the parent of each generation, as the reference would hold it
    const parents: string[] = [task.initialProgram];
    for (const g of run.trajectory.slice(1)) {
      let parent = parents.at(-1)!;
      const best = g.children.find((c) => c.fitness === g.best_fitness && g.best_fitness > g.parent_fitness!);
      if (best) parent = parseProgram(answer(best.seed, parent))!;
      parents.push(parent);
    }
    assert.ok(run.trajectory.at(-1)!.best_fitness > run.trajectory[0]!.best_fitness, "the run improved");
    assert.ok(!run.final_program!.endsWith("\n"), "a child's program is stored stripped");
    assert.ok(parents.slice(1).some((p) => p !== task.initialProgram));

    const rows = run.trajectory.slice(1).map((g, k) => ({
      program: parents[k]!,
      fitness: g.parent_fitness!,
      generation: g.generation,
    }));
    const users = pythonFormat(rows, task.systemPrompt);
    assert.equal(server.requests.length, 6);
    for (const req of server.requests) {
      const g = run.trajectory.findIndex((row) => row.children.some((c) => c.seed === req.seed));
      const idx = run.trajectory[g]!.children.findIndex((c) => c.seed === req.seed);
      assert.equal(req.seed, childSeed(40, 2, g, idx));
      const expected = {
        model: "Qwen/Qwen3-8B",
        messages: [
          { role: "system", content: task.systemPrompt },
          { role: "user", content: users[g - 1]! },
        ],
        seed: req.seed,
        max_tokens: 16000,
        temperature: 0.6,
        top_p: 0.95,
      };
      assert.equal(req.raw, JSON.stringify(expected), `request of generation ${g}, child ${idx}`);
      // the stored hash is of the stripped program that was evaluated
      const child = run.trajectory[g]!.children[idx]!;
      assert.equal(child.code_sha256, sha(parseProgram(answer(req.seed!, parents[g - 1]!))!));
    }
    // buildMessages agrees with Python on the same inputs
    assert.equal(
      buildMessages("s", parents[1]!, rows[1]!.fitness, {
        text: TEMPLATE,
        generation: 2,
        taskDescription: task.systemPrompt,
      })[1]!.content,
      users[1],
    );
  });

  it("rejects a template with an unknown placeholder or a bad spec, naming the file (exit 2)", async () => {
    const bad = join(tmp, "bad.txt");
    const withTemplate = (text: string) => {
      writeFileSync(bad, text);
      return runCli([
        "run",
        "greedy",
        "--task",
        "cp",
        "--model",
        "mutator",
        "--T",
        "1",
        "--N",
        "1",
        "--prompt-template",
        bad,
      ]);
    };
    let r = await withTemplate("{current_program} {score:.6f}");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--prompt-template: .*bad\.txt: unknown placeholder \{score\}/);
    r = await withTemplate("{current_program:.6f}");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.txt: Unknown format code 'f' for object of type 'str'/);
    r = await runCli([
      "run",
      "greedy",
      "--task",
      "cp",
      "--model",
      "mutator",
      "--T",
      "1",
      "--N",
      "1",
      "--retry-policy",
      "sometimes",
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--retry-policy/);
  });
});
