/**
 * Shared parts of the queue tests: the CLI as a child process, a loopback
 * OpenAI-protocol endpoint whose answers are the built-in mutator's (a
 * function of the seed and the messages, with a fixed usage, so results do
 * not depend on the order calls arrive in), a tiny grid config, and result
 * files compared without their wall-clock fields.
 */

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { mutatorReply } from "../src/mutator/mutator.ts";
import type { ChatMessage } from "../src/run/ports.ts";
import { childSeed } from "../src/run/seeds.ts";
import { type Exit, spawnCli } from "./cli.ts";
import { type RedisServer, startRedis } from "./redis-server.ts";
import { type LlmServer, startLlmServer } from "./run-llm-server.ts";

export interface Cli {
  child: ChildProcess;
  /** What it printed so far. */
  out(): string;
  err(): string;
  done: Promise<Exit>;
}

/** `node bin/evoalloc.js ARGS` (test/cli.ts spawnCli) with its output readable while it runs. */
export function cli(args: string[], env: Record<string, string> = {}): Cli {
  const { child, done } = spawnCli(args, { env });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  return { child, out: () => stdout, err: () => stderr, done };
}

/** Resolves when `cond` holds (polled every 50 ms); rejects after `timeoutMs` with `what`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The mutator behind the OpenAI protocol on 127.0.0.1, every answer after `delayMs`. */
export async function mutatorEndpoint(delayMs = 10): Promise<LlmServer> {
  return await startLlmServer((body) => ({
    kind: "ok",
    content: mutatorReply(body.messages as ChatMessage[], body.seed ?? 0).content,
    delayMs,
  }));
}

/** Writes models.json (model "dry", endpoint from $EVOALLOC_QUEUE_TEST_BASE) and a grid config into `dir`. */
export function writeGrid(dir: string, name: string, cfg: Record<string, unknown>): string {
  writeFileSync(
    join(dir, "models.json"),
    JSON.stringify([
      { key: "dry", name: "dry-model", params_active: 1e9, api_base_env: "EVOALLOC_QUEUE_TEST_BASE" },
      { key: "dead", name: "dead-model", params_active: 1e9, api_base_env: "EVOALLOC_QUEUE_TEST_DEAD" },
    ]),
  );
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      tasks: ["mmd"],
      models: ["dry"],
      models_file: "models.json",
      parallel_llm: 4,
      parallel_eval: 2,
      parallel_runs: 2,
      retries: 0,
      ...cfg,
    }),
  );
  return file;
}

export const resultFiles = (root: string): string[] =>
  existsSync(root)
    ? readdirSync(root, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".json.gz"))
        .sort()
    : [];

export const readResult = (file: string): Record<string, unknown> =>
  JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as Record<string, unknown>;

const CLOCK_FIELDS = new Set(["wall_time_seconds", "gen_time_s", "latency_s"]);

/** A result without what depends on the clock (times, latencies) or on the config file's name (config.grid). */
export function withoutClock(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClock);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (CLOCK_FIELDS.has(k)) continue;
    out[k] = withoutClock(v);
  }
  if (typeof out.config === "object" && out.config !== null)
    delete (out.config as Record<string, unknown>).grid;
  return out;
}

/** Seeds of the calls recorded in the journals under `root` (key g<generation>/c<idx>). */
export function journalledSeeds(root: string): Set<number> {
  const out = new Set<number>();
  if (!existsSync(root)) return out;
  for (const f of readdirSync(root, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith(".journal.jsonl")) continue;
    const m = /_N(\d+)_seed(\d+)\./.exec(f)!;
    for (const line of readFileSync(join(root, f), "utf8").split("\n")) {
      if (!line.includes('"t":"call"')) continue;
      let entry: { key: string };
      try {
        entry = JSON.parse(line) as { key: string };
      } catch {
        continue; // a torn last line is not a finished call
      }
      const k = /^g(\d+)\/c(\d+)$/.exec(entry.key)!;
      out.add(childSeed(Number(m[2]), Number(m[1]), Number(k[1]), Number(k[2])));
    }
  }
  return out;
}

/** `evoalloc worker` on the queue at `url` with small limits and a 2 s lock, so a killed worker's jobs move on quickly. */
export function startWorker(url: string, env: Record<string, string>, parallelLlm: number): Cli {
  return cli(
    [
      "worker",
      "--queue",
      url,
      "--parallel-runs",
      "2",
      "--parallel-llm",
      String(parallelLlm),
      "--parallel-eval",
      "1",
      "--lock-ms",
      "2000",
    ],
    env,
  );
}

/** The result files under `root` equal those under `expected`, wall-clock fields aside. */
export function assertSameResults(root: string, expected: string, count: number): void {
  const files = resultFiles(root);
  assert.equal(files.length, count);
  assert.deepEqual(files, resultFiles(expected));
  for (const f of files)
    assert.deepEqual(withoutClock(readResult(join(root, f))), withoutClock(readResult(join(expected, f))), f);
}

/** A greedy grid of two runs of 32 calls: small enough for a slow test, long enough to interrupt. */
export const SMALL_GRID = { greedy: [{ T: 8, N: 4, seeds: [1, 2] }] };

/** What a queue test of one `describe` shares: its Redis, endpoint, folder and the processes it started. */
export interface QueueFixture {
  dir: string;
  redis: RedisServer;
  llm: LlmServer;
  env: Record<string, string>;
  /** An `evoalloc worker` on the fixture's queue, killed at the end if still running. */
  worker(): Cli;
  /** Keeps `c` to be killed at the end if still running. */
  track(c: Cli): Cli;
}

/**
 * Registers `hooks.before`/`hooks.after` (node:test's, passed in so that this
 * helper declares no tests) in the calling `describe`: a redis-server and a
 * mutator endpoint of its own, and the local (no queue) run of `grid` in
 * `<dir>/local` to compare with. The returned object is filled by `before`.
 */
export function queueFixture(
  name: string,
  grid: Record<string, unknown>,
  parallelLlm: number,
  hooks: { before(fn: () => Promise<void>): void; after(fn: () => Promise<void>): void },
): QueueFixture {
  const started: Cli[] = [];
  const fx = {
    dir: mkdtempSync(join(tmpdir(), `${name}-`)),
    track(c: Cli): Cli {
      started.push(c);
      return c;
    },
    worker(): Cli {
      return fx.track(startWorker(fx.redis.url, fx.env, parallelLlm));
    },
  } as QueueFixture;
  hooks.before(async () => {
    fx.redis = await startRedis();
    fx.llm = await mutatorEndpoint(30);
    fx.env = { EVOALLOC_QUEUE_TEST_BASE: fx.llm.url };
    const local = await cli(
      ["run", "grid", "--config", writeGrid(fx.dir, "local.json", { output: "local", ...grid }), "--json"],
      fx.env,
    ).done;
    assert.equal(local.code, 0, local.stderr);
  });
  hooks.after(async () => {
    for (const c of started)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    await fx.llm?.close();
    await fx.redis?.close();
  });
  return fx;
}
