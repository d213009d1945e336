/**
 * `run grid` reports failed runs and retries them (issue 11, item 4): runs
 * whose calls get no answer fail (summary and exit 1) with what they
 * finished kept in their journals; the same command reruns them; `--dry-run --json` lists every run
 * with its state; `--force` redoes finished runs. Against a loopback
 * endpoint on the real sandbox.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "./cli.ts";
import { startLlmServer } from "./run-llm-server.ts";
import { toyAnswer, writeToyTask } from "./run-toy.ts";

describe("run grid: failed runs (slow: real sandbox)", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "evoalloc-grid-loud-"));
    writeToyTask(root);
    writeFileSync(
      join(root, "models.json"),
      JSON.stringify([
        { key: "t", name: "t-model", params_active: 1e9, api_base_env: "EVOALLOC_GRID_LOUD_BASE" },
      ]),
    );
    writeFileSync(
      join(root, "grid.json"),
      JSON.stringify({
        output: "out",
        tasks: ["toy"],
        tasks_dir: "tasks",
        models: ["t"],
        models_file: "models.json",
        greedy: [{ T: 2, N: 2, seeds: [1, 2] }],
        parallel_runs: 1,
        retries: 0,
        max_consecutive_failures: 2,
        gzip: false,
      }),
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("failed runs: exit 1 and listed; rerun retries them; --dry-run shows states; --force redoes", async () => {
    let broken = true;
    const server = await startLlmServer(
      // the first run's first generation is answered, then nothing until the endpoint is mended
      (body, n) => (broken && n >= 2 ? { kind: "status", status: 500 } : toyAnswer(body)),
      { models: ["t-model"] },
    );
    const grid = (extra: string[] = []) =>
      runCli(["run", "grid", "--config", join(root, "grid.json"), "--json", ...extra], {
        cwd: root,
        env: {
          EVOALLOC_GRID_LOUD_BASE: server.url,
        },
      });
    try {
      const a = await grid();
      assert.equal(a.code, 1, a.stderr);
      const sa = JSON.parse(a.stdout) as {
        runs: { failed: number; run: number };
        failures: { error: string }[];
      };
      assert.equal(sa.runs.failed, 2);
      assert.equal(sa.runs.run, 0);
      for (const f of sa.failures) assert.match(f.error, /2 calls in a row got no answer/);
      assert.match(a.stderr, /2 run\(s\) failed; rerun the same command to retry them/);

      const plan = JSON.parse((await grid(["--dry-run"])).stdout) as {
        states: Record<string, number>;
        plan: { state: string; seed: number; T: number; N: number; output: string }[];
      };
      // seed 1 keeps its answered generation; seed 2 got no answer, so nothing of it is kept
      assert.deepEqual(plan.states, { done: 0, partial: 1, todo: 1 });
      assert.deepEqual(
        plan.plan.map((p) => [p.seed, p.T, p.N, p.state]),
        [
          [1, 2, 2, "partial"],
          [2, 2, 2, "todo"],
        ],
      );

      broken = false;
      const b = await grid();
      assert.equal(b.code, 0, b.stderr);
      const sb = JSON.parse(b.stdout) as { runs: { failed: number; run: number } };
      assert.equal(sb.runs.run, 2);
      assert.equal(sb.runs.failed, 0);
      assert.ok(existsSync(join(root, "out", "toy", "t", "greedy_C4_T2_N2_seed1.json")));

      const done = JSON.parse((await grid(["--dry-run"])).stdout) as {
        states: Record<string, number>;
        to_run: number;
      };
      assert.deepEqual(done.states, { done: 2, partial: 0, todo: 0 });
      assert.equal(done.to_run, 0);
      const forced = JSON.parse((await grid(["--dry-run", "--force"])).stdout) as { to_run: number };
      assert.equal(forced.to_run, 2);

      const before = server.requests.length;
      const c = await grid(["--force"]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal((JSON.parse(c.stdout) as { runs: { run: number } }).runs.run, 2);
      assert.equal(server.requests.length - before, 8, "both runs were redone");
    } finally {
      await server.close();
    }
  });
});
