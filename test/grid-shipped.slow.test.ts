/**
 * The shipped data set: complete (every run of results/grid.json has its
 * file), small (< 30 MB), valid under `evoalloc validate`, made by the
 * mutator (0 FLOPs), and regenerated exactly by the grid (one run redone
 * here, wall-clock fields aside). Only the files results/grid.json makes
 * are checked: other files a user left under results/ are not the shipped
 * data set. Slow-ish (~15 s).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import type { BanditRun, GreedyRun } from "../src/log/schema.ts";
import { expandGrid, parseGridConfig } from "../src/run/grid/grid-config.ts";
import { existingResult } from "../src/run/grid/plan.ts";
import { journalPath } from "../src/run/journal.ts";
import { loadTask } from "../src/run/tasks.ts";

const cfg = parseGridConfig(JSON.parse(readFileSync("results/grid.json", "utf8")), "results/grid.json");
/** The shipped files: exactly those results/grid.json makes. */
const shipped = expandGrid(cfg, ".json.gz").map(
  (r) => existingResult("results", r.path) ?? join("results", r.path),
);
const read = (file: string): unknown => JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"));

describe("the shipped results/ (slow, ~15 s)", () => {
  it("has every run of results/grid.json, under 30 MB in all", () => {
    const runs = expandGrid(cfg, ".json.gz");
    const missing = runs.filter((r) => existingResult("results", r.path) === null).map((r) => r.path);
    assert.deepEqual(missing, []);
    const journals = shipped.filter((f) => existsSync(journalPath(f)));
    assert.deepEqual(journals, [], "no journal left behind");
    const bytes = shipped.reduce((s, f) => s + statSync(f).size, 0);
    assert.ok(bytes < 30 * 1024 ** 2, `${bytes} bytes`);
  });

  it("passes evoalloc validate", () => {
    const r = spawnSync("node", ["bin/evoalloc.js", "validate", ...shipped, "--json"], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 ** 2,
    });
    assert.equal(r.status, 0, r.stdout.slice(0, 2000) + r.stderr.slice(0, 2000));
    const out = JSON.parse(r.stdout) as { valid: number; invalid: number };
    assert.equal(out.invalid, 0);
    assert.equal(out.valid, 426);
  });

  it("was made by the mutator: 0 FLOPs, tokens recorded, best program kept", () => {
    const g = read("results/cp/mutator/greedy_C256_T64_N4_seed40.json.gz") as GreedyRun;
    assert.equal(g.model, "mutator");
    assert.equal(g.flops.params_active, 0);
    assert.equal(g.flops.worst_case.total_flops, 0);
    assert.ok(g.flops.worst_case.sum_prompt_tokens > 0);
    assert.ok(g.final_fitness > g.trajectory[0]!.best_fitness);
    assert.ok(typeof g.final_program === "string" && g.final_program.includes("def construct_packing"));
    const b = read("results/bandit/mmd/mutator/ucb_C256_T64_K5_seed0.json.gz") as BanditRun;
    assert.deepEqual(b.arm_seeds, [40, 41, 42, 43, 44]);
    assert.equal(b.total_flops_worst_case, 0);
    assert.equal(b.selections.length, 64);
  });

  it("starts every greedy run from the current tasks' initial programs", () => {
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    const initial = new Map(cfg.tasks.map((t) => [t, sha(loadTask(t).initialProgram)]));
    for (const r of expandGrid(cfg, ".json.gz")) {
      if (r.kind !== "greedy") continue;
      const run = read(join("results", r.path)) as GreedyRun;
      assert.equal(
        run.trajectory[1]!.parent_sha256,
        initial.get(r.task),
        `${r.path} was made from another tasks/${r.task}/initial_program.py: regenerate the data set`,
      );
    }
  });

  it("regenerates exactly: one run redone by the grid equals the shipped file", () => {
    const dir = mkdtempSync(join(tmpdir(), "regen-"));
    const file = join(dir, "grid.json");
    writeFileSync(
      file,
      JSON.stringify({ tasks: ["mmd"], models: ["mutator"], greedy: [{ T: 16, N: 4, seeds: [41] }] }),
    );
    const r = spawnSync("node", ["bin/evoalloc.js", "run", "grid", "--config", file, "--json"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const path = "mmd/mutator/greedy_C64_T16_N4_seed41.json.gz";
    const strip = (run: GreedyRun) => {
      const out = structuredClone(run) as Record<string, unknown> & GreedyRun;
      out.wall_time_seconds = 0;
      out.config = {};
      for (const g of out.trajectory) {
        g.gen_time_s = 0;
        for (const c of g.children) for (const a of c.attempts) a.latency_s = 0;
      }
      return out;
    };
    assert.deepEqual(
      strip(read(join(dir, path)) as GreedyRun),
      strip(read(join("results", path)) as GreedyRun),
    );
  });
});
