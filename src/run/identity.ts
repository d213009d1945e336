/**
 * A run's identity: what must match for a journal to be resumed (the run's
 * parameters, the request parameters and the program it starts from). The
 * journal's header holds it; resuming under another identity is refused.
 */
import { createHash } from "node:crypto";
import type { BanditSpec } from "./bandit.ts";
import type { GreedySpec } from "./greedy.ts";
import type { Task } from "./ports.ts";

/** sha256 of the task's initial program (a changed task is another run). */
export const initialProgramSha = (spec: Pick<GreedySpec, "task">): string =>
  createHash("sha256").update(spec.task.initialProgram).digest("hex");

/** sha256 of the task's user template (prompt.ts), or null for evoalloc's default prompt. */
export const promptTemplateSha = (task: Pick<Task, "promptTemplate">): string | null =>
  task.promptTemplate === undefined || task.promptTemplate === null
    ? null
    : createHash("sha256").update(task.promptTemplate).digest("hex");

/** The template's hash when there is one; nothing for the default, so earlier journals still match. */
function templateIdentity(spec: Pick<GreedySpec, "task">): { prompt_template_sha256?: string } {
  const sha = promptTemplateSha(spec.task);
  return sha === null ? {} : { prompt_template_sha256: sha };
}

/** The identity of a greedy run. */
export function greedyIdentity(spec: GreedySpec): Record<string, unknown> {
  return {
    kind: "greedy",
    evoalloc: 1,
    task: spec.task.key,
    model: spec.model.key,
    model_name: spec.model.name,
    T: spec.T,
    N: spec.N,
    seed: spec.seed,
    max_tokens: spec.request.maxTokens,
    temperature: spec.request.temperature,
    top_p: spec.request.topP,
    initial_program_sha256: initialProgramSha(spec),
    ...templateIdentity(spec),
  };
}

/** The identity of a bandit run (policy parameters as the spec gives them). */
export function banditIdentity(spec: BanditSpec): Record<string, unknown> {
  return {
    kind: "bandit",
    evoalloc: 1,
    task: spec.task.key,
    model: spec.model.key,
    model_name: spec.model.name,
    algo: spec.algo,
    policy_params: spec.policyParams ?? {},
    T_total: spec.T_total,
    N: spec.N,
    n_arms: spec.nArms,
    arm_seed_base: spec.armSeedBase,
    bandit_seed: spec.banditSeed,
    // only when not the default, so journals written before --rng existed still resume
    ...(spec.rng !== undefined && spec.rng !== "evoalloc" ? { rng: spec.rng } : {}),
    T_cap_per_arm: spec.T_cap_per_arm ?? spec.T_total,
    max_tokens: spec.request.maxTokens,
    temperature: spec.request.temperature,
    top_p: spec.request.topP,
    initial_program_sha256: initialProgramSha(spec),
    ...templateIdentity(spec),
  };
}
