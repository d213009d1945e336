/**
 * The greedy runner ("clean Φ-model", DESIGN.md "Online semantics").
 *
 *   init:  evaluate the initial program                       → trajectory[0]
 *   step:  freeze the parent → N calls (child seeds) → parse → evaluate
 *          → the best child replaces the parent only if strictly better
 *          (lowest idx among equals)                            → trajectory[g]
 *
 * Pure of process and CLI concerns: the client, the evaluator, the limiters,
 * the journal and the clock are passed in, so the grid runner calls
 * `runGreedy` in-process with shared limiters, and the bandit drives
 * `GreedyArm`s one generation at a time.
 *
 * Every finished call and evaluation goes to the journal before it is used;
 * a journalled one is replayed instead of repeated, so a resumed run makes
 * exactly the decisions of an uninterrupted one.
 */
import { createHash } from "node:crypto";
import { runFlopsFields } from "../log/flops.ts";
import type { ModelSpec } from "../log/models.ts";
import type { Child, Generation, GreedyRun } from "../log/schema.ts";
import { version as evoallocVersion } from "../version.ts";
import { capEvalResult } from "./cap.ts";
import { InitialProgramError } from "./errors.ts";
import type { RunJournal } from "./journal.ts";
import type { Limiter } from "./limit.ts";
import { parseProgram } from "./parse.ts";
import type { ChatClient, CompletionResult, EvalResult, Evaluator, Task } from "./ports.ts";
import { buildMessages } from "./prompt.ts";
import { childSeed } from "./seeds.ts";

/** What each call asks for (from the model spec, overridden by flags). */
export interface RequestParams {
  maxTokens: number;
  temperature: number;
  topP: number;
  /** Per-attempt timeout. */
  timeoutS: number;
}

export type RunnerEvent =
  /** A call finished (`replayed`: taken from the journal). */
  | { type: "call"; key: string; replayed: boolean; status: string }
  /** A generation finished; `arm` is null for a plain greedy run. */
  | { type: "generation"; arm: number | null; generation: number; bestFitness: number }
  /** Something the user should know that does not stop the run (printed on stderr). */
  | { type: "warning"; message: string };

/** The side effects of a run. */
export interface RunnerDeps {
  client: ChatClient;
  evaluator: Evaluator;
  /** Bounds LLM calls in flight (`--parallel-llm`). */
  llmLimit: Limiter;
  /** Bounds evaluations in flight (`--parallel-eval`). */
  evalLimit: Limiter;
  journal: RunJournal;
  /** Seconds on a monotonic clock (wall-clock fields only). */
  now: () => number;
  /** Aborting cancels in-flight work; the run rejects with the abort reason. */
  signal?: AbortSignal;
  onEvent?: (event: RunnerEvent) => void;
}

export interface GreedySpec {
  task: Task;
  model: ModelSpec;
  T: number;
  N: number;
  seed: number;
  request: RequestParams;
  /** Recorded as the result's `config` (no secrets). */
  config?: Record<string, unknown>;
}

interface Program {
  code: string;
  sha256: string;
  fitness: number;
  metrics: Record<string, unknown> | null;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");
}

/** "ok" | "timeout" | "error" from the last attempt of a call. */
function finalStatus(call: CompletionResult): Child["final_status"] {
  const last = call.attempts.at(-1);
  if (last === undefined) return call.content === null ? "error" : "ok";
  if (last.timed_out || last.status === "timeout") return "timeout";
  return last.status.startsWith("error") ? "error" : "ok";
}

/** Why a call's answer holds no program (the child's fitness is then null). */
function noCodeReason(call: CompletionResult): string {
  if (call.content !== null) return "no program in the answer";
  const last = call.attempts.at(-1);
  return last !== undefined && finalStatus(call) === "ok"
    ? `the answer has no text (finish_reason ${last.finish_reason ?? "null"})`
    : "no answer: every attempt failed";
}

/** Waits for every promise, then rethrows the first failure (so nothing is left running). */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/**
 * One greedy run advanced a generation at a time. `keyPrefix` separates the
 * journal keys of the arms of a bandit run.
 */
