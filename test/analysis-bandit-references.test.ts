/**
 * Beside each online bandit run, the single, uniform and oracle values of the
 * same arm set at its rounds: equal to what replay computes for that arm set
 * (`replay --subset <arm seeds>`), on every shipped bandit run; drawn in the
 * bandit figure and written as tables/bandit_references.csv.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as vl from "vega-lite";
import { banditReferences } from "../src/analysis/bandit-references.ts";
import { banditRunningBestData, banditRunningBestSpec } from "../src/analysis/figures/bandit.ts";
import type { BanditRun } from "../src/log/schema.ts";
import { buildPools, replay } from "../src/replay/index.ts";
import { readTree } from "./analysis-fixtures.ts";

describe("bandit references (shipped results/, ~10 s)", async () => {
  const { tables, runs } = await readTree(["results"]);
  const pools = buildPools(runs);

  it("one row per shipped bandit run, equal to replay's references of the same arms", () => {
    const { rows, notes } = banditReferences(tables);
    const bandits = runs.filter((r) => r.kind === "bandit");
    assert.equal(rows.length, bandits.length);
    assert.deepEqual(notes, []);
    for (const rec of bandits) {
      const run = rec.run as BanditRun;
      const row = rows.find(
        (r) => r.task === run.task && r.algo === run.algo && r.bandit_seed === run.bandit_seed,
      )!;
      const pool = pools.find((p) => p.task === run.task && p.model === run.model && p.N === run.N)!;
      const res = replay(pool, {
        K: run.n_arms,
        rounds: run.T_total,
        policies: ["ucb"],
        subset: run.arm_seeds,
        bootstrap: 0,
      });
      assert.equal(row.rounds, run.T_total);
      assert.equal(row.online, run.final_best_fitness);
      assert.equal(row.uniform, res.references.uniform.mean, rec.file);
      assert.equal(row.single, res.references.single.mean, rec.file);
      assert.equal(row.oracle, res.references.oracle.mean, rec.file);
      assert.equal(row.capped, false);
      assert.ok(row.oracle >= row.single && row.oracle >= row.uniform);
    }
  });

  it("the bandit figure draws them beside the runs, and its spec compiles", () => {
    const d = banditRunningBestData({ tables } as Parameters<typeof banditRunningBestData>[0]);
    assert.ok("rows" in d);
    const marks = d.rows.filter((r) => "reference" in r);
    assert.equal(marks.length, 3 * 3); // three settings (cp, mmd, ht) × single, uniform, oracle
    const spec = banditRunningBestSpec(d.rows);
    const layers = (spec as { spec: { layer: { mark: { type: string } }[] } }).spec.layer;
    assert.deepEqual(
      layers.map((l) => l.mark.type),
      ["area", "line", "rule", "text"],
    );
    vl.compile(spec);
  });

  it("a run whose arm seeds have no greedy run gets a note, not a row", () => {
    const t = { ...tables, generations: tables.generations.filter("d => d.seed !== 44") };
    const { rows, notes } = banditReferences(t);
    assert.equal(rows.length, 0);
    assert.equal(notes.length, 36);
    assert.match(notes[0]!, /no greedy run of arm seed\(s\) 44 with .* no references/);
  });
});
