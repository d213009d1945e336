/**
 * A queue worker killed with SIGKILL mid-run, with real processes: its runs
 * resume on another worker after the jobs' locks expire, the results equal
 * an uninterrupted grid's, and the endpoint is asked no finished call again,
 * only those in flight at the kill.
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
  resultFiles,
  SMALL_GRID,
  until,
  writeGrid,
} from "./queue-fixtures.ts";
import { haveRedis } from "./redis-server.ts";

const skip = haveRedis() ? false : "redis-server is not installed (.ci/run installs it)";
const PARALLEL_LLM = 2;

describe("run grid --queue: a worker killed (slow)", { skip, timeout: 600_000 }, () => {
  const fx = queueFixture("grid-queue-kill", SMALL_GRID, PARALLEL_LLM, { before, after });

  it("kill -9 of a worker mid-run: another worker resumes it from its journal; no finished call asked again", async () => {
    const root = join(fx.dir, "killed");
    const config = writeGrid(fx.dir, "killed.json", { output: "killed", ...SMALL_GRID });
    const a = fx.worker();
    await until(() => /worker pid/.test(a.err()), "worker A to start");
    const asked0 = fx.llm.requests.length;
    const enq = await cli(["run", "grid", "--config", config, "--queue", fx.redis.url, "--no-wait"], fx.env)
      .done;
    assert.equal(enq.code, 0, enq.stderr);
    await until(() => journalledSeeds(root).size >= 12, "worker A to journal some calls");
    a.child.kill("SIGKILL");
    await a.done;
    const finished = journalledSeeds(root);
    assert.equal(resultFiles(root).length, 0, "both runs were under way at the kill");
    const askedAtKill = fx.llm.requests.length;

    const b = fx.worker();
    const follow = await cli(["run", "grid", "--config", config, "--queue", fx.redis.url, "--json"], fx.env)
      .done;
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(b.err(), /done .*\([1-9]\d* calls from its journal\)/);
    assertSameResults(root, join(fx.dir, "local"), 2);

    const before = fx.llm.requests.slice(asked0, askedAtKill).map((r) => r.seed!);
    const afterKill = fx.llm.requests.slice(askedAtKill).map((r) => r.seed!);
    for (const s of afterKill) assert.ok(!finished.has(s), `finished call ${s} asked again`);
    const repeated = afterKill.filter((s) => before.includes(s));
    assert.ok(
      repeated.length <= PARALLEL_LLM,
      `${repeated.length} calls asked again; at most the ${PARALLEL_LLM} in flight at the kill`,
    );
    assert.equal(new Set(afterKill).size, afterKill.length, "no call asked twice after the kill");
    assert.equal(new Set([...before, ...afterKill]).size, 64, "every call of the grid was answered");
  });
});
