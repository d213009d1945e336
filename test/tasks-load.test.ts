import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { defaultTasksDir, listTasks, loadTask, TaskError, UnknownTaskError } from "../src/run/tasks.ts";

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-tasks-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("listTasks / loadTask", () => {
  it("lists the shipped tasks from the package's tasks/ folder", () => {
    assert.deepEqual(listTasks(), ["cp", "ht", "mmd"]);
    assert.ok(defaultTasksDir().endsWith("tasks"));
  });

  it("loads each shipped task with its facts", () => {
    const cp = loadTask("cp");
    assert.equal(cp.entry, "construct_packing");
    assert.equal(cp.evalTimeoutS, 120);
    assert.match(cp.systemPrompt, /26/);
    assert.match(cp.initialProgram, /def construct_packing/);
    assert.ok(cp.evaluatorPath.endsWith(join("cp", "evaluator.py")));
    assert.equal(loadTask("mmd").entry, "min_max_dist_dim2_16");
    assert.equal(loadTask("mmd").evalTimeoutS, 60);
    assert.equal(loadTask("ht").entry, "heilbronn_triangle11");
    assert.equal(loadTask("ht").evalTimeoutS, 60);
  });

  it("rejects an unknown task, listing the known ones", () => {
    assert.throws(
      () => loadTask("nope"),
      (err: unknown) =>
        err instanceof UnknownTaskError &&
        err instanceof TaskError &&
        err.key === "nope" &&
        err.known.join(",") === "cp,ht,mmd" &&
        /known tasks: cp, ht, mmd/.test(err.message),
    );
  });

  it("finds a task dropped into another tasks directory, and a directory that is one task", () => {
    const dir = join(tmp, "mytasks");
    cpSync(join(defaultTasksDir(), "mmd"), join(dir, "pts"), { recursive: true });
    mkdirSync(join(dir, "not-a-task"));
    assert.deepEqual(listTasks(dir), ["pts"]);
    assert.equal(loadTask("pts", dir).entry, "min_max_dist_dim2_16");
    assert.deepEqual(listTasks(join(dir, "pts")), ["pts"]);
    assert.equal(loadTask("pts", join(dir, "pts")).key, "pts");
  });

  it("names the file and field of a malformed task.json", () => {
    const dir = join(tmp, "bad");
    cpSync(join(defaultTasksDir(), "ht"), join(dir, "ht2"), { recursive: true });
    writeFileSync(
      join(dir, "ht2", "task.json"),
      JSON.stringify({ entry_function: "f", eval_timeout_s: -1, system_prompt: "x" }),
    );
    assert.throws(() => loadTask("ht2", dir), /task\.json: eval_timeout_s/);
    writeFileSync(join(dir, "ht2", "task.json"), "{");
    assert.throws(() => loadTask("ht2", dir), /not valid JSON/);
  });

  it("finds the same tasks from the built dist/", async () => {
    const dist = join(import.meta.dirname, "..", "dist", "run", "tasks.js");
    assert.ok(existsSync(dist), "run npm run build first (npm test does)");
    const mod = (await import(pathToFileURL(dist).href)) as {
      listTasks(): string[];
      defaultTasksDir(): string;
    };
    assert.deepEqual(mod.listTasks(), ["cp", "ht", "mmd"]);
    assert.equal(mod.defaultTasksDir(), defaultTasksDir());
  });

  it("rejects a tasks directory that does not exist", () => {
    assert.throws(() => listTasks(join(tmp, "missing")), TaskError);
  });
});
