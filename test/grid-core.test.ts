/**
 * The pure parts of `run grid` (src/run/grid/): the summary's rows, what a
 * failed run became, the config recorded in a result, what a grid puts on
 * the queue (its meta and the runs to enqueue), the config's rng, and the
 * checks of what a config names. No queue, no sandbox.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { loadModels } from "../src/log/models.ts";
import type { Policy } from "../src/policies/policy.ts";
import { banditPolicy } from "../src/run/bandit.ts";
import { gridMeta, queuedGrid, resultExists } from "../src/run/grid/enqueue.ts";
import {
  type BanditGridRun,
  expandGrid,
  type GridConfig,
  GridConfigError,
  parseGridConfig,
} from "../src/run/grid/grid-config.ts";
import { checkGridPolicies, gridModels, gridTasks } from "../src/run/grid/inputs.ts";
import { gridId, identitySha } from "../src/run/grid/queue.ts";
import {
  failedOutcome,
  gridRunIdentity,
  policyOf,
  requestParams,
  runConfig,
} from "../src/run/grid/runner.ts";
import { summaryRows } from "../src/run/grid/summary.ts";
import { RunFileError, RunStopped } from "../src/run/run-file.ts";
import { loadTask } from "../src/run/tasks.ts";

const config = (extra: Record<string, unknown> = {}): GridConfig =>
  parseGridConfig(
    {
      tasks: ["cp"],
      models: ["mutator"],
      greedy: [{ T: 2, N: 2, seeds: [1, 2, 3] }],
      bandit: [{ algos: ["ucb", "random"], n_arms: 2, C: 8, N: 4, bandit_seeds: [0, 1] }],
      ...extra,
    },
    "g.json",
  );

const bandit0 = { algos: ["ucb"], n_arms: 2, C: 8, N: 4, bandit_seeds: [0] };

describe("grid summary rows", () => {
  const runs = expandGrid(config(), ".json");
  const path = (pred: (r: (typeof runs)[number]) => boolean): string => runs.find(pred)!.path;
  const greedy = (seed: number) => path((r) => r.kind === "greedy" && r.seed === seed);
  const bandit = (algo: string, seed: number) =>
    path((r) => r.kind === "bandit" && r.algo === algo && r.banditSeed === seed);

  it("groups greedy runs per split and bandit runs per policy, over the runs with a final fitness", () => {
    const finals = new Map([
      [greedy(1), 1],
      [greedy(3), 3],
      [bandit("ucb", 0), 0.5],
      [bandit("ucb", 1), 0.5],
      [bandit("random", 1), 0.25],
    ]);
    const rows = summaryRows(runs, finals);
    assert.deepEqual(rows.greedy, [
      { task: "cp", model: "mutator", C: 4, T: 2, N: 2, n: 2, mean: 2, sd: Math.SQRT2, min: 1, max: 3 },
    ]);
    assert.deepEqual(rows.bandit, [
      { task: "cp", model: "mutator", algo: "random", C: 8, K: 2, n: 1, mean: 0.25, sd: 0 },
      { task: "cp", model: "mutator", algo: "ucb", C: 8, K: 2, n: 2, mean: 0.5, sd: 0 },
    ]);
  });

  it("has no rows without final fitnesses", () => {
    assert.deepEqual(summaryRows(runs, new Map()), { greedy: [], bandit: [] });
    assert.deepEqual(summaryRows([], new Map([[greedy(1), 1]])), { greedy: [], bandit: [] });
  });
});

describe("grid runner parts", () => {
  it("tells an interrupted run, a busy output and a failure apart", () => {
    assert.deepEqual(failedOutcome(new RunStopped(new Error("ctrl-c"), true, 3, "j")), {
      state: "interrupted",
    });
    assert.deepEqual(failedOutcome(new RunFileError("out.json: locked by pid 7", "output", true)), {
      state: "busy",
      error: "out.json: locked by pid 7",
    });
    assert.deepEqual(failedOutcome(new RunStopped(new Error("no answer"), false, 3, "j")), {
      state: "failed",
      error: "no answer",
    });
    assert.deepEqual(failedOutcome(new RunFileError("bad journal", "resume")), {
      state: "failed",
      error: "bad journal",
    });
    assert.deepEqual(failedOutcome("odd"), { state: "failed", error: "odd" });
  });

  it("records the request, retries, eval settings and grid label; the mutator's steps only for the mutator", async () => {
    const models = await loadModels();
    const task = loadTask("cp");
    const cfg = config({ mutator: { scale_min: 0.5 }, max_tokens: 100 });
    const mut = models.mutator!;
    const c = runConfig(cfg, "g.json", mut, task, requestParams(mut, cfg));
    assert.equal(c.max_tokens, 100);
    assert.equal(c.provider, "mutator");
    assert.deepEqual(c.mutator, { scale_min: 0.5 });
    assert.equal(c.grid, "g.json");
    assert.equal(c.eval_timeout_s, task.evalTimeoutS);
    const q = models["qwen3-8b"]!;
    const o = runConfig(cfg, undefined, q, task, requestParams(q, cfg));
    assert.equal(o.mutator, undefined);
    assert.equal(o.grid, "grid");
    assert.equal(o.temperature, q.temperature);
  });
});

describe("a grid on the queue", () => {
  it("makes the config's paths absolute from the config's folder and labels it from the root", () => {
    const cfg = config({ models_file: "models.json", tasks_dir: "../tasks" });
    const runs = expandGrid(cfg, ".json");
    const meta = gridMeta(cfg, "/exp/cfg/g.json", "/exp/out", runs, "2026-01-01T00:00:00.000Z");
    assert.equal(meta.root, "/exp/out");
    assert.equal(meta.label, join("..", "cfg", "g.json"));
    assert.equal(meta.config.models_file, "/exp/cfg/models.json");
    assert.equal(meta.config.tasks_dir, "/exp/tasks");
    assert.equal(meta.runs, 3 + 4);
    assert.equal(meta.calls, 3 * 4 + 4 * 8);
    assert.equal(meta.updated, "2026-01-01T00:00:00.000Z");
    assert.equal(cfg.models_file, "models.json", "the config itself is not changed");
    const plain = gridMeta(config(), "/exp/out/g.json", "/exp/out", runs, "t");
    assert.equal(plain.label, "g.json");
    assert.equal("models_file" in plain.config, false);
  });

  it("enqueues the runs without a result file, each with its identity's sha", async () => {
    const root = mkdtempSync(join(tmpdir(), "grid-core-"));
    const cfg = config();
    const models = await loadModels();
    const tasks = new Map([["cp", loadTask("cp")]]);
    const runs = expandGrid(cfg, ".json.gz");
    const done = runs[0]!;
    mkdirSync(dirname(join(root, done.path)), { recursive: true });
    // a result written without gzip counts as well
    writeFileSync(join(root, done.path.replace(/\.gz$/, "")), "");
    assert.equal(resultExists(root, done.path), true);
    const g = queuedGrid(cfg, { file: join(root, "g.json"), root, models, tasks, updated: "t" });
    assert.equal(g.gid, gridId(root));
    assert.deepEqual(g.runs, runs);
    assert.deepEqual(
      g.todo.map((r) => r.path),
      runs.slice(1).map((r) => r.path),
    );
    assert.deepEqual(
      [...g.identities.keys()],
      g.todo.map((r) => r.path),
    );
    const r = g.todo[0]!;
    assert.equal(
      g.identities.get(r.path),
      identitySha(gridRunIdentity(cfg, r, models.mutator!, tasks.get("cp")!)),
    );
    assert.equal(g.meta.label, "g.json");
  });
});

describe("the config's rng", () => {
  const bandits = (extra: Record<string, unknown>): BanditGridRun[] =>
    expandGrid(config(extra), ".json").filter((r): r is BanditGridRun => r.kind === "bandit");
  const draws = (p: Policy): number[] =>
    Array.from({ length: 24 }, () => {
      const a = p.select();
      p.update(a, 0);
      return a;
    });

  it("gives the bandit runs python's stream, in their identity and their policy", async () => {
    const models = await loadModels();
    const task = loadTask("cp");
    const py = bandits({ rng: "python" }).find((r) => r.algo === "random" && r.banditSeed === 1)!;
    const plain = bandits({}).find((r) => r.algo === "random" && r.banditSeed === 1)!;
    assert.equal(py.rng, "python");
    assert.equal("rng" in plain, false);
    assert.equal(gridRunIdentity(config({ rng: "python" }), py, models.mutator!, task).rng, "python");
    const reference = banditPolicy({ algo: "random", nArms: 2, T_total: 2, banditSeed: 1, rng: "python" });
    assert.deepEqual(draws(policyOf(py)), draws(reference));
    assert.notDeepEqual(draws(policyOf(py)), draws(policyOf(plain)));
  });

  it("changes nothing when absent or evoalloc (journals of earlier grids still resume)", async () => {
    const models = await loadModels();
    const task = loadTask("cp");
    const id = (extra: Record<string, unknown>) =>
      bandits(extra).map((r) => gridRunIdentity(config(extra), r, models.mutator!, task));
    assert.deepEqual(id({ rng: "evoalloc" }), id({}));
    assert.equal(
      id({}).some((i) => "rng" in i),
      false,
    );
  });

  it("is evoalloc or python", () => {
    assert.throws(
      () => config({ rng: "numpy" }),
      (err: Error) =>
        err instanceof GridConfigError && /^g\.json: rng: must be one of evoalloc, python$/.test(err.message),
    );
  });
});

describe("what a grid config names", () => {
  const base = process.cwd();
  const rejectsWith = (re: RegExp) => (err: Error) => err instanceof GridConfigError && re.test(err.message);

  it("loads the models; with an environment, each openai model needs its endpoint there", async () => {
    const cfg = config({ models: ["mutator", "qwen3-8b"] });
    const models = await gridModels(cfg, "g.json", base, null);
    assert.equal(models["qwen3-8b"]!.name, "Qwen/Qwen3-8B");
    await gridModels(cfg, "g.json", base, { LLM_API_BASE: "http://127.0.0.1:9/v1" });
    await assert.rejects(gridModels(cfg, "g.json", base, {}), rejectsWith(/^g\.json: models\[1\]: /));
    await assert.rejects(
      gridModels(config({ models: ["gpt-9"] }), "g.json", base, null),
      rejectsWith(/^g\.json: models\[0\]: unknown model "gpt-9" \(known: .*mutator/),
    );
    await assert.rejects(
      gridModels(config({ models_file: "no-such-models.json" }), "g.json", base, null),
      rejectsWith(/^g\.json: models_file: /),
    );
  });

  it("loads the tasks and names the one that does not load", () => {
    assert.equal(gridTasks(config(), "g.json", base).get("cp")!.key, "cp");
    assert.throws(
      () => gridTasks(config({ tasks: ["cp", "nope"] }), "g.json", base),
      rejectsWith(/^g\.json: tasks\[1\]: .*nope/),
    );
  });

  it("checks the bandit policies and their parameters", () => {
    checkGridPolicies(config({ bandit: [{ ...bandit0, params: { ucb: { c: 1 } } }] }), "g.json");
    assert.throws(
      () => checkGridPolicies(config({ bandit: [{ ...bandit0, algos: ["ucb", "zzz"] }] }), "g.json"),
      rejectsWith(/^g\.json: bandit\[0\]\.algos\[1\]: .*zzz/),
    );
    assert.throws(
      () => checkGridPolicies(config({ bandit: [{ ...bandit0, params: { ucb: { d: 1 } } }] }), "g.json"),
      rejectsWith(/^g\.json: bandit\[0\]\.params\.ucb: unknown parameter "ucb\.d"/),
    );
  });
});
