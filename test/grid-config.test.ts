import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { expandGrid, fieldPath, parseGridConfig, powerOfTwoSplits } from "../src/run/grid/grid-config.ts";
import { runCli } from "./cli.ts";

describe("grid config", () => {
  it("lists the power-of-two splits of a budget", () => {
    assert.deepEqual(powerOfTwoSplits(16, 4), [
      { T: 1, N: 16 },
      { T: 2, N: 8 },
      { T: 4, N: 4 },
    ]);
    assert.deepEqual(powerOfTwoSplits(1), [{ T: 1, N: 1 }]);
    assert.deepEqual(powerOfTwoSplits(8, 16), []);
  });

  it("expands the shipped grid: 426 runs, 80,256 calls, deep runs shared with the C=256 split", () => {
    const cfg = parseGridConfig(JSON.parse(readFileSync("results/grid.json", "utf8")), "results/grid.json");
    const runs = expandGrid(cfg, ".json.gz");
    const greedy = runs.filter((r) => r.kind === "greedy");
    const bandit = runs.filter((r) => r.kind === "bandit");
    // (5 splits at C=64 + 7 at C=256) × 10 seeds + 10 more deep seeds, × 3 tasks
    assert.equal(greedy.length, (5 + 7) * 10 * 3 + 10 * 3);
    assert.equal(bandit.length, 4 * 3 * 3);
    assert.equal(new Set(runs.map((r) => r.path)).size, runs.length);
    assert.equal(
      runs.reduce((s, r) => s + r.calls, 0),
      3 * (5 * 10 * 64 + 7 * 10 * 256 + 10 * 256) + 36 * 256,
    );
    assert.ok(runs.some((r) => r.path === join("cp", "mutator", "greedy_C256_T64_N4_seed59.json.gz")));
    assert.ok(
      runs.some((r) => r.path === join("bandit", "ht", "mutator", "thompson_C256_T64_K5_seed2.json.gz")),
    );
    // deeper budgets first, bandit runs last
    assert.equal(runs[0]!.calls, 256);
    assert.equal(runs.at(-1)!.kind, "bandit");
  });

  it("names the field of the first problem", () => {
    const bad = (json: unknown) => {
      try {
        parseGridConfig(json, "g.json");
      } catch (err) {
        return (err as Error).message;
      }
      return "no error";
    };
    const base = { tasks: ["cp"], models: ["mutator"] };
    assert.match(bad({ models: ["m"] }), /^g\.json: tasks: /);
    assert.match(bad({ ...base, greedy: [{ C: 64 }] }), /^g\.json: greedy\[0\]\.seeds: /);
    assert.match(
      bad({ ...base, greedy: [{ C: [64, 48], seeds: [1] }] }),
      /greedy\[0\]\.C\[1\]: must be a power of two/,
    );
    assert.match(bad({ ...base, greedy: [{ T: 4, seeds: [1] }] }), /greedy\[0\]\.N: T and N go together/);
    assert.match(bad({ ...base, greedy: [{ seeds: [1] }] }), /greedy\[0\]\.C: give C/);
    assert.match(bad({ ...base, greedy: [{ T: 2, N: 2, seeds: [-1] }] }), /greedy\[0\]\.seeds/);
    assert.match(
      bad({ ...base, bandit: [{ algos: ["ucb"], n_arms: 5, C: 10, N: 4, bandit_seeds: [0] }] }),
      /bandit\[0\]\.C: must be a multiple of N/,
    );
    assert.match(bad({ ...base, parallel_llm: 0 }), /parallel_llm: must be a positive integer/);
    assert.match(bad({ ...base, typo: 1 }), /^g\.json: \(root\): .*typo/);
    assert.equal(fieldPath(["a", 0, "b"]), "a[0].b");
  });
});

describe("evoalloc run grid: bad configs exit 2 with one line naming the field", () => {
  const dir = mkdtempSync(join(tmpdir(), "grid-cfg-"));
  const run = async (cfg: unknown) => {
    const file = join(dir, "g.json");
    writeFileSync(file, typeof cfg === "string" ? cfg : JSON.stringify(cfg));
    return await runCli(["run", "grid", "--config", file, "--dry-run"]);
  };
  const cases: [string, unknown, RegExp][] = [
    ["not JSON", "{oops", /g\.json: not valid JSON/],
    [
      "a bad field",
      { tasks: ["cp"], models: ["mutator"], greedy: [{ C: 64, seeds: "x" }] },
      /greedy\[0\]\.seeds/,
    ],
    ["an unknown task", { tasks: ["cp", "nope"], models: ["mutator"] }, /tasks\[1\]: .*nope/],
    ["an unknown model", { tasks: ["cp"], models: ["gpt-9"] }, /models\[0\]: unknown model "gpt-9"/],
    [
      "an unknown policy",
      {
        tasks: ["cp"],
        models: ["mutator"],
        bandit: [{ algos: ["ucb", "zzz"], n_arms: 2, C: 8, N: 4, bandit_seeds: [0] }],
      },
      /bandit\[0\]\.algos\[1\]: .*zzz/,
    ],
  ];
  for (const [name, cfg, re] of cases)
    it(name, async () => {
      const r = await run(cfg);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    });

  it("--dry-run counts the runs and calls", async () => {
    const r = await runCli([
      "run",
      "grid",
      "--config",
      "results/grid.json",
      "--dry-run",
      "--json",
      "--output",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { runs: number; calls: number; to_run: number };
    assert.equal(out.runs, 426);
    assert.equal(out.calls, 80256);
    assert.equal(out.to_run, 426);
  });
});
