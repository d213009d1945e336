/**
 * `evoalloc run greedy`: one greedy run (T generations of N children) against
 * an OpenAI-compatible endpoint or the built-in mutator, with the reference's
 * flags and default output path. Parse → validate → set up the side effects
 * (setup.ts) → the pure core `runGreedy` → the result file (execute.ts).
 */
import { join } from "node:path";
import type { Command } from "commander";
import { greedyResultPath } from "../../log/paths.ts";
import type { GreedyRun } from "../../log/schema.ts";
import { type GreedySpec, runGreedy } from "../../run/greedy.ts";
import { greedyIdentity } from "../../run/identity.ts";
import { parseOptions } from "../options.ts";
import { execute } from "./execute.ts";
import { addRunOptions, intFlag, type RawRunOptions, RunOptionsSchema } from "./options.ts";
import { setupRun } from "./setup.ts";

const GreedySchema = RunOptionsSchema.extend({ seed: intFlag(0).default(40) });

/** Adds `greedy` to the `run` command. */
export function registerGreedy(run: Command): void {
  addRunOptions(
    run
      .command("greedy")
      .description("One greedy run: T generations of N children each (C = T·N calls).")
      .option("--T <n>", "generations")
      .option("--N <n>", "children per generation")
      .option("--seed <n>", "run seed (child seeds derive from it)", "40"),
  ).action(async (raw: RawRunOptions & { seed?: string }, cmd: Command) => {
    const opts = parseOptions(GreedySchema, raw, cmd);
    const setup = await setupRun(opts);
    const C = opts.T * opts.N;
    const spec: GreedySpec = {
      task: setup.task,
      model: setup.model,
      T: opts.T,
      N: opts.N,
      seed: opts.seed,
      request: setup.request,
      config: setup.config,
    };
    await execute<GreedyRun>({
      kind: "greedy",
      label: `greedy ${opts.task}/${opts.model} seed ${opts.seed}`,
      output: opts.output ?? join("results", greedyResultPath(opts)),
      identity: greedyIdentity(spec),
      totalCalls: C,
      opts,
      setup,
      core: (deps) => runGreedy(spec, deps),
      summary: (r) => ({
        task: r.task,
        model: r.model,
        C: r.C,
        T: r.T,
        N: r.N,
        seed: r.seed,
        final_fitness: r.final_fitness,
        flops_worst_case: r.flops.worst_case.total_flops,
        wall_time_seconds: r.wall_time_seconds,
      }),
    });
  });
}