export class GreedyArm {
  readonly trajectory: Generation[] = [];
  private parent: Program | null = null;

  constructor(
    readonly spec: GreedySpec,
    private readonly deps: RunnerDeps,
    private readonly keyPrefix = "",
    private readonly armIndex: number | null = null,
  ) {}

  get fitness(): number {
    return this.parent?.fitness ?? Number.NaN;
  }
  get pulls(): number {
    return Math.max(0, this.trajectory.length - 1);
  }
  get done(): boolean {
    return this.pulls >= this.spec.T;
  }

  /** Evaluates the initial program (or takes `initial`, its evaluation shared by several arms). */
  async init(initial?: EvalResult): Promise<void> {
    const code = this.spec.task.initialProgram;
    const ev = initial ?? (await evaluateInitial(this.deps, `${this.keyPrefix}g0`, this.spec.task));
    this.parent = { code, sha256: sha256(code), fitness: ev.fitness, metrics: ev.metrics };
    this.trajectory.length = 0;
    this.trajectory.push({
      generation: 0,
      best_fitness: ev.fitness,
      n_children: 0,
      n_valid: 0,
      n_improved: 0,
      children: [],
      gen_time_s: 0,
    });
    this.deps.onEvent?.({ type: "generation", arm: this.armIndex, generation: 0, bestFitness: ev.fitness });
  }

  /** Runs the next generation; rejects on abort after every child settled. */
  async step(): Promise<Generation> {
    const parent = this.parent;
    if (parent === null) throw new Error("GreedyArm.step before init");
    const g = this.trajectory.length;
    const t0 = this.deps.now();
    const { N } = this.spec;
    const { task } = this.spec;
    const template =
      task.promptTemplate === undefined || task.promptTemplate === null
        ? null
        : {
            text: task.promptTemplate,
            generation: g,
            taskDescription: task.description ?? task.systemPrompt,
          };
    const messages = buildMessages(task.systemPrompt, parent.code, parent.fitness, template);
    const kids = await settleAll(Array.from({ length: N }, (_, idx) => this.child(g, idx, messages)));

    let best: { child: Child; code: string } | null = null;
    let nValid = 0;
    let nImproved = 0;
    for (const k of kids) {
      const f = k.child.fitness;
      if (f === null) continue;
      nValid++;
      if (f > parent.fitness) nImproved++;
      // strict: the lowest idx wins among equally good children
      if (f > parent.fitness && (best === null || f > best.child.fitness!)) best = k;
    }
    if (best !== null) {
      this.parent = {
        code: best.code,
        sha256: best.child.code_sha256!,
        fitness: best.child.fitness!,
        metrics: best.child.metrics ?? null,
      };
    }
    const row: Generation = {
      generation: g,
      best_fitness: this.parent!.fitness,
      parent_fitness: parent.fitness,
      n_children: N,
      n_valid: nValid,
      n_improved: nImproved,
      children: kids.map((k) => k.child),
      gen_time_s: round(this.deps.now() - t0, 3),
      parent_sha256: parent.sha256,
    };
    this.trajectory.push(row);
    this.deps.onEvent?.({
      type: "generation",
      arm: this.armIndex,
      generation: g,
      bestFitness: row.best_fitness,
    });
    return row;
  }

