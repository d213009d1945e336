/**
 * redis-server killed (SIGKILL) and restarted mid-grid, with real processes:
 * the worker and the follower reconnect (AOF kept the queue) and the grid
 * completes with the results of an uninterrupted one.
 * Slow (about 30 s: a grid of 64 calls on the queue and one local).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  assertSameResults,
  cli,
  journalledSeeds,
  queueFixture,
  SMALL_GRID,
  until,
  writeGrid,
} from "./queue-fixtures.ts";
import { haveRedis } from "./redis-server.ts";

const skip = haveRedis() ? false : "redis-server is not installed (.ci/run installs it)";
const PARALLEL_LLM = 2;

describe("run grid --queue: Redis restarted (slow)", { skip, timeout: 600_000 }, () => {
  const fx = queueFixture("grid-queue-restart", SMALL_GRID, PARALLEL_LLM, { before, after });

  it("redis-server killed and restarted mid-grid (AOF): the grid completes", async () => {
    const root = join(fx.dir, "restarted");
    const config = writeGrid(fx.dir, "restarted.json", { output: "restarted", ...SMALL_GRID });
    const w = fx.worker();
    await until(() => /worker pid/.test(w.err()), "the worker to start");
    const follow = fx.track(
      cli(["run", "grid", "--config", config, "--queue", fx.redis.url, "--json"], fx.env),
    );
    await until(() => journalledSeeds(root).size >= 8, "some calls of the grid");
    await fx.redis.stop("SIGKILL");
    await new Promise((r) => setTimeout(r, 1500));
    await fx.redis.start();
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
    assertSameResults(root, join(fx.dir, "local"), 2);
    assert.match(w.err(), /queue: .*retrying/, "the worker saw Redis go away");
    w.child.kill("SIGTERM");
    const left = await w.done;
    assert.equal(left.code, 0, left.stderr);
  });
});
