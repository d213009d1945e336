/**
 * `run grid --queue` with real parts: a redis-server on a loopback port
 * (password, AOF on), three `evoalloc worker` processes, a loopback
 * OpenAI-protocol endpoint. The grid's results equal a single-process
 * `run grid` of the same config (wall-clock fields aside); a second enqueue
 * while the first follows adds no job; the queue's password appears in no
 * output, result file or stored job; a failing run is retried, then listed
 * as failed with its reason; an unreachable queue fails in one line.
 * Slow-ish (tens of seconds: worker start-up and the real mmd evaluator).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_NAME } from "../src/run/grid/queue.ts";
import {
  type Cli,
  cli,
  mutatorEndpoint,
  readResult,
  resultFiles,
  until,
  withoutClock,
  writeGrid,
} from "./queue-fixtures.ts";
import { freePort, haveRedis, type RedisServer, startRedis } from "./redis-server.ts";
import type { LlmServer } from "./run-llm-server.ts";

const PASSWORD = "pa:ss w/rd-7f3c";
const skip = haveRedis() ? false : "redis-server is not installed (.ci/run installs it)";

describe("run grid --queue: three workers (slow)", { skip, timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "grid-queue-"));
  let redis: RedisServer;
  let llm: LlmServer;
  let env: Record<string, string>;
  const workers: Cli[] = [];
  const outputs: Cli[] = [];
  const config = writeGrid(dir, "q.json", { output: "q", greedy: [{ C: 16, min_N: 4, seeds: [1, 2] }] });
  const local = writeGrid(dir, "local.json", {
    output: "local",
    greedy: [{ C: 16, min_N: 4, seeds: [1, 2] }],
  });
  const failing = writeGrid(dir, "fail.json", {
    output: "fail",
    models: ["dead"],
    greedy: [{ T: 1, N: 2, seeds: [7] }],
    max_consecutive_failures: 2,
  });

  before(async () => {
    redis = await startRedis({ password: PASSWORD });
    llm = await mutatorEndpoint();
    env = {
      EVOALLOC_QUEUE_TEST_BASE: llm.url,
      EVOALLOC_QUEUE_TEST_DEAD: `http://127.0.0.1:${await freePort()}/v1`,
    };
    for (let i = 0; i < 3; i++) {
      const w = cli(
        [
          "worker",
          "--queue",
          redis.url,
          "--parallel-runs",
          "1",
          "--parallel-llm",
          "2",
          "--parallel-eval",
          "1",
        ],
        env,
      );
      workers.push(w);
      outputs.push(w);
    }
    for (const w of workers) await until(() => /worker pid/.test(w.err()), "the workers to start");
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await llm?.close();
    await redis?.close();
  });

  it("completes the grid as one process would, with no duplicate job from a second enqueue", async () => {
    const first = cli(["run", "grid", "--config", config, "--queue", redis.url, "--json"], env);
    outputs.push(first);
    await until(() => /jobs added/.test(first.err()), "the first enqueue");
    const second = cli(["run", "grid", "--config", config, "--queue", redis.url, "--no-wait", "--json"], env);
    outputs.push(second);
    const s2 = await second.done;
    assert.equal(s2.code, 0, s2.stderr);
    const enq = JSON.parse(s2.stdout) as { added: number; present: number; runs: number; done: number };
    assert.equal(enq.runs, 6);
    assert.equal(enq.added, 0, "the second enqueue added no job");
    assert.equal(enq.present, 6 - enq.done, "every run not done yet already has its job");

    const r1 = await first.done;
    assert.equal(r1.code, 0, r1.stderr);
    const summary = JSON.parse(r1.stdout) as {
      runs: { total: number; done: number; failed: number };
      jobs: { added: number };
    };
    assert.equal(summary.runs.total, 6);
    assert.equal(summary.runs.done, 6);
    assert.equal(summary.runs.failed, 0);
    assert.equal(summary.jobs.added, 6);

    const conn = new Redis(redis.port, "127.0.0.1", { password: PASSWORD });
    const q = new Queue(QUEUE_NAME, {
      connection: { host: "127.0.0.1", port: redis.port, password: PASSWORD },
    });
    try {
      const counts = await q.getJobCounts();
      assert.equal(
        Object.values(counts).reduce((s, n) => s + n, 0),
        6,
        `one job per run: ${JSON.stringify(counts)}`,
      );
      assert.equal(counts.completed, 6);
      // nothing stored in Redis names the password
      for (const key of await conn.keys("*")) {
        const type = await conn.type(key);
        const text =
          type === "string"
            ? await conn.get(key)
            : type === "hash"
              ? JSON.stringify(await conn.hgetall(key))
              : type === "list"
                ? JSON.stringify(await conn.lrange(key, 0, -1))
                : "";
        assert.ok(!String(text).includes("pa:ss"), `${key} holds the password`);
      }
    } finally {
      await q.close();
      conn.disconnect();
    }

    // the same grid in one process, without a queue
    const one = await cli(["run", "grid", "--config", local, "--json"], env).done;
    assert.equal(one.code, 0, one.stderr);
    const files = resultFiles(join(dir, "q"));
    assert.equal(files.length, 6);
    assert.deepEqual(resultFiles(join(dir, "local")), files);
    for (const f of files)
      assert.deepEqual(
        withoutClock(readResult(join(dir, "q", f))),
        withoutClock(readResult(join(dir, "local", f))),
        f,
      );
    assert.equal(
      readdirSync(join(dir, "q"), { recursive: true, encoding: "utf8" }).filter((f) => /journal|lock/.test(f))
        .length,
      0,
      "no journal or lock left",
    );
  });

  it("retries a failing run, then lists it as failed with its reason", async () => {
    const run = cli(
      [
        "run",
        "grid",
        "--config",
        failing,
        "--queue",
        redis.url,
        "--run-retries",
        "1",
        "--retry-delay-ms",
        "100",
        "--json",
      ],
      env,
    );
    outputs.push(run);
    const r = await run.done;
    assert.equal(r.code, 1, r.stderr);
    const summary = JSON.parse(r.stdout) as { failures: { path: string; error: string; attempts: number }[] };
    assert.equal(summary.failures.length, 1);
    assert.equal(summary.failures[0]!.attempts, 2, "tried twice (one retry)");
    assert.match(summary.failures[0]!.path, /greedy_C2_T1_N2_seed7/);
    assert.ok(summary.failures[0]!.error.length > 0);
    assert.match(r.stderr, /1 run\(s\) failed after 2 tries/);

    const status = await cli(["grid", "status", "--queue", redis.url, "--json"], env).done;
    assert.equal(status.code, 0, status.stderr);
    const st = JSON.parse(status.stdout) as {
      grids: { root: string; states: Record<string, number>; failures: { path: string }[] }[];
    };
    const g = st.grids.find((x) => x.root === join(dir, "fail"))!;
    assert.equal(g.states.failed, 1);
    assert.equal(g.failures.length, 1);
    const ok = st.grids.find((x) => x.root === join(dir, "q"))!;
    assert.equal(ok.states.done, 6);
    outputs.push({ ...run, out: () => status.stdout, err: () => status.stderr });
  });

  it("stopped workers leave; the password is in no output or result file", async () => {
    for (const w of workers) w.child.kill("SIGTERM");
    for (const w of workers) {
      const r = await w.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /leaves: \d+ runs done/);
    }
    for (const o of outputs) {
      assert.ok(!o.out().includes("pa:ss") && !o.err().includes("pa:ss"), "the password in an output");
      assert.ok(!o.out().includes(encodeURIComponent("pa:ss")), "the encoded password in an output");
    }
    for (const root of ["q", "fail"])
      for (const f of readdirSync(join(dir, root), { recursive: true, encoding: "utf8" })) {
        const path = join(dir, root, f);
        if (!f.includes(".")) continue;
        const text = f.endsWith(".gz") ? JSON.stringify(readResult(path)) : readFileSync(path, "utf8");
        assert.ok(!text.includes("pa:ss"), `${f} holds the password`);
      }
  });

  it("an unreachable queue fails at once, in one line, without the password", async () => {
    const port = await freePort();
    for (const args of [
      [
        "run",
        "grid",
        "--config",
        config,
        "--queue",
        `redis://:${PASSWORD.replace(/[:/ ]/g, "x")}@127.0.0.1:${port}`,
      ],
      ["worker", "--queue", `redis://:secretpw@127.0.0.1:${port}`],
      ["grid", "status", "--queue", `redis://:secretpw@127.0.0.1:${port}`],
    ]) {
      const r = await cli(args, env).done;
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /cannot reach the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/);
      assert.ok(!r.stderr.includes("secretpw") && !r.stderr.includes("paxssxwxrd"));
    }
    const bad = await cli(["worker", "--queue", "http://127.0.0.1:1"], env).done;
    assert.equal(bad.code, 2);
  });
});
