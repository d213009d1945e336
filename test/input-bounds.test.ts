/**
 * Bounds on input (issue 11, item 14): hostile files and flags give one
 * clear line and exit 2 (flags) or a per-file problem (files), never a crash,
 * a silently changed value, or gigabytes of memory. The CLI runs in-process.
 * The gzip bomb: input-bounds-bomb.slow.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { maxThreads } from "../src/cli/options.ts";
import { nestedDeeperThan } from "../src/log/json.ts";
import { loadResults, MAX_JSON_DEPTH } from "../src/log/read.ts";
import { replayMemoryBytes } from "../src/replay/index.ts";
import { runCli } from "./cli.ts";
import { syntheticTree as tree } from "./synthetic-tree.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "evoalloc-bounds-"));

/** A valid greedy run with an extra field holding an array nested `depth` deep. */
function deepRun(depth: number): string {
  const run = JSON.parse(
    readFileSync("test/fixtures/reference/cp/qwen3-8b/greedy_C64_T16_N4_seed45.json", "utf8"),
  );
  return JSON.stringify(run).replace(/}$/, `, "extra": ${"[".repeat(depth)}${"]".repeat(depth)}}`);
}

describe("the log reader's caps", () => {
  it(`a file nesting deeper than ${MAX_JSON_DEPTH} levels is one problem, in every reader, and report does not crash`, async () => {
    assert.equal(nestedDeeperThan([[1]], 1), true);
    assert.equal(nestedDeeperThan([[1]], 2), false);
    assert.equal(nestedDeeperThan({ a: { b: [] } }, 3), false);
    assert.equal(nestedDeeperThan(7, 0), false);
    const dir = tree({ "deep.json": deepRun(8000), "fine.json": deepRun(20) });
    const loaded = await loadResults([dir]);
    assert.deepEqual(
      loaded.problems.map((p) => [p.file.split("/").pop(), p.message]),
      [["deep.json", `nests arrays/objects more than ${MAX_JSON_DEPTH} levels deep (the reader's cap)`]],
    );
    assert.equal(loaded.runs.length, 7); // the six and fine.json
    // validate on a worker thread (the scan path) reports it too
    const v = await runCli(["validate", dir, "--json", "--threads", "1"]);
    assert.equal(v.code, 1, v.stderr);
    assert.equal((JSON.parse(v.stdout) as { invalid: number }).invalid, 1);
    const out = join(tmp(), "report");
    const r = await runCli([
      "report",
      "--results",
      dir,
      "--out",
      out,
      "--format",
      "html",
      "--json",
      "--no-progress",
    ]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.doesNotMatch(r.stderr, /Maximum call stack/);
    assert.ok(
      (JSON.parse(r.stdout) as { problem_files: string[] }).problem_files.some((f) =>
        f.endsWith("deep.json"),
      ),
    );
  });
});

describe("bounded flags", () => {
  it("an integer flag beyond the safe range is refused, not rounded (exit 2)", async () => {
    const out = join(tmp(), "a.json");
    for (const args of [
      [
        "run",
        "greedy",
        "--task",
        "cp",
        "--model",
        "mutator",
        "--T",
        "1",
        "--N",
        "1",
        "--output",
        out,
        "--seed",
        "99999999999999999999",
      ],
      [
        "run",
        "bandit",
        "--task",
        "cp",
        "--model",
        "mutator",
        "--algo",
        "ucb",
        "--T",
        "1",
        "--N",
        "1",
        "--output",
        out,
        "--bandit-seed",
        "99999999999999999999",
      ],
      [
        "replay",
        "--results",
        "results",
        "--task",
        "cp",
        "--model",
        "mutator",
        "--N",
        "4",
        "--K",
        "5",
        "--rounds",
        "99999999999999999999",
      ],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /9007199254740991/);
      assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
    }
  });

  it("replay --rounds 1e9 is refused by its memory estimate (exit 2, one line, no stack trace)", async () => {
    const dir = tree();
    const r = await runCli([
      "replay",
      "--results",
      dir,
      "--task",
      "cp",
      "--model",
      "m1",
      "--N",
      "4",
      "--K",
      "3",
      "--rounds",
      "1e9",
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /--rounds\/--K\/--max-instances: this replay \(G = 1000000000, K = 3, 9 policies\) would need about \d+ GB/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    // the estimate is small for ordinary replays and grows with G, K and the instances
    assert.ok(replayMemoryBytes({ seeds: 20, K: 5, rounds: 64, policies: 9 }) < 100 * 1024 ** 2);
    assert.ok(replayMemoryBytes({ seeds: 20, K: 5, rounds: 1e6, policies: 9 }) > 24 * 1024 ** 3);
    assert.ok(
      replayMemoryBytes({ seeds: 20, K: 5, rounds: 1e9, policies: 1, subset: true }) > 1e10,
      "a subset replay still holds per-round arrays",
    );
  });

  it(`--threads above 4 × cores (${maxThreads()}) is refused (exit 2)`, async () => {
    for (const cmd of ["summarize", "validate"]) {
      const r = await runCli([cmd, "test/fixtures/reference", "--threads", "1000"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`--threads: at most ${maxThreads()} \\(4 × \\d+ cores\\), got 1000`));
    }
    const ok = await runCli([
      "summarize",
      "test/fixtures/reference",
      "--threads",
      String(maxThreads()),
      "--json",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});

describe("commands name the files they could not use", () => {
  const dir = tree({ "broken.json": '{"trajectory": [', "deep.json": deepRun(500) });
  for (const [cmd, args] of [
    ["replay", ["--task", "cp", "--model", "m1", "--N", "4", "--K", "3", "--rounds", "4", "--json"]],
    ["sweep", ["--task", "cp", "--model", "m1", "--C", "32", "--json"]],
    ["fit", ["--json", "--bootstrap", "0"]],
  ] as const)
    it(cmd, async () => {
      const r = await runCli([cmd, "--results", dir, ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /2 file\(s\) under .* could not be used and were left out/);
      assert.match(r.stderr, /broken\.json: not valid JSON/);
      assert.match(r.stderr, /deep\.json: nests arrays\/objects more than 128 levels deep/);
      JSON.parse(r.stdout); // stdout stays JSON only
    });
});
