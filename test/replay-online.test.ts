/**
 * Online ≡ offline: a replay over an online bandit run's own arms, with its
 * bandit seed, makes the run's selections and reaches its final value, for
 * every policy and both random streams (evoalloc's, CPython's). Checked on
 * runs made here against fakes and on every shipped bandit run under
 * results/ (whose arms are prefixes of the shipped deep greedy runs).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadResults, type RunRecord } from "../src/log/read.ts";
import type { BanditRun } from "../src/log/schema.ts";
import { REFERENCE_POLICIES } from "../src/policies/index.ts";
import { RNG_KINDS } from "../src/policies/stream.ts";
import { buildPools, type Pool, replay } from "../src/replay/index.ts";
import { banditPolicy, runBandit } from "../src/run/bandit.ts";
import { runCli } from "./cli.ts";
import { deps, FakeEvaluator, model, parentScore, request, ScriptedClient, task } from "./run-fakes.ts";

/** A pool made of a bandit run's arms (each arm's curve as logged online). */
function armPool(run: BanditRun): Pool {
  const order = run.arm_seeds.map((s, a) => ({ s, a })).sort((x, y) => x.s - y.s);
  const curves = order.map(({ a }) =>
    Float64Array.from(run.arm_results[a]!.trajectory, (g) => g.best_fitness),
  );
  return {
    task: run.task,
    model: run.model,
    N: run.N,
    seeds: order.map(({ s }) => s),
    curves,
    depths: curves.map((c) => c.length - 1),
    files: order.map(() => "online"),
    warnings: [],
  };
}

const replayOf = (run: BanditRun, pool: Pool, rng: "evoalloc" | "python") =>
  replay(pool, {
    K: run.n_arms,
    rounds: run.selections.length,
    policies: [run.algo],
    subset: run.arm_seeds,
    seed: run.bandit_seed,
    rng,
  }).policies[run.algo]!;

/** Arm seed s improves by a seed-dependent, noisy step (so every policy has something to choose). */
const noisy = ({ runSeed, g, idx, parent }: { runSeed: number; g: number; idx: number; parent: string }) => {
  const step = idx === 0 && (runSeed * 7 + g * 3) % 5 < 2 ? ((runSeed % 4) + 1) / 400 : 0;
  return `\`\`\`python\nscore = ${(parentScore(parent) + step).toFixed(4)}\n\`\`\``;
};

describe("online ≡ offline", () => {
  for (const rng of RNG_KINDS)
    for (const algo of REFERENCE_POLICIES)
      it(`${algo}, --rng ${rng}: replay over the run's arms makes its choices`, async () => {
        const spec = {
          task,
          model,
          N: 2,
          request,
          algo,
          T_total: 24,
          nArms: 4,
          armSeedBase: 3,
          banditSeed: 11,
          rng,
        };
        const client = new ScriptedClient([3, 4, 5, 6], 2, 24, noisy);
        const run = await runBandit(spec, banditPolicy(spec), deps(client, new FakeEvaluator()));
        assert.equal(run.config?.rng, rng);
        const r = replayOf(run, armPool(run), rng);
        assert.deepEqual(r.selections, run.selections);
        assert.equal(r.final, run.final_best_fitness);
        // the other stream makes other choices (so the test can tell them apart)
        if (algo !== "ucb") {
          const other = replayOf(run, armPool(run), rng === "python" ? "evoalloc" : "python");
          assert.notDeepEqual(other.selections, run.selections);
        }
      });
});

describe("online ≡ offline on the shipped bandit runs (results/, ~5 s)", () => {
  let runs: RunRecord[] = [];
  let pools: Pool[] = [];
  before(async () => {
    runs = (await loadResults(["results"])).runs;
    pools = buildPools(runs);
  });

  it("every shipped bandit run, all policies, is reproduced by replay over the deep greedy runs", () => {
    const bandits = runs.filter((r) => r.kind === "bandit");
    assert.ok(bandits.length >= 36, `${bandits.length} bandit runs`);
    const algos = new Set<string>();
    for (const rec of bandits) {
      const run = rec.run as BanditRun;
      const pool = pools.find((p) => p.task === run.task && p.model === run.model && p.N === run.N);
      assert.ok(pool, `${rec.file}: no greedy pool`);
      // the arms are prefixes of the pool's curves
      run.arm_results.forEach((arm, a) => {
        const j = pool.seeds.indexOf(run.arm_seeds[a]!);
        assert.ok(
          j >= 0 && pool.depths[j]! >= run.selections.length,
          `${rec.file}: arm ${a} not deep in the pool`,
        );
        for (const [n, g] of arm.trajectory.entries())
          assert.equal(g.best_fitness, pool.curves[j]![n], `${rec.file} arm ${a}`);
      });
      const rng = (run.config?.rng as "evoalloc" | "python" | undefined) ?? "evoalloc";
      const r = replayOf(run, pool, rng);
      assert.deepEqual(r.selections, run.selections, rec.file);
      assert.equal(r.final, run.final_best_fitness, rec.file);
      algos.add(run.algo);
    }
    assert.deepEqual([...algos].sort(), [...REFERENCE_POLICIES].sort());
  });

  it("the command line of the issue reproduces one (thompson)", async () => {
    const rec = runs.find((r) => r.kind === "bandit" && r.run.algo === "thompson")!;
    const run = rec.run as BanditRun;
    const r = await runCli([
      "replay",
      "--results",
      "results",
      "--task",
      run.task,
      "--model",
      run.model,
      "--N",
      String(run.N),
      "--K",
      String(run.n_arms),
      "--subset",
      run.arm_seeds.join(","),
      "--seed",
      String(run.bandit_seed),
      "--algos",
      run.algo,
      "--rounds",
      String(run.T_total),
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { policies: Record<string, { selections: number[]; final: number }> };
    assert.deepEqual(out.policies.thompson!.selections, run.selections);
    assert.equal(out.policies.thompson!.final, run.final_best_fitness);
  });
});
