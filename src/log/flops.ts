/**
 * FLOPs accounting (DESIGN.md "FLOPs convention"), recomputed from the
 * attempts a run logged. Per attempt, summed over attempts → children →
 * generations; generation 0 costs nothing.
 *
 * - timeout (checked first): `timed_out` or status "timeout";
 * - error: status starting with "error" (costs 0);
 * - ok: 2·P·(max(0, prompt − cached) + completion); an ok attempt without
 *   usable usage costs 0 and is not counted.
 * Timeouts cost, by policy: worst_case 2·P·estimated_output_tokens; exclude
 * 0; bounded 2·P·B, B = trunc(median completion_tokens over the run's
 * attempts with finish_reason "length" and a usage), 0 when there are none.
 */

import { TIMEOUT_POLICIES } from "./kinds.ts";
import type {
  Attempt,
  BanditRun,
  FlopsBlock,
  FlopsSummary,
  Generation,
  GreedyRun,
  TimeoutPolicy,
} from "./schema.ts";

export type AttemptKind = "ok" | "timeout" | "error";

/** The attempt's class: timeout first, then error, else ok. */
export function attemptKind(a: Attempt): AttemptKind {
  if (a.timed_out === true || a.status === "timeout") return "timeout";
  if (a.status.startsWith("error")) return "error";
  return "ok";
}

export interface OkTokens {
  prompt: number;
  completion: number;
  cached: number;
}

/** Token counts of an ok attempt with usable usage, else null (it costs 0 and is not counted). */
export function okTokens(a: Attempt): OkTokens | null {
  const u = a.usage;
  if (u === null || u === undefined) return null;
  const prompt = u.prompt_tokens;
  const completion = u.completion_tokens;
  if (typeof prompt !== "number" || typeof completion !== "number") return null;
  const cached = u.prompt_tokens_details?.cached_tokens;
  return { prompt, completion, cached: typeof cached === "number" ? cached : 0 };
}

/**
 * Token sums over the attempts FLOPs count (`okTokens` not null): the same
 * tokens as a run's `sum_*_tokens`. A timeout or error attempt counts none.
 */
export function okTokenSums(attempts: readonly Attempt[]): OkTokens {
  const sums: OkTokens = { prompt: 0, completion: 0, cached: 0 };
  for (const a of attempts) {
    const t = attemptKind(a) === "ok" ? okTokens(a) : null;
    if (t === null) continue;
    sums.prompt += t.prompt;
    sums.completion += t.completion;
    sums.cached += t.cached;
  }
  return sums;
}

function* runAttempts(trajectory: readonly Generation[]): Generator<Attempt> {
  for (let g = 1; g < trajectory.length; g++) {
    for (const child of trajectory[g]!.children) yield* child.attempts;
  }
}

/**
 * B of the bounded policy: the median completion_tokens over the run's
 * attempts with finish_reason "length" and a usage, truncated to an integer.
 *
 * @example boundedTokens(runWithLengthCompletions(300, 401)) // => 350
 */
export function boundedTokens(trajectory: readonly Generation[]): number {
  const values: number[] = [];
  for (const a of runAttempts(trajectory)) {
    if (a.finish_reason !== "length") continue;
    const c = a.usage?.completion_tokens;
    if (typeof c === "number") values.push(c);
  }
  return medianTrunc(values);
}

/** Median (mean of the middle two for an even count), truncated to an integer; 0 for none. Sorts in place. */
function medianTrunc(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((x, y) => x - y);
  const mid = values.length >> 1;
  const median = values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return Math.trunc(median);
}

/** FLOPs of an ok attempt's tokens: 2·P·(max(0, prompt − cached) + completion); `twoP` = 2·P. */
const okAttemptFlops = (twoP: number, t: OkTokens): number =>
  twoP * (Math.max(0, t.prompt - t.cached) + t.completion);

/** FLOPs of one attempt under `policy`. */
function attemptFlops(a: Attempt, paramsActive: number, policy: TimeoutPolicy, bounded: number): number {
  switch (attemptKind(a)) {
    case "error":
      return 0;
    case "timeout":
      if (policy === "exclude") return 0;
      if (policy === "bounded") return 2 * paramsActive * bounded;
      return 2 * paramsActive * (a.estimated_output_tokens ?? 0);
    case "ok": {
      const t = okTokens(a);
      return t === null ? 0 : okAttemptFlops(2 * paramsActive, t);
    }
  }
}

/** Sum of `attemptFlops` over a list of attempts. */
export function attemptsFlops(
  attempts: readonly Attempt[],
  paramsActive: number,
  policy: TimeoutPolicy,
  bounded: number,
): number {
  let total = 0;
  for (const a of attempts) total += attemptFlops(a, paramsActive, policy, bounded);
  return total;
}

/** A trajectory's FLOPs: the reference's `flops` block and the per-generation series of each policy. */
export interface FlopsAccount {
  block: FlopsBlock;
  /** One entry per generation g ≥ 1, per timeout policy. */
  perGeneration: Record<TimeoutPolicy, number[]>;
}

