/**
 * The online bandit (DESIGN.md "Online bandit"): K greedy arms with seeds
 * arm_seed_base + i, all initialised first; then T_total rounds, each:
 *
 *   policy.select() → fallback when the arm reached T_cap_per_arm (the
 *   eligible arm with the fewest pulls, lowest index on ties) → that arm runs
 *   one generation (N calls) → reward = its best-so-far fitness →
 *   policy.update(arm actually pulled, reward)
 *
 * When every arm is exhausted (K·T_cap < T_total) the run warns and stops
 * early, as the reference does, and records what it ran: T_total and C are
 * the rounds and calls actually made, the budget asked is kept under
 * `config` (T_total_requested, C_requested). The policy is built by the
 * caller (`banditPolicy`, drawing from the policy stream that replay uses too).
 */
import { attemptsFlops } from "../log/flops.ts";
import type { BanditRun } from "../log/schema.ts";
import { fallbackArm } from "../policies/fallback.ts";
import { createPolicy } from "../policies/index.ts";
import type { Policy, PolicyParams } from "../policies/policy.ts";
import { policyRng, type RngKind } from "../policies/stream.ts";
import { version as evoallocVersion } from "../version.ts";
import { evaluateInitial, GreedyArm, type GreedySpec, type RunnerDeps } from "./greedy.ts";

export interface BanditSpec extends Omit<GreedySpec, "T" | "seed"> {
  algo: string;
  /** Rounds (= generations over all arms); C = T_total·N. */
  T_total: number;
  nArms: number;
  armSeedBase: number;
  banditSeed: number;
  /** Most generations one arm may run (default T_total). */
  T_cap_per_arm?: number;
  policyParams?: PolicyParams;
  /** The policy stream's generator (default evoalloc's own); recorded under `config.rng`. */
  rng?: RngKind;
}

/**
 * The policy of an online run: `algo` drawing from instance 0 of the policy
 * stream of its bandit seed (src/policies/stream.ts), which is what
 * `replay --subset <arm seeds> --seed <bandit seed>` draws.
 * @throws PolicyError on an unknown policy or parameter.
 */
export function banditPolicy(
  spec: Pick<BanditSpec, "algo" | "nArms" | "T_total" | "banditSeed" | "policyParams" | "rng">,
): Policy {
  const rng = policyRng(spec.rng).reseed(spec.banditSeed, 0);
  return createPolicy(spec.algo, { nArms: spec.nArms, horizon: spec.T_total, rng }, spec.policyParams ?? {});
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Runs the online bandit with `policy` (already seeded with bandit_seed).
 * @throws RangeError on an arm index out of range from the policy.
 */
export async function runBandit(spec: BanditSpec, policy: Policy, deps: RunnerDeps): Promise<BanditRun> {
  const t0 = deps.now();
  const cap = spec.T_cap_per_arm ?? spec.T_total;
  const P = spec.model.params_active;
  const arms = Array.from(
    { length: spec.nArms },
    (_, i) =>
      new GreedyArm(
        {
          task: spec.task,
          model: spec.model,
          N: spec.N,
          request: spec.request,
          T: cap,
          seed: spec.armSeedBase + i,
        },
        deps,
        `a${i}/`,
        i,
      ),
  );
  // every arm starts from the same program: evaluate it once
  const initial = await evaluateInitial(deps, "g0", spec.task);
  for (const arm of arms) await arm.init(initial);

  const selections: number[] = [];
  const rewards: number[] = [];
  const runningBest: number[] = [];
  const flopsPerRound: number[] = [];
  const cumulative: number[] = [];
  let bestSoFar = Math.max(...arms.map((a) => a.fitness));
  for (let round = 0; round < spec.T_total; round++) {
    const pulls = arms.map((a) => a.pulls);
    if (arms.every((a) => a.done)) {
      deps.onEvent?.({
        type: "warning",
        message:
          `every arm reached T_cap_per_arm = ${cap} after ${round} of ${spec.T_total} rounds: ` +
          `stopping with ${round * spec.N} of ${spec.T_total * spec.N} calls made`,
      });
      break;
    }
    let pick = policy.select();
    if (!Number.isInteger(pick) || pick < 0 || pick >= arms.length)
      throw new RangeError(`policy ${spec.algo} selected arm ${pick} of ${arms.length}`);
    if (arms[pick]!.done) pick = fallbackArm(pulls, cap); // done: pulls >= cap
    const arm = arms[pick]!;
    const row = await arm.step();
    const reward = arm.fitness;
    policy.update(pick, reward);
    let f = 0;
    for (const child of row.children) f += attemptsFlops(child.attempts, P, "worst_case", 0);
    flopsPerRound.push(f);
    cumulative.push((cumulative.at(-1) ?? 0) + f);
    selections.push(pick);
    rewards.push(reward);
    bestSoFar = Math.max(bestSoFar, reward);
    runningBest.push(bestSoFar);
  }

  const wall = round(deps.now() - t0, 1);
  let bestArm = 0;
  for (let i = 1; i < arms.length; i++) if (arms[i]!.fitness > arms[bestArm]!.fitness) bestArm = i;
  const armResults = arms.map((a) => a.toResult(wall));
  const run: BanditRun = {
    task: spec.task.key,
    model: spec.model.key,
    model_name: spec.model.name,
    params_active: P,
    algo: spec.algo,
    C: selections.length * spec.N,
    T_total: selections.length,
    N: spec.N,
    n_arms: spec.nArms,
    arm_seeds: arms.map((a) => a.spec.seed),
    bandit_seed: spec.banditSeed,
    selections,
    rewards,
    running_best: runningBest,
    flops_per_round: flopsPerRound,
    cumulative_flops: cumulative,
    total_flops_worst_case: armResults.reduce((s, r) => s + r.flops.worst_case.total_flops, 0),
    final_best_fitness: runningBest.at(-1) ?? bestSoFar,
    best_arm_seed: arms[bestArm]!.spec.seed,
    arm_pulls: arms.map((a) => a.pulls),
    arm_final_fitness: arms.map((a) => a.fitness),
    arm_results: armResults,
    wall_time_seconds: wall,
    T_cap_per_arm: cap,
    evoalloc_version: evoallocVersion,
  };
  if (spec.policyParams !== undefined) run.policy_params = spec.policyParams;
  run.config = {
    ...spec.config,
    rng: spec.rng ?? "evoalloc",
    T_total_requested: spec.T_total,
    C_requested: spec.T_total * spec.N,
  };
  return run;
}
