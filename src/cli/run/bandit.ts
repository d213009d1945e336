/**
 * `evoalloc run bandit`: an online bandit over K greedy arms; each round the
 * policy picks an arm, which runs one generation of N children. Parse →
 * validate (flags, then the policy and its parameters) → set up the side
 * effects (setup.ts) → the pure core `runBandit` → the result file (execute.ts).
 */
import { join } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import { banditResultPath } from "../../log/paths.ts";
import type { BanditRun } from "../../log/schema.ts";
import { getPolicy, PolicyError, parsePolicyParams, policyNames } from "../../policies/index.ts";
import { RNG_KINDS } from "../../policies/stream.ts";
import { type BanditSpec, banditPolicy, runBandit } from "../../run/bandit.ts";
import { banditIdentity } from "../../run/identity.ts";
import { UsageError } from "../errors.ts";
import { parseOptions } from "../options.ts";
import { execute } from "./execute.ts";
import { addRunOptions, intFlag, type RawRunOptions, RunOptionsSchema } from "./options.ts";
import { setupRun } from "./setup.ts";

const BanditSchema = RunOptionsSchema.extend({
  algo: z.string({ error: "is required" }).min(1, "is required"),
  nArms: intFlag(1).default(10),
  armSeedBase: intFlag(0).default(40),
  banditSeed: intFlag(0).default(0),
  TCapPerArm: intFlag(1).optional(),
  param: z.array(z.string()).default([]),
  rng: z.enum(RNG_KINDS, { error: `must be one of ${RNG_KINDS.join(", ")}` }).default("evoalloc"),
});

/** Adds `bandit` to the `run` command. */
export function registerBandit(run: Command): void {
  addRunOptions(
    run
      .command("bandit")
      .description(
        "Online bandit over K greedy arms: T rounds, each one generation of N children of the arm the policy picks.",
      )
      .option("--algo <policy>", `allocation policy (${policyNames()})`)
      .option("--T <n>", "rounds (= generations over all arms); C = T·N")
      .option("--N <n>", "children per generation")
      .option("--n-arms <k>", "greedy arms", "10")
      .option("--arm-seed-base <n>", "arm i has seed base + i", "40")
      .option("--bandit-seed <n>", "seed of the policy's RNG", "0")
      .option("--T-cap-per-arm <n>", "most generations one arm may run (default: T)")
      .addOption(
        new Option(
          "--rng <kind>",
          "policy random stream: evoalloc's own, or python (CPython's random.Random(bandit seed), as the reference)",
        )
          .choices([...RNG_KINDS])
          .default("evoalloc"),
      )
      .option(
        "--param <POLICY.KEY=VALUE>",
        "policy parameter (repeatable)",
        (v: string, acc: string[]) => [...acc, v],
        [],
      ),
  ).action(async (raw: RawRunOptions & Record<string, unknown>, cmd: Command) => {
    const opts = parseOptions(BanditSchema, raw, cmd);
    let policyParams: Record<string, number>;
    try {
      getPolicy(opts.algo);
      policyParams = parsePolicyParams(opts.param)[opts.algo] ?? {};
      // resolves defaults and checks values
      banditPolicy({ ...opts, T_total: opts.T, policyParams });
    } catch (err) {
      if (err instanceof PolicyError)
        throw new UsageError(`${err.message.startsWith("--param") ? "" : "--algo: "}${err.message}`);
      throw err;
    }
    const resolved = { ...getPolicy(opts.algo).defaults, ...policyParams };
    const setup = await setupRun(opts);
    const cap = opts.TCapPerArm ?? opts.T;
    const spec: BanditSpec = {
      task: setup.task,
      model: setup.model,
      N: opts.N,
      request: setup.request,
      algo: opts.algo,
      T_total: opts.T,
      nArms: opts.nArms,
      armSeedBase: opts.armSeedBase,
      banditSeed: opts.banditSeed,
      T_cap_per_arm: cap,
      policyParams: resolved,
      rng: opts.rng,
      config: setup.config,
    };
    const output =
      opts.output ??
      join("results", banditResultPath({ ...opts, T_total: opts.T, banditSeed: opts.banditSeed }));
    await execute<BanditRun>({
      kind: "bandit",
      label: `bandit ${opts.algo} ${opts.task}/${opts.model} K${opts.nArms}`,
      output,
      identity: banditIdentity(spec),
      // rounds stop early when every arm is capped
      totalCalls: Math.min(opts.T, opts.nArms * cap) * opts.N,
      opts,
      setup,
      core: (deps) => runBandit(spec, banditPolicy(spec), deps),
      summary: (r) => ({
        task: r.task,
        model: r.model,
        algo: r.algo,
        C: r.C,
        T_total: r.T_total,
        N: r.N,
        n_arms: r.n_arms,
        final_best_fitness: r.final_best_fitness,
        best_arm_seed: r.best_arm_seed,
        arm_pulls: r.arm_pulls.join(","),
        flops_worst_case: r.total_flops_worst_case,
        wall_time_seconds: r.wall_time_seconds,
      }),
    });
  });
}
