/**
 * redis-server killed (SIGKILL) and restarted mid-grid, with real processes:
 * the worker and the follower reconnect (AOF kept the queue) and the grid
 * completes with the results of an uninterrupted one.
 * Slow (about 30 s: a grid of 64 calls on the queue and one local).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  assertSameResults,
  type Cli,
  cli,
  journalledSeeds,
  mutatorEndpoint,
  startWorker,
  until,
  writeGrid,
} from "./queue-fixtures.ts";
import { haveRedis, type RedisServer, startRedis } from "./redis-server.ts";
import type { LlmServer } from "./run-llm-server.ts";

const skip = haveRedis() ? false : "redis-server is not installed (.ci/run installs it)";
const GRID = { greedy: [{ T: 8, N: 4, seeds: [1, 2] }] };
const PARALLEL_LLM = 2;

describe("run grid --queue: Redis restarted (slow)", { skip, timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "grid-queue-kill-"));
  let redis: RedisServer;
  let llm: LlmServer;
  let env: Record<string, string>;
  const started: Cli[] = [];
  const worker = (): Cli => {
    const w = startWorker(redis.url, env, PARALLEL_LLM);
    started.push(w);
    return w;
  };

  before(async () => {
    redis = await startRedis();
    llm = await mutatorEndpoint(30);
    env = { EVOALLOC_QUEUE_TEST_BASE: llm.url };
    const local = await cli(
      ["run", "grid", "--config", writeGrid(dir, "local.json", { output: "local", ...GRID }), "--json"],
      env,
    ).done;
    assert.equal(local.code, 0, local.stderr);
  });
  after(async () => {
    for (const w of started)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await llm?.close();
    await redis?.close();
  });

  it("redis-server killed and restarted mid-grid (AOF): the grid completes", async () => {
    const root = join(dir, "restarted");
    const config = writeGrid(dir, "restarted.json", { output: "restarted", ...GRID });
    const w = worker();
    await until(() => /worker pid/.test(w.err()), "the worker to start");
    const follow = cli(["run", "grid", "--config", config, "--queue", redis.url, "--json"], env);
    started.push(follow);
    await until(() => journalledSeeds(root).size >= 8, "some calls of the grid");
    await redis.stop("SIGKILL");
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      follow.done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the grid did not complete:\n${follow.err()}\n--- worker:\n${w.err()}`)),
          300_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(done.code, 0, done.stderr);
    const summary = JSON.parse(done.stdout) as { runs: { done: number; failed: number } };
    assert.equal(summary.runs.done, 2);
    assert.equal(summary.runs.failed, 0);
    assertSameResults(root, join(dir, "local"), 2);
    assert.match(w.err(), /queue: .*retrying/, "the worker saw Redis go away");
    w.child.kill("SIGTERM");
    const left = await w.done;
    assert.equal(left.code, 0, left.stderr);
  });
});
