/**
 * The mutator is a real optimiser: on each task's real evaluator (the
 * sandbox), a (1+4) run of 4 generations beats the initial program.
 * Slow-ish (~5 s: three sandboxes start and evaluate ~50 candidates).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { BUILTIN_MODELS } from "../src/log/models.ts";
import { MutatorClient } from "../src/mutator/mutator-client.ts";
import { runGreedy } from "../src/run/greedy.ts";
import { memoryJournal } from "../src/run/journal.ts";
import { createLimiter } from "../src/run/limit.ts";
import { createEvaluator } from "../src/run/sandbox/sandbox.ts";
import { loadTask } from "../src/run/tasks.ts";

const hasNumpy = spawnSync("python3", ["-c", "import numpy, scipy"]).status === 0;

describe("the mutator improves each task within a few generations (real evaluators)", {
  skip: !hasNumpy,
}, () => {
  for (const key of ["cp", "mmd", "ht"]) {
    it(key, async () => {
      const task = loadTask(key);
      const evaluator = await createEvaluator(task, { parallel: 2 });
      try {
        const run = await runGreedy(
          {
            task,
            model: BUILTIN_MODELS.mutator!,
            T: 4,
            N: 4,
            seed: 40,
            request: { maxTokens: 16000, temperature: 0.4, topP: 0.95, timeoutS: 900 },
          },
          {
            client: new MutatorClient(),
            evaluator,
            llmLimit: createLimiter(4),
            evalLimit: createLimiter(2),
            journal: memoryJournal(),
            now: () => performance.now() / 1000,
          },
        );
        const initial = run.trajectory[0]!.best_fitness;
        assert.ok(initial > 0, `${key}: the initial program is valid`);
        assert.ok(run.final_fitness > initial, `${key}: ${run.final_fitness} > ${initial}`);
        assert.equal(run.flops.worst_case.total_flops, 0);
        assert.ok(run.flops.worst_case.sum_completion_tokens > 0);
        // the best program is the initial one with some float literals changed
        assert.notEqual(run.final_program, task.initialProgram);
      } finally {
        await evaluator.close();
      }
    });
  }
});
