import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { analyse } from "../src/analysis/analysis.ts";
import { fitsReport, fitsText } from "../src/analysis/fits.ts";
import { longestCurves, splitOutcomes } from "../src/analysis/splits.ts";
import { buildTables, collectTables, type Tables } from "../src/analysis/tables.ts";
import { loadResults, readResults } from "../src/log/read.ts";
import { DEFAULT_TASKS, greedyRun, writeTree } from "./analysis-fixtures.ts";
import { attempt, child, greedyRun as logGreedyRun } from "./log-fixtures.ts";

let dir: string;
let tables: Tables;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "evoalloc-tables-"));
  writeTree(dir, {
    budgets: [16, 64],
    seeds: [0, 1, 2],
    deep: { T: 32, N: 4, seeds: [0, 1, 2, 3] },
    bandits: { algos: ["ucb"], C: 32, N: 4, K: 3, seeds: [0] },
  });
  tables = await collectTables(readResults([dir]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("tables: one row per run, per generation, per child, per bandit run and round", () => {
  // per task: C=16 → T=1,2,4 (3 splits), C=64 → T=1..16 (5 splits), 3 seeds each, plus 4 deep runs
  const perTask = (3 + 5) * 3 + 4;
  assert.equal(tables.runs.numRows(), 2 * perTask);
  const runs = tables.runs.objects() as { T: number; N: number; depth: number; calls: number }[];
  const gens = runs.reduce((s, r) => s + r.T + 1, 0);
  assert.equal(tables.generations.numRows(), gens);
  assert.equal(
    tables.children.numRows(),
    runs.reduce((s, r) => s + r.T * r.N, 0),
  );
  for (const r of runs) assert.equal(r.calls, r.T * r.N);
  assert.equal(tables.bandits.numRows(), 2);
  assert.equal(tables.rounds.numRows(), 2 * (32 / 4));
  assert.equal(tables.problems.length, 0);
});

test("generations carry cumulative calls and FLOPs that end at the run totals", () => {
  const run = greedyRun(DEFAULT_TASKS[0]!, 3, 4, 9);
  const t = buildTables([
    { kind: "greedy", file: "x.json", run, warnings: [], flops: {} as never, bytes: 0 },
  ]);
  const g = t.generations.objects() as {
    generation: number;
    calls: number;
    flops_worst_case: number;
    flops_exclude: number;
  }[];
  assert.deepEqual(
    g.map((r) => r.calls),
    [0, 4, 8, 12],
  );
  assert.equal(g[0]!.flops_worst_case, 0);
  const last = g.at(-1)!;
  assert.ok(
    Math.abs(last.flops_worst_case - run.flops.worst_case.total_flops) < 1e-6 * last.flops_worst_case,
  );
  assert.ok(Math.abs(last.flops_exclude - run.flops.exclude.total_flops) < 1e-6 * last.flops_exclude);
  for (let i = 1; i < g.length; i++) assert.ok(g[i]!.flops_worst_case >= g[i - 1]!.flops_worst_case);
});

test("children's token columns count the ok attempts FLOPs count, as the run's sum_*_tokens do", () => {
  const billed = { prompt_tokens: 70, completion_tokens: 30, total_tokens: 100 };
  const run = logGreedyRun([
    [
      child(0, 0.5, [
        attempt({ status: "error:APIError", usage: billed, latency_s: 2 }),
        attempt({
          attempt_idx: 1,
          latency_s: 0.5,
          usage: { ...billed, prompt_tokens_details: { cached_tokens: 20 } },
        }),
      ]),
      child(1, null, [attempt({ status: "timeout", timed_out: true, usage: billed, latency_s: 3 })]),
    ],
  ]);
  const t = buildTables([
    { kind: "greedy", file: "x.json", run, warnings: [], flops: {} as never, bytes: 0 },
  ]);
  const kids = t.children.objects() as Record<string, number>[];
  assert.deepEqual(
    kids.map((k) => [k.prompt_tokens, k.completion_tokens, k.cached_tokens, k.latency_s]),
    [
      [70, 30, 20, 2.5],
      [0, 0, 0, 3],
    ],
  );
  const sum = run.flops.worst_case;
  assert.deepEqual(
    [sum.sum_prompt_tokens, sum.sum_completion_tokens, sum.sum_cached_prompt_tokens],
    [70, 30, 20],
  );
});

test("split outcomes: exact runs preferred, deeper runs add prefixes, each seed once per split", () => {
  const o = splitOutcomes(tables).filter((x) => x.task === "cp");
  // C=64, T=16, N=4: seeds 0-2 exact, seed 3 only from the deep T=32 run
  const s = o.filter((x) => x.C === 64 && x.T === 16);
  assert.deepEqual(
    s.map((x) => [x.seed, x.exact]),
    [
      [0, true],
      [1, true],
      [2, true],
      [3, false],
    ],
  );
  const keys = o.map((x) => `${x.C}/${x.T}/${x.seed}`);
  assert.equal(new Set(keys).size, keys.length);
  // a prefix equals the exact run's final fitness for the same seed (child seeds do not depend on T)
  const deep = longestCurves(tables).find((c) => c.task === "cp" && c.N === 4 && c.seed === 0)!;
  assert.equal(deep.best.length, 33);
  assert.equal(s[0]!.fitness, deep.best[16]);
});

test("fits on a tree with two budgets: bilinear fittable, learning curves per N, envelope notes for zero-FLOP models", () => {
  const a = analyse(tables);
  assert.equal(a.bilinear.length, 2);
  assert.ok(a.bilinear.every((c) => c.fittable));
  const f = fitsReport(a);
  assert.ok(f.learning.some((l) => l.N === 4 && l.fittable));
  assert.ok(f.envelope.notes.some((n) => n.includes("mutator")));
  assert.match(fitsText(f), /interaction vs additive: F\(1, \d+\)/);
});

test("empty input gives empty tables and no fits", async () => {
  const empty = mkdtempSync(join(tmpdir(), "evoalloc-empty-"));
  try {
    const loaded = await loadResults([empty]);
    const a = analyse(buildTables(loaded.runs));
    assert.equal(a.tables.runs.numRows(), 0);
    assert.deepEqual(a.bilinear, []);
    assert.deepEqual(a.envelope.frontier, []);
    assert.match(fitsText(fitsReport(a)), /no greedy runs/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
