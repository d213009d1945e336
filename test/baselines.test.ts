// The report's baselines: imported systems beside greedy and bandit runs at equal calls and equal FLOPs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baselineTable, evoallocUnit, importedUnit } from "../src/analysis/baselines.ts";
import { syntheticRecord } from "../src/replay/synthetic.ts";
import { importedRecord } from "./imported-runs.ts";

const imported = (seed: number, fitness: number[], tokens: boolean) =>
  importedRecord("openevolve", seed, fitness, { file: `oe${seed}.json`, tokens: tokens ? [50, 50] : null });

const round = (x: number): number => Number(x.toFixed(12));

// greedy: N = 2, T = 4 (C = 8), one child of 100 tokens per generation at 1e9 params → 2e11 FLOPs a generation
const greedyCurve = [0.1, 0.3, 0.5, 0.6, 0.8];
const greedy = [0, 1, 2].map((s) =>
  syntheticRecord({
    task: "cp",
    model: "m",
    N: 2,
    seed: s,
    curve: greedyCurve,
    paramsActive: 1e9,
    tokens: 100,
  }),
);
// imported: 10 calls of 100 tokens → 2e11 FLOPs a call
const oeCurve = [0.1, 0.2, 0.2, 0.4, 0.4, 0.5, 0.5, 0.55, 0.7, 0.7, 1];

describe("baselineTable", () => {
  it("puts every system side by side at equal calls, with threshold-reaching, then at equal FLOPs", () => {
    const units = [
      ...greedy.map(evoallocUnit),
      ...[5, 6].map((s) => importedUnit(imported(s, oeCurve, true))),
    ];
    const { rows, notes } = baselineTable(units, { replicates: 200, seed: 1 });
    assert.deepEqual(notes, []);
    const calls = rows.filter((r) => r.axis === "calls");
    assert.deepEqual(
      calls.map((r) => [r.budget, r.kind, r.method, r.n_runs, round(r.mean)]),
      [
        [8, "greedy", "greedy N=2", 3, 0.8],
        [8, "imported", "openevolve", 2, 0.7],
      ],
    );
    // τ = 0.9 × the best any run reached (1.0); identical curves: the first step at or above τ, or none
    assert.equal(calls[0]!.tau, 0.9);
    assert.equal(calls[0]!.reach_calls, null);
    assert.equal(round(calls[0]!.ci95_lo!), 0.8);
    assert.equal(calls[0]!.mean_flops, 8e11);
    assert.equal(calls[1]!.mean_flops, 1.6e12);
    const flops = rows.filter((r) => r.axis === "flops");
    // equal FLOPs: the smaller spend (greedy's 8e11) → openevolve after 4 calls
    assert.deepEqual(
      flops.map((r) => [r.budget, r.method, round(r.mean)]),
      [
        [8e11, "greedy N=2", 0.8],
        [8e11, "openevolve", 0.4],
      ],
    );
  });

  it("threshold-reaching in calls; no FLOPs comparison without tokens; tasks without both sides are left out", () => {
    const units = [
      ...greedy.map(evoallocUnit),
      ...[5, 6].map((s) =>
        importedUnit(
          imported(
            s,
            oeCurve.map((x, c) => (c >= 2 ? 1 : x)),
            false,
          ),
        ),
      ),
      importedUnit({
        ...imported(7, oeCurve, false),
        run: { ...imported(7, oeCurve, false).run, task: "other" },
      }),
    ];
    const { rows } = baselineTable(units, { replicates: 100, seed: 2 });
    assert.ok(rows.every((r) => r.task === "cp" && r.axis === "calls"));
    const oe = rows.find((r) => r.method === "openevolve")!;
    assert.equal(oe.reach_calls, 2);
    assert.equal(oe.mean_flops, null);
    assert.equal(baselineTable(greedy.map(evoallocUnit), { replicates: 10, seed: 0 }).rows.length, 0);
  });
});
