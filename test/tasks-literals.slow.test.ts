/**
 * The initial programs hold their geometry, and only their geometry, in float
 * literals, and any perturbation of those literals stays valid: perturbing
 * literals (the built-in mutation proposer) is a real optimiser. Real python3.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { findFloatLiterals, replaceLiterals } from "../src/mutator/literals.ts";
import { createEvaluator, type SandboxEvaluator } from "../src/run/sandbox/sandbox.ts";
import { loadTask } from "../src/run/tasks.ts";
import { rng } from "../src/util/rng.ts";

const COUNTS: Record<string, number> = { cp: 26 * 2, mmd: 16 * 2, ht: 11 * 2 };
const evaluators = new Map<string, SandboxEvaluator>();
before(async () => {
  for (const key of Object.keys(COUNTS))
    evaluators.set(key, await createEvaluator(loadTask(key), { parallel: 1, timeoutS: 20 }));
});
after(async () => {
  for (const ev of evaluators.values()) await ev.close();
});

describe("initial programs as literal-perturbation optimisers", () => {
  for (const [key, count] of Object.entries(COUNTS)) {
    it(`${key}: ${count} float literals, and perturbed copies stay valid`, async () => {
      const source = loadTask(key).initialProgram;
      const literals = findFloatLiterals(source);
      assert.equal(literals.length, count);
      const r = rng(7, 0);
      const children = Array.from({ length: 8 }, (_, c) => {
        const sigma = [0.001, 0.05, 0.3][c % 3]!;
        return replaceLiterals(
          source,
          literals,
          new Map(literals.map((l, k) => [k, l.value + sigma * r.normal()])),
        );
      });
      const results = await Promise.all(children.map((code) => evaluators.get(key)!.evaluate(code)));
      for (const res of results) {
        assert.equal(res.status, "ok", res.error ?? "");
        assert.ok(res.fitness > 0, `${key} fitness ${res.fitness}`);
      }
    });
  }
});
