// run/greedy with a scripted client and a fake evaluator; against a loopback LLM server: run-greedy.slow.test.ts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { runFlops } from "../src/log/flops.ts";
import { GreedyRunSchema } from "../src/log/schema.ts";
import { runGreedy } from "../src/run/greedy.ts";
import { memoryJournal } from "../src/run/journal.ts";
import { childSeed } from "../src/run/seeds.ts";
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

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("run/greedy: semantics worked out by hand", () => {
  // gen 1: 0.4, 0.7, 0.7 → idx 1 wins (lowest idx among equals), 2 improved
  // gen 2: no answer, an error, 0.7 (equal to the parent: not an improvement)
  const answers: Record<string, string | null> = {
    "1/0": "```python\nscore = 0.4\n```",
    "1/1": "<think>```python\nscore = 99\n```</think>\n```python\nscore = 0.7\n# one\n```",
    "1/2": "```python\nscore = 0.7\n# two\n```",
    "2/0": null,
    "2/1": "```python\nboom\n```",
    "2/2": "score = 0.7",
  };
  const spec = { task, model, T: 2, N: 3, seed: 7, request };

  it("replaces the parent only by a strictly better child and counts n_valid/n_improved", async () => {
    const client = new ScriptedClient([7], 3, 2, ({ g, idx }) => answers[`${g}/${idx}`]!);
    const run = await runGreedy(spec, deps(client, new FakeEvaluator()));
    GreedyRunSchema.parse(run);
    assert.equal(run.C, 6);
    assert.equal(run.trajectory.length, 3);
    const [g0, g1, g2] = run.trajectory;
    assert.deepEqual(
      { ...g0, gen_time_s: 0 },
      {
        generation: 0,
        best_fitness: 0.5,
        n_children: 0,
        n_valid: 0,
        n_improved: 0,
        children: [],
        gen_time_s: 0,
      },
    );
    assert.equal(g1!.parent_fitness, 0.5);
    assert.equal(g1!.best_fitness, 0.7);
    assert.equal(g1!.n_valid, 3);
    assert.equal(g1!.n_improved, 2);
    assert.equal(g1!.parent_sha256, sha(task.initialProgram));
    assert.deepEqual(
      g1!.children.map((c) => c.seed),
      [0, 1, 2].map((i) => childSeed(7, 3, 1, i)),
    );
    // the parent of generation 2 is child 1 of generation 1 (the <think> block was dropped)
    // stored stripped of surrounding whitespace, as the reference stores it
    assert.equal(g2!.parent_sha256, sha("score = 0.7\n# one"));
    assert.equal(g2!.parent_fitness, 0.7);
    assert.equal(g2!.n_valid, 2);
    assert.equal(g2!.n_improved, 0);
    const [c0, c1, c2] = g2!.children;
    assert.equal(c0!.fitness, null);
    assert.equal(c0!.valid, false);
    assert.equal(c0!.final_status, "error");
    assert.equal(c0!.attempts.length, 3);
    assert.equal(c1!.fitness, 0);
    assert.equal(c1!.valid, false);
    assert.equal(c1!.error, "boom");
    assert.equal(c1!.final_status, "ok");
    assert.equal(c2!.fitness, 0.7);
    assert.equal(c2!.valid, true);
    assert.equal(run.final_fitness, 0.7);
    assert.equal(run.final_program, "score = 0.7\n# one");
    assert.deepEqual(run.final_metrics, { combined_score: 0.7 });
    assert.deepEqual(run.flops, runFlops(run, 10));
    assert.equal(run.flops_per_generation.length, 2);
    // 3 ok attempts of (100 + 20) tokens at P = 10
    assert.equal(run.flops_per_generation[0], 3 * 2 * 10 * 120);
    assert.equal(run.flops_per_generation[1], 2 * 2 * 10 * 120);
  });

  it("is deterministic given the answers (no dependence on completion order)", async () => {
    const mk = () => new ScriptedClient([7], 3, 2, ({ g, idx }) => answers[`${g}/${idx}`]!);
    const a = await runGreedy(spec, deps(mk(), new FakeEvaluator()));
    const b = await runGreedy(spec, deps(mk(), new FakeEvaluator()));
    assert.deepEqual(withoutWallClock(a), withoutWallClock(b));
  });

  it("resumes from its journal without repeating a finished call and equals an uninterrupted run", async () => {
    const climb = ({ idx, parent }: { idx: number; parent: string }) =>
      `\`\`\`python\nscore = ${(parentScore(parent) + 0.01 * ((idx * 7) % 5)).toFixed(4)}\n\`\`\``;
    const big = { task, model, T: 6, N: 4, seed: 3, request };
    const full = await runGreedy(big, deps(new ScriptedClient([3], 4, 6, climb), new FakeEvaluator()));

    const journal = memoryJournal();
    const ctl = new AbortController();
    const first = new ScriptedClient([3], 4, 6, climb);
    let calls = 0;
    await assert.rejects(
      runGreedy(
        big,
        deps(first, new FakeEvaluator(), {
          journal,
          signal: ctl.signal,
          onEvent: (e) => {
            if (e.type === "call" && ++calls === 9) ctl.abort(new Error("interrupted"));
          },
        }),
      ),
      /interrupted/,
    );
    const finished = journal.callCount;
    assert.ok(finished >= 9 && finished < 24, `finished ${finished}`);
    const done = journalledSeeds(journal);
    assert.equal(done.size, finished);
    const second = new ScriptedClient([3], 4, 6, climb);
    const resumed = await runGreedy(big, deps(second, new FakeEvaluator(), { journal }));
    assert.equal(second.calls.length, 24 - finished);
    for (const s of second.calls) assert.ok(!done.has(s), `finished call ${s} repeated`);
    assert.deepEqual(withoutWallClock(resumed), withoutWallClock(full));
  });
});

/** Seeds of the calls a journal holds (greedy run seed 3, N 4, T 6). */
function journalledSeeds(j: ReturnType<typeof memoryJournal>): Set<number> {
  const out = new Set<number>();
  for (let g = 1; g <= 6; g++)
    for (let i = 0; i < 4; i++) if (j.call(`g${g}/c${i}`) !== undefined) out.add(childSeed(3, 4, g, i));
  return out;
}