/**
 * One pass over a trajectory's attempts: totals, token sums and
 * per-generation FLOPs under the three timeout policies. O(attempts).
 */
export function flopsAccount(trajectory: readonly Generation[], paramsActive: number): FlopsAccount {
  const twoP = 2 * paramsActive;
  let nOk = 0;
  let nTimeout = 0;
  let nError = 0;
  let okFlops = 0;
  let timeoutTokensWorst = 0;
  let prompt = 0;
  let completion = 0;
  let cached = 0;
  const lengthCompletions: number[] = [];
  const genOk: number[] = [];
  const genTimeoutTokens: number[] = [];
  const genTimeouts: number[] = [];
  for (let g = 1; g < trajectory.length; g++) {
    let ok = 0;
    let tt = 0;
    let nt = 0;
    for (const child of trajectory[g]!.children) {
      for (const a of child.attempts) {
        if (a.finish_reason === "length") {
          const c = a.usage?.completion_tokens;
          if (typeof c === "number") lengthCompletions.push(c);
        }
        const kind = attemptKind(a);
        if (kind === "error") nError++;
        else if (kind === "timeout") {
          nt++;
          tt += a.estimated_output_tokens ?? 0;
        } else {
          const t = okTokens(a);
          if (t === null) continue;
          nOk++;
          prompt += t.prompt;
          completion += t.completion;
          cached += t.cached;
          ok += okAttemptFlops(twoP, t);
        }
      }
    }
    okFlops += ok;
    timeoutTokensWorst += tt;
    nTimeout += nt;
    genOk.push(ok);
    genTimeoutTokens.push(tt);
    genTimeouts.push(nt);
  }
  const bounded = medianTrunc(lengthCompletions);
  const timeoutFlops: Record<TimeoutPolicy, number> = {
    worst_case: twoP * timeoutTokensWorst,
    exclude: 0,
    bounded: twoP * bounded * nTimeout,
  };
  const summary = (policy: TimeoutPolicy): FlopsSummary => ({
    total_flops: okFlops + timeoutFlops[policy],
    n_ok: nOk,
    n_timeout: nTimeout,
    n_error: nError,
    timeout_flops: timeoutFlops[policy],
    timeout_policy: policy,
    sum_prompt_tokens: prompt,
    sum_completion_tokens: completion,
    sum_cached_prompt_tokens: cached,
    prefix_cache_hit_rate: prompt > 0 ? cached / prompt : 0,
  });
  return {
    block: {
      params_active: paramsActive,
      worst_case: summary("worst_case"),
      exclude: summary("exclude"),
      bounded: summary("bounded"),
    },
    perGeneration: {
      worst_case: genOk.map((ok, i) => ok + twoP * genTimeoutTokens[i]!),
      exclude: genOk,
      bounded: genOk.map((ok, i) => ok + twoP * bounded * genTimeouts[i]!),
    },
  };
}

/**
 * The two FLOPs fields a greedy run file stores — the `flops` block and the
 * worst-case `flops_per_generation` — from one pass over the attempts.
 */
export function runFlopsFields(
  trajectory: readonly Generation[],
  paramsActive: number,
): { flops: FlopsBlock; flops_per_generation: number[] } {
  const account = flopsAccount(trajectory, paramsActive);
  return { flops: account.block, flops_per_generation: account.perGeneration.worst_case };
}

/** A greedy run's FLOPs recomputed from its attempts (params from its stored block), as the reference's `flops` block. */
export function runFlops(run: GreedyRun, paramsActive: number = run.flops.params_active): FlopsBlock {
  return flopsAccount(run.trajectory, paramsActive).block;
}

/** FLOPs of each generation g ≥ 1 under `policy` (the reference's `flops_per_generation` is worst_case). */
export function generationFlops(
  run: Pick<GreedyRun, "trajectory">,
  paramsActive: number,
  policy: TimeoutPolicy = "worst_case",
): number[] {
  return flopsAccount(run.trajectory, paramsActive).perGeneration[policy];
}

export type FlopsTotals = Record<TimeoutPolicy, number>;

/**
 * FLOPs of each round of a bandit run under `policy`: round r ran the next
 * generation of arm `selections[r]`.
 */
export function roundFlops(run: BanditRun, policy: TimeoutPolicy = "worst_case"): number[] {
  return roundSeries(
    run.selections,
    run.arm_results.map((arm) => generationFlops(arm, run.params_active, policy)),
  );
}

/** Round r's value is the next entry of arm `selections[r]`'s series (0 past its end). */
export function roundSeries(selections: readonly number[], perArm: readonly (readonly number[])[]): number[] {
  const pulls = new Array<number>(perArm.length).fill(0);
  return selections.map((arm) => {
    const k = pulls[arm] ?? 0;
    pulls[arm] = k + 1;
    return perArm[arm]?.[k] ?? 0;
  });
}

/** Adds a block's total FLOPs into `totals` (mutates and returns it). */
export function addTotals(totals: FlopsTotals, block: FlopsBlock): FlopsTotals {
  for (const p of TIMEOUT_POLICIES) totals[p] += block[p].total_flops;
  return totals;
}
