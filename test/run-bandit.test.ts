import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkBandit } from "../src/log/check.ts";
import { roundFlops } from "../src/log/flops.ts";
import { BanditRunSchema } from "../src/log/schema.ts";
import { createPolicy } from "../src/policies/index.ts";
import type { Policy } from "../src/policies/policy.ts";
import { runBandit } from "../src/run/bandit.ts";
import { memoryJournal } from "../src/run/journal.ts";
import { rng } from "../src/util/rng.ts";
import {
  deps,
  FakeEvaluator,
  model,
  parentScore,
  request,
  ScriptedClient,
  task,
  withoutWallClock,
} from "./run-fakes.ts";

/** Arm seed s climbs by s/1000 per generation. */
const climb = ({ runSeed, idx, parent }: { runSeed: number; idx: number; parent: string }) =>
  `\`\`\`python\nscore = ${(parentScore(parent) + (idx === 0 ? runSeed / 1000 : 0)).toFixed(4)}\n\`\`\``;

class Scripted implements Policy {
  readonly updates: [number, number][] = [];
  constructor(private readonly picks: number[]) {}
  select(): number {
    return this.picks[this.updates.length] ?? 0;
  }
  update(arm: number, reward: number): void {
    this.updates.push([arm, reward]);
  }
}

const base = { task, model, N: 2, request, algo: "scripted", armSeedBase: 1, banditSeed: 0 };

describe("run/bandit: online semantics", () => {
  it("falls back from an exhausted arm to the eligible arm with the fewest pulls and stops when all are exhausted", async () => {
    const policy = new Scripted([0, 0, 0, 0, 0]);
    const client = new ScriptedClient([1, 2, 3], 2, 2, climb);
    const warnings: string[] = [];
    const run = await runBandit(
      { ...base, T_total: 5, nArms: 3, T_cap_per_arm: 1 },
      policy,
      deps(client, new FakeEvaluator(), {
        onEvent: (e) => {
          if (e.type === "warning") warnings.push(e.message);
        },
      }),
    );
    BanditRunSchema.parse(run);
    // arm 0 once, then fallback to arm 1 (fewest pulls, lowest index), then arm 2; then every arm is exhausted
    assert.deepEqual(run.selections, [0, 1, 2]);
    assert.deepEqual(
      policy.updates.map(([a]) => a),
      [0, 1, 2],
    );
    assert.deepEqual(run.arm_pulls, [1, 1, 1]);
    // what was run, not what was asked (which stays under config)
    assert.equal(run.T_total, 3);
    assert.equal(run.C, 6);
    assert.equal(run.config?.T_total_requested, 5);
    assert.equal(run.config?.C_requested, 10);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /every arm reached T_cap_per_arm = 1 after 3 of 5 rounds: stopping with 6 of 10 calls/,
    );
    assert.deepEqual(checkBandit(run).problems, []);
    assert.deepEqual(checkBandit(run).warnings, []);
    // the reference's record of the same run (C as if the budget had been spent) draws a warning
    const asReference = { ...run, T_total: 5, C: 10 };
    assert.deepEqual(checkBandit(asReference).problems, []);
    assert.match(
      checkBandit(asReference).warnings[0]!.message,
      /stopped after 3 of T_total = 5 rounds: 6 calls were made/,
    );
    assert.equal(run.T_cap_per_arm, 1);
    assert.deepEqual(run.arm_seeds, [1, 2, 3]);
    for (const arm of run.arm_results) {
      assert.equal(arm.T, 1);
      assert.equal(arm.C, 2);
      assert.equal(arm.trajectory.length, 2);
    }
  });

  it("records rewards, running best, per-round FLOPs and the best arm", async () => {
    const policy = new Scripted([0, 1, 1, 0, 1]);
    const client = new ScriptedClient([1, 2], 2, 5, climb);
    const evaluator = new FakeEvaluator();
    const run = await runBandit({ ...base, T_total: 5, nArms: 2 }, policy, deps(client, evaluator));
    BanditRunSchema.parse(run);
    assert.deepEqual(run.selections, [0, 1, 1, 0, 1]);
    const r = run.rewards;
    assert.deepEqual(
      r.map((x) => Number(x.toFixed(4))),
      [0.501, 0.502, 0.504, 0.502, 0.506],
    );
    assert.deepEqual(
      run.running_best.map((x) => Number(x.toFixed(4))),
      [0.501, 0.502, 0.504, 0.504, 0.506],
    );
    assert.deepEqual(run.flops_per_round, roundFlops(run));
    assert.equal(run.flops_per_round[0], 2 * 2 * 10 * 120);
    assert.deepEqual(run.cumulative_flops, [4800, 9600, 14400, 19200, 24000]);
    assert.equal(run.total_flops_worst_case, 24000);
    assert.equal(run.best_arm_seed, 2);
    assert.equal(run.final_best_fitness, run.running_best.at(-1));
    assert.deepEqual(run.arm_pulls, [2, 3]);
    assert.equal(run.arm_results[1]!.trajectory.length, 4);
    // the initial program is evaluated once for all arms, then each child once
    assert.equal(evaluator.seen.length, 1 + 5 * 2);
  });

  it("runs a real policy (ucb) and is reproducible", async () => {
    const mk = () =>
      runBandit(
        { ...base, algo: "ucb", T_total: 6, nArms: 3 },
        createPolicy("ucb", { nArms: 3, horizon: 6, rng: rng(0) }),
        deps(new ScriptedClient([1, 2, 3], 2, 6, climb), new FakeEvaluator()),
      );
    const a = await mk();
    assert.deepEqual(a.selections.slice(0, 3), [0, 1, 2]);
    assert.deepEqual(withoutWallClock(a), withoutWallClock(await mk()));
  });
});

describe("run/bandit: resume", () => {
  it("a bandit interrupted mid-run resumes from its journal to the uninterrupted result (thompson)", async () => {
    const spec = { ...base, algo: "thompson", T_total: 8, nArms: 3 };
    const policy = () => createPolicy("thompson", { nArms: 3, horizon: 8, rng: rng(5) });
    const full = await runBandit(
      spec,
      policy(),
      deps(new ScriptedClient([1, 2, 3], 2, 8, climb), new FakeEvaluator()),
    );
    const journal = memoryJournal();
    const ctl = new AbortController();
    let calls = 0;
    await assert.rejects(
      runBandit(
        spec,
        policy(),
        deps(new ScriptedClient([1, 2, 3], 2, 8, climb), new FakeEvaluator(), {
          journal,
          signal: ctl.signal,
          onEvent: (e) => {
            if (e.type === "call" && ++calls === 7) ctl.abort(new Error("interrupted"));
          },
        }),
      ),
      /interrupted/,
    );
    const finished = journal.callCount;
    const second = new ScriptedClient([1, 2, 3], 2, 8, climb);
    const resumed = await runBandit(spec, policy(), deps(second, new FakeEvaluator(), { journal }));
    assert.equal(second.calls.length, 16 - finished);
    assert.deepEqual(withoutWallClock(resumed), withoutWallClock(full));
  });
});
