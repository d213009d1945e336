// Imported runs as replay pools (arms = runs, one round = one call) and as sweep-style reliability.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildImportedPools, importedReliability } from "../src/import/pools.ts";
import type { ImportSystem } from "../src/log/imported.ts";
import { replay } from "../src/replay/index.ts";
import { runCli } from "./cli.ts";
import { importedRecord } from "./imported-runs.ts";

/** An imported run whose call c scores fitness[c] (null: a failed call); params 1e9, 100 tokens a call. */
const imported = (system: ImportSystem, seed: number, fitness: (number | null)[], file?: string) =>
  importedRecord(system, seed, fitness, file === undefined ? {} : { file });

describe("imported pools", () => {
  it("one pool per (system, task, model); the longest run per seed; leading nulls take the pool's floor", () => {
    const recs = [
      imported("openevolve", 2, [null, 0.3, null, 0.5]),
      imported("openevolve", 1, [0.2, 0.1, 0.4]),
      imported("openevolve", 1, [0.2, 0.1], "short.json"),
      imported("llm4ad", 5, [null, -1, -0.5]),
    ];
    const pools = buildImportedPools(recs);
    assert.deepEqual(
      pools.map((p) => [p.system, p.N, p.seeds]),
      [
        ["llm4ad", 1, [5]],
        ["openevolve", 1, [1, 2]],
      ],
    );
    const oe = pools[1]!;
    assert.deepEqual(
      oe.curves.map((c) => [...c]),
      [
        [0.2, 0.2, 0.4],
        [0.2, 0.3, 0.3, 0.5],
      ],
    );
    assert.deepEqual(oe.depths, [2, 3]);
    assert.equal(oe.floored, 1);
    assert.equal(oe.warnings.length, 2);
    assert.match(oe.warnings[0]!, /seed 1 also in/);
    // replay accepts the pool: one round is one call
    const res = replay(oe, { K: 2, rounds: 3, bootstrap: 0, seed: 0, policies: ["ucb"] });
    assert.equal(res.references.oracle.mean, 0.5);
  });

  it("reliability at C calls: prefixes of longer runs, expected max, success rate, FLOPs of the first C calls", () => {
    const recs = [
      imported("openevolve", 1, [0.1, 0.2, 0.4]),
      imported("openevolve", 2, [0.1, 0.3, 0.3, 0.9]),
      imported("openevolve", 3, [0.1, 0.1]),
    ];
    const pool = buildImportedPools(recs)[0]!;
    const s = importedReliability(pool, recs, 2, 0.35);
    assert.deepEqual(s.seeds, [1, 2]);
    assert.deepEqual(s.finals, [0.4, 0.3]);
    assert.equal(s.n_prefix, 1);
    assert.equal(s.success_rate, 0.5);
    assert.deepEqual(s.expected_max, [0.35, 0.4]);
    assert.equal(s.mean_flops, 2 * 1e9 * 100 * 2);
    assert.equal(importedReliability(pool, recs, 4).n_runs, 0);
  });
});

describe("replay --system and sweep --system (CLI)", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "evoalloc-import-pools-"));
    await mkdir(join(dir, "cp", "m"), { recursive: true });
    for (let s = 0; s < 4; s++) {
      const rec = imported("shinkaevolve", s, [0.1, 0.1 + 0.1 * s, null, 0.2 + 0.05 * s, 0.25]);
      await writeFile(join(dir, "cp", "m", `shinkaevolve_C4_seed${s}.json`), JSON.stringify(rec.run));
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("replays the runs of one system as arms; sweeps their best after C calls", async () => {
    const r = await runCli([
      "replay",
      "--results",
      dir,
      "--system",
      "shinkaevolve",
      "--task",
      "cp",
      "--model",
      "m",
      "--K",
      "2",
      "--rounds",
      "4",
      "--json",
      "--bootstrap",
      "0",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as {
      N: number;
      pool: unknown[];
      references: { oracle: { mean: number } };
    };
    assert.equal(res.N, 1);
    assert.equal(res.pool.length, 4);
    const s = await runCli([
      "sweep",
      "--results",
      dir,
      "--system",
      "shinkaevolve",
      "--task",
      "cp",
      "--model",
      "m",
      "--C",
      "3",
      "--json",
      "--threshold",
      "0.3",
    ]);
    assert.equal(s.code, 0, s.stderr);
    const sw = JSON.parse(s.stdout) as {
      splits: { T: number; N: number; n_runs: number; success_rate: number; mean: number }[];
    };
    assert.deepEqual(
      sw.splits.map((x) => [x.T, x.N, x.n_runs, x.success_rate]),
      [[3, 1, 4, 0.5]],
    );
    // bad usage: a system with no runs, N ≠ 1, no --N without --system, C beyond every run
    const replayCp = ["--task", "cp", "--model", "m", "--K", "2", "--rounds", "4"];
    for (const args of [
      ["replay", "--results", dir, "--system", "llm4ad", ...replayCp],
      ["replay", "--results", dir, "--system", "shinkaevolve", "--N", "4", ...replayCp],
      ["replay", "--results", dir, ...replayCp],
      ["sweep", "--results", dir, "--system", "shinkaevolve", "--task", "cp", "--model", "m", "--C", "9"],
    ])
      assert.equal((await runCli(args)).code, 2, args.join(" "));
  });
});