  private async child(
    g: number,
    idx: number,
    messages: ReturnType<typeof buildMessages>,
  ): Promise<{ child: Child; code: string }> {
    const { deps, spec } = this;
    const key = `${this.keyPrefix}g${g}/c${idx}`;
    const seed = childSeed(spec.seed, spec.N, g, idx);
    let call = deps.journal.call(key);
    const replayed = call !== undefined;
    if (call === undefined) {
      call = await deps.llmLimit.run(async () => {
        throwIfAborted(deps.signal);
        return deps.client.complete({
          messages,
          seed,
          maxTokens: spec.request.maxTokens,
          temperature: spec.request.temperature,
          topP: spec.request.topP,
          timeoutS: spec.request.timeoutS,
          ...(deps.signal ? { signal: deps.signal } : {}),
        });
      });
      throwIfAborted(deps.signal);
      deps.journal.recordCall(key, call);
    }
    deps.onEvent?.({ type: "call", key, replayed, status: call.attempts.at(-1)?.status ?? "ok" });
    const status = finalStatus(call);
    const code = parseProgram(call.content);
    if (code === null) {
      const child: Child = {
        idx,
        seed,
        fitness: null,
        valid: false,
        attempts: call.attempts,
        final_status: status,
        metrics: null,
        error: noCodeReason(call),
        code_sha256: null,
      };
      return { child, code: "" };
    }
    const ev = await evaluateOnce(deps, key, code);
    const child: Child = {
      idx,
      seed,
      fitness: ev.fitness,
      valid: ev.error === null && ev.status === "ok",
      attempts: call.attempts,
      final_status: status,
      metrics: ev.metrics,
      error: ev.error,
      code_sha256: sha256(code),
    };
    return { child, code };
  }

  /** The run file object (reference fields, then evoalloc's additions). */
  toResult(wallTimeS: number): GreedyRun {
    const { spec } = this;
    const P = spec.model.params_active;
    const run: GreedyRun = {
      task: spec.task.key,
      model: spec.model.key,
      model_name: spec.model.name,
      C: spec.T * spec.N,
      T: spec.T,
      N: spec.N,
      seed: spec.seed,
      final_fitness: this.fitness,
      final_metrics: this.parent?.metrics ?? null,
      trajectory: this.trajectory,
      wall_time_seconds: round(wallTimeS, 1),
      ...runFlopsFields(this.trajectory, P),
      final_program: this.parent?.code ?? null,
      evoalloc_version: evoallocVersion,
    };
    if (spec.config !== undefined) run.config = spec.config;
    return run;
  }
}

/**
 * Evaluates `code` under key `key`, or replays the journalled evaluation.
 * `accept` may throw to refuse an evaluation before it is journalled.
 */
export async function evaluateOnce(
  deps: RunnerDeps,
  key: string,
  code: string,
  accept?: (ev: EvalResult) => void,
): Promise<EvalResult> {
  const done = deps.journal.evaluation(key);
  if (done !== undefined) return done;
  const ev = await deps.evalLimit.run(async () => {
    throwIfAborted(deps.signal);
    // a candidate controls its error text and metrics: capped before they are kept
    return capEvalResult(await deps.evaluator.evaluate(code, deps.signal));
  });
  // an evaluation cut short by Ctrl-C is not finished: it is redone on resume
  throwIfAborted(deps.signal);
  accept?.(ev);
  deps.journal.recordEvaluation(key, ev);
  return ev;
}

/**
 * Evaluates the task's initial program before any call: an exception, a
 * timeout or a missing/non-finite combined_score stops the run (a score of
 * 0 is fine). A refused evaluation is not journalled.
 * @throws InitialProgramError with the evaluator's error text (the traceback).
 */
export function evaluateInitial(deps: RunnerDeps, key: string, task: Task): Promise<EvalResult> {
  return evaluateOnce(deps, key, task.initialProgram, (ev) => {
    if (ev.status === "ok" && ev.error === null && Number.isFinite(ev.fitness)) return;
    const detail = ev.error ?? `combined_score is ${ev.fitness}`;
    const first = detail.trim().split("\n").at(-1) ?? "";
    throw new InitialProgramError(
      `task ${task.key}: the initial program does not evaluate (${ev.status}${first ? `: ${first}` : ""}); ${task.dir}`,
      detail,
    );
  });
}

/**
 * A full greedy run: init, then T generations (C = T·N calls).
 *
 * @example const run = await runGreedy(spec, deps); run.trajectory.length // => spec.T + 1
 */
export async function runGreedy(spec: GreedySpec, deps: RunnerDeps): Promise<GreedyRun> {
  const t0 = deps.now();
  const arm = new GreedyArm(spec, deps);
  await arm.init();
  while (!arm.done) await arm.step();
  return arm.toResult(deps.now() - t0);
}
