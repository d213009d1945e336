/**
 * A queue worker killed with SIGKILL mid-run, with real processes: its runs
 * resume on another worker after the jobs' locks expire, the results equal
 * an uninterrupted grid's, and the endpoint is asked no finished call again,
 * only those in flight at the kill.
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
  resultFiles,
  startWorker,
  until,
  writeGrid,
} from "./queue-fixtures.ts";
import { haveRedis, type RedisServer, startRedis } from "./redis-server.ts";
import type { LlmServer } from "./run-llm-server.ts";

const skip = haveRedis() ? false : "redis-server is not installed (.ci/run installs it)";
const GRID = { greedy: [{ T: 8, N: 4, seeds: [1, 2] }] };
const PARALLEL_LLM = 2;

describe("run grid --queue: a worker killed (slow)", { skip, timeout: 600_000 }, () => {
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

  it("kill -9 of a worker mid-run: another worker resumes it from its journal; no finished call asked again", async () => {
    const root = join(dir, "killed");
    const config = writeGrid(dir, "killed.json", { output: "killed", ...GRID });
    const a = worker();
    await until(() => /worker pid/.test(a.err()), "worker A to start");
    const asked0 = llm.requests.length;
    const enq = await cli(["run", "grid", "--config", config, "--queue", redis.url, "--no-wait"], env).done;
    assert.equal(enq.code, 0, enq.stderr);
    await until(() => journalledSeeds(root).size >= 12, "worker A to journal some calls");
    a.child.kill("SIGKILL");
    await a.done;
    const finished = journalledSeeds(root);
    assert.equal(resultFiles(root).length, 0, "both runs were under way at the kill");
    const askedAtKill = llm.requests.length;

    const b = worker();
    const follow = await cli(["run", "grid", "--config", config, "--queue", redis.url, "--json"], env).done;
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(b.err(), /done .*\([1-9]\d* calls from its journal\)/);
    assertSameResults(root, join(dir, "local"), 2);

    const before = llm.requests.slice(asked0, askedAtKill).map((r) => r.seed!);
    const afterKill = llm.requests.slice(askedAtKill).map((r) => r.seed!);
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
