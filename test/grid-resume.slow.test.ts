/**
 * `run grid` on a tiny grid against the dry-run endpoint (an OpenAI-provider
 * model, so every call shows in the server's request log): killed with
 * SIGKILL mid-grid, then rerun. Finished runs are skipped (files untouched),
 * interrupted runs resume from their journals, no finished call is asked
 * again, and the results equal those of an uninterrupted grid.
 * Slow-ish (~10 s: two grids of 96 calls on the real mmd evaluator).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import type { GreedyRun } from "../src/log/schema.ts";
import { childSeed } from "../src/run/seeds.ts";
import { type RequestLogEntry, startServer } from "../src/serve/index.ts";

const dir = mkdtempSync(join(tmpdir(), "grid-resume-"));
const SEEDS = [1, 2];
const SPLITS = [
  { T: 1, N: 16 },
  { T: 2, N: 8 },
  { T: 4, N: 4 },
];
writeFileSync(
  join(dir, "models.json"),
  JSON.stringify([
    { key: "dry", name: "dry-model", params_active: 1e9, api_base_env: "EVOALLOC_GRID_TEST_BASE" },
  ]),
);
const config = (out: string) => ({
  output: out,
  tasks: ["mmd"],
  models: ["dry"],
  models_file: "models.json",
  greedy: [{ C: 16, min_N: 4, seeds: SEEDS }],
  parallel_llm: 4,
  parallel_eval: 2,
  parallel_runs: 2,
  retries: 0,
});
writeFileSync(join(dir, "a.json"), JSON.stringify(config("a")));
writeFileSync(join(dir, "b.json"), JSON.stringify(config("b")));

const log: RequestLogEntry[] = [];
// the runs' calls (each has a seed), not the grid's 1-token preflight request
const server = await startServer({
  port: 0,
  latencyMs: 15,
  onRequest: (e) => {
    if (e.seed !== null) log.push(e);
  },
});
after(() => server.close());

function grid(cfg: string): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn("node", ["bin/evoalloc.js", "run", "grid", "--config", join(dir, cfg), "--json"], {
    env: { ...process.env, EVOALLOC_GRID_TEST_BASE: server.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  return {
    child,
    done: new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr }))),
  };
}

const files = (root: string): string[] =>
  existsSync(root)
    ? readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json.gz"))
    : [];
const read = (file: string): GreedyRun =>
  JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as GreedyRun;

/** Seeds of the calls finished (journalled) in the journals under `root`. */
function journalledSeeds(root: string): Set<number> {
  const out = new Set<number>();
  for (const f of readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".journal.jsonl"),
  )) {
    // a journal next to a finished result (killed between the two writes) is obsolete
    if (existsSync(join(root, f.replace(/\.journal\.jsonl$/, ".gz")))) continue;
    const m = /_N(\d+)_seed(\d+)\./.exec(f)!;
    const N = Number(m[1]);
    const seed = Number(m[2]);
    for (const line of readFileSync(join(root, f), "utf8").split("\n")) {
      if (!line.includes('"t":"call"')) continue;
      let entry: { key: string };
      try {
        entry = JSON.parse(line) as { key: string };
      } catch {
        continue; // a torn last line is not a finished call
      }
      const k = /^g(\d+)\/c(\d+)$/.exec(entry.key)!;
      out.add(childSeed(seed, N, Number(k[1]), Number(k[2])));
    }
  }
  return out;
}

describe("run grid: killed and resumed (slow, ~10 s)", () => {
  it("skips finished runs, resumes interrupted ones, repeats no finished call, matches an uninterrupted grid", async () => {
    const allSeeds = SPLITS.flatMap(({ T, N }) =>
      SEEDS.flatMap((s) =>
        Array.from({ length: T * N }, (_, i) => childSeed(s, N, Math.floor(i / N) + 1, i % N)),
      ),
    );
    assert.equal(new Set(allSeeds).size, 96, "every call of this grid has its own seed");

    // phase 1: kill -9 once some runs are finished and others are under way
    const rootA = join(dir, "a");
    const first = grid("a.json");
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (files(rootA).length >= 2 && log.length >= 40 && log.length < 90) {
          clearInterval(t);
          resolve();
        } else if (log.length >= 90) {
          clearInterval(t);
          reject(new Error("the grid finished before it could be killed"));
        }
      }, 5);
    });
    first.child.kill("SIGKILL");
    await first.done;
    const doneBefore = files(rootA);
    const mtimes = new Map(doneBefore.map((f) => [f, statSync(join(rootA, f)).mtimeMs]));
    const finished = journalledSeeds(rootA);
    const completedRunSeeds = new Set(
      doneBefore.flatMap((f) =>
        read(join(rootA, f)).trajectory.flatMap((g) => g.children.map((c) => c.seed)),
      ),
    );
    const phase1 = log.length;
    assert.ok(
      doneBefore.length >= 2 && doneBefore.length < 6,
      `${doneBefore.length} runs finished before the kill`,
    );
    assert.ok(finished.size > 0, "an interrupted run has journalled calls");

    // phase 2: the same command again
    const second = await grid("a.json").done;
    assert.equal(second.code, 0, second.stderr);
    const summary = JSON.parse(second.stdout) as {
      runs: Record<string, number>;
      calls: Record<string, number>;
    };
    assert.equal(summary.runs.total, 6);
    assert.equal(summary.runs.skipped, doneBefore.length);
    assert.equal(summary.runs.run, 6 - doneBefore.length);
    assert.ok(summary.runs.resumed! >= 1);
    assert.equal(summary.calls.replayed, finished.size);
    for (const f of doneBefore)
      assert.equal(statSync(join(rootA, f)).mtimeMs, mtimes.get(f), `${f} untouched`);

    const asked2 = log.slice(phase1).map((e) => e.seed!);
    assert.equal(new Set(asked2).size, asked2.length, "no call asked twice after the restart");
    for (const s of asked2) {
      assert.ok(!finished.has(s), `finished call ${s} asked again`);
      assert.ok(!completedRunSeeds.has(s), `call ${s} of a finished run asked again`);
    }
    assert.deepEqual(new Set(log.map((e) => e.seed)), new Set(allSeeds), "every call was answered");
    assert.equal(files(rootA).length, 6);
    assert.equal(
      readdirSync(rootA, { recursive: true, encoding: "utf8" }).filter((f) => f.includes("journal")).length,
      0,
    );

    // an uninterrupted grid gives the same results (wall-clock fields aside)
    const third = await grid("b.json").done;
    assert.equal(third.code, 0, third.stderr);
    const strip = (r: GreedyRun) =>
      r.trajectory.map((g) => [g.best_fitness, g.children.map((c) => [c.seed, c.fitness, c.code_sha256])]);
    for (const f of files(rootA)) {
      const a = read(join(rootA, f));
      const b = read(join(dir, "b", f));
      assert.deepEqual(strip(a), strip(b), f);
      assert.equal(a.final_fitness, b.final_fitness);
      assert.equal(a.final_program, b.final_program);
    }
  });
});
