/**
 * Fast structural guards for the hot path of reading: hand-written
 * predicates that accept exactly-conforming run objects without copying them.
 * zod (schema.ts) stays the single source of truth: a guard may only be
 * *stricter* than its schema — anything it rejects is handed to zod, which
 * either accepts it or explains the problem with a JSON path. The test suite
 * checks on mutated samples that whatever a guard accepts, zod accepts too.
 *
 * Why: zod copies every object it parses; over millions of attempts that
 * doubled the cost of reading a results tree (see bench/ingest.ts).
 */
import type { BanditRun, GreedyRun } from "./schema.ts";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number";
const isFinite_ = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isInt = (v: unknown): boolean => Number.isSafeInteger(v);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isPosInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isStr = (v: unknown): v is string => typeof v === "string";
/** `nullish()` of a type: undefined, null, or the type. */
const opt = (v: unknown, test: (v: unknown) => boolean): boolean => v === undefined || v === null || test(v);
const isRecord = (v: unknown): boolean => isObj(v);
/** An optional field: absent, or passes `test` (null is not absent here, unlike `opt`). */
const absentOr = (v: unknown, test: (x: unknown) => boolean): boolean => v === undefined || test(v);

function isUsage(u: Obj): boolean {
  if (
    !opt(u.prompt_tokens, isFinite_) ||
    !opt(u.completion_tokens, isFinite_) ||
    !opt(u.total_tokens, isFinite_)
  )
    return false;
  const d = u.prompt_tokens_details;
  return d === undefined || d === null || (isObj(d) && opt(d.cached_tokens, isFinite_));
}

function isAttempt(a: unknown): boolean {
  if (!isObj(a)) return false;
  return (
    isCount(a.attempt_idx) &&
    isStr(a.status) &&
    isNum(a.latency_s) &&
    (a.usage === null || (isObj(a.usage) && isUsage(a.usage))) &&
    (a.finish_reason === null || isStr(a.finish_reason)) &&
    typeof a.timed_out === "boolean" &&
    opt(a.estimated_output_tokens, isFinite_) &&
    opt(a.error, isStr) &&
    absentOr(a.endpoint, isStr) &&
    absentOr(a.reasoning_content_chars, isCount)
  );
}

function isChild(c: unknown): boolean {
  if (!isObj(c)) return false;
  if (
    !(
      isCount(c.idx) &&
      isCount(c.seed) &&
      (c.fitness === null || isNum(c.fitness)) &&
      typeof c.valid === "boolean"
    )
  )
    return false;
  const fs = c.final_status;
  if (fs !== "ok" && fs !== "timeout" && fs !== "error") return false;
  if (!opt(c.metrics, isRecord) || !opt(c.error, isStr) || !opt(c.code_sha256, isStr) || !opt(c.code, isStr))
    return false;
  const attempts = c.attempts;
  if (!Array.isArray(attempts)) return false;
  for (const a of attempts) if (!isAttempt(a)) return false;
  return true;
}

function isGeneration(g: unknown): boolean {
  if (!isObj(g)) return false;
  if (
    !(
      isCount(g.generation) &&
      isNum(g.best_fitness) &&
      opt(g.parent_fitness, isNum) &&
      isCount(g.n_children) &&
      isCount(g.n_valid) &&
      isCount(g.n_improved) &&
      isNum(g.gen_time_s) &&
      opt(g.parent_sha256, isStr)
    )
  )
    return false;
  const children = g.children;
  if (!Array.isArray(children)) return false;
  for (const c of children) if (!isChild(c)) return false;
  return true;
}

const POLICIES = ["worst_case", "exclude", "bounded"] as const;

function isFlopsBlock(f: unknown): boolean {
  if (!isObj(f) || !isFinite_(f.params_active)) return false;
  for (const p of POLICIES) {
    const s = f[p];
    if (!isObj(s)) return false;
    if (
      !(
        isFinite_(s.total_flops) &&
        isCount(s.n_ok) &&
        isCount(s.n_timeout) &&
        isCount(s.n_error) &&
        isFinite_(s.timeout_flops) &&
        s.timeout_policy === p &&
        isFinite_(s.sum_prompt_tokens) &&
        isFinite_(s.sum_completion_tokens) &&
        isFinite_(s.sum_cached_prompt_tokens) &&
        isFinite_(s.prefix_cache_hit_rate)
      )
    )
      return false;
  }
  return true;
}

const everyOf = (v: unknown, test: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(test);

/** The fields greedy and bandit runs share: task, model, budget C, breadth N, and what evoalloc adds. */
function hasRunHead(v: Obj): boolean {
  return (
    isStr(v.task) &&
    isStr(v.model) &&
    isStr(v.model_name) &&
    isPosInt(v.C) &&
    isPosInt(v.N) &&
    absentOr(v.evoalloc_version, isStr) &&
    absentOr(v.config, isRecord)
  );
}

/** True when `v` certainly satisfies `GreedyRunSchema` (false: ask zod). */
export function isGreedyRun(v: unknown): v is GreedyRun {
  if (!isObj(v)) return false;
  if (
    !(
      hasRunHead(v) &&
      isPosInt(v.T) &&
      isInt(v.seed) &&
      isFinite_(v.seed) &&
      isNum(v.final_fitness) &&
      opt(v.final_metrics, isRecord) &&
      isNum(v.wall_time_seconds) &&
      isFlopsBlock(v.flops) &&
      everyOf(v.flops_per_generation, isFinite_) &&
      opt(v.final_program, isStr)
    )
  )
    return false;
  const t = v.trajectory;
  if (!Array.isArray(t) || t.length === 0) return false;
  for (const g of t) if (!isGeneration(g)) return false;
  return true;
}

/** True when `v` certainly satisfies `BanditRunSchema` (false: ask zod). */
export function isBanditRun(v: unknown): v is BanditRun {
  if (!isObj(v)) return false;
  return (
    hasRunHead(v) &&
    isFinite_(v.params_active) &&
    isStr(v.algo) &&
    isPosInt(v.T_total) &&
    isPosInt(v.n_arms) &&
    everyOf(v.arm_seeds, isInt) &&
    isInt(v.bandit_seed) &&
    everyOf(v.selections, isCount) &&
    everyOf(v.rewards, isNum) &&
    everyOf(v.running_best, isNum) &&
    everyOf(v.flops_per_round, isFinite_) &&
    everyOf(v.cumulative_flops, isFinite_) &&
    isFinite_(v.total_flops_worst_case) &&
    isNum(v.final_best_fitness) &&
    isInt(v.best_arm_seed) &&
    everyOf(v.arm_pulls, isCount) &&
    everyOf(v.arm_final_fitness, isNum) &&
    isNum(v.wall_time_seconds) &&
    absentOr(v.T_cap_per_arm, isPosInt) &&
    absentOr(v.policy_params, isRecord) &&
    everyOf(v.arm_results, isGreedyRun)
  );
}
