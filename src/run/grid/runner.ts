/**
 * The part of a grid that runs one of its runs: the clients, evaluators and
 * limiters every run of the grid shares, and one `GridRun` taken to its
 * result file by `runToFile` (resumed from its journal when there is one).
 * `runGrid` drives it over the whole grid; a worker of a distributed grid can
 * drive it one run at a time with the very same code.
 *
 *   createGridRunner ─> sharedParts (limiters; one task, client, evaluator per key)
 *   run(r)           ─> runOne: spec + identity + config ─> runToFile ─> outcome (done | complete | failedOutcome)
 */
import { join } from "node:path";
import type { ModelSpec } from "../../log/models.ts";
import type { BanditRun, GreedyRun } from "../../log/schema.ts";
import { banditPolicy, runBandit } from "../bandit.ts";
import { type RequestParams, runGreedy } from "../greedy.ts";
import { banditIdentity, greedyIdentity } from "../identity.ts";
import { createLimiter, type Limiter } from "../limit.ts";
import type { ChatClient, Evaluator, Task } from "../ports.ts";
import { RunFileError, RunStopped, runToFile } from "../run-file.ts";
import { MemoEvaluator } from "../sandbox/memo-evaluator.ts";
import type { BanditGridRun, GreedyGridRun, GridConfig, GridRun } from "./grid-config.ts";

/** The side effects a grid's runs share. */
export interface GridRunnerDeps {
  /** Absolute root of the result tree. */
  root: string;
  models: Record<string, ModelSpec>;
  loadTask(key: string): Task;
  /** One client per model, shared by its runs. */
  makeClient(model: ModelSpec): ChatClient;
  /** One evaluator per task, shared by its runs; `parallel` is the grid's evaluation limit. */
  startEvaluator(task: Task, parallel: number): Promise<Evaluator>;
  /** Evaluations in flight when the config does not say (the number of cores). */
  defaultParallelEval: number;
  /** Seconds on a monotonic clock. */
  now(): number;
  signal?: AbortSignal;
  /** One line per warning (and, from runGrid, per finished, skipped or failed run). */
  log?(line: string): void;
  /** Recorded in every result's `config` (e.g. the config file's name). */
  configLabel?: string;
  /** Redo every run: existing results and journals are replaced. */
  force?: boolean;
}

/** What one run tells as it goes. */
export interface GridRunHooks {
  /** The run is under way (its task, model and spec resolved). */
  onStart?(): void;
  /** It resumes from a journal that holds finished calls. */
  onResume?(): void;
  /** A call finished: asked now, or `replayed` from the journal. */
  onCall?(replayed: boolean): void;
  /** Stops this run alone (its journal keeps what finished); the deps' signal stops every run. */
  signal?: AbortSignal;
  /** Tags the output's lock: a queue job's id (output-lock.ts). */
  lockTag?: string;
}

/** What became of one run. */
export type GridRunOutcome =
  /** Run (or finished from its journal) now; `final` is its final (best) fitness. */
  | { state: "done"; final: number }
  /** Its result file was already complete: nothing done. */
  | { state: "complete" }
  /** Stopped by the signal; its journal keeps what finished. */
  | { state: "interrupted" }
  /** Failed; the message says why (rerun to retry). */
  | { state: "failed"; error: string }
  /** Another live process holds the output's lock: nothing ran (try later). */
  | { state: "busy"; error: string };

export interface GridRunner {
  /**
   * Runs `r` to its result file.
   * @throws Error for a model the deps do not know, or what `loadTask` throws.
   */
  run(r: GridRun, hooks?: GridRunHooks): Promise<GridRunOutcome>;
  /** Asks every model's endpoint first (EndpointError when one does not answer); warnings go to `log`. */
  preflight(modelKeys: Iterable<string>): Promise<void>;
  /** Evaluations run and reused so far (0 without the config's eval_cache). */
  evalStats(): { evaluated: number; reused: number };
  /** Closes every evaluator started. */
  close(): Promise<void>;
  /** The identity of a run (what its journal's header holds). */
  identity(r: GridRun): Record<string, unknown>;
}

/** The limits a runner works under: the config's by default, or a queue worker's own. */
export interface GridLimits {
  parallelLlm: number;
  parallelEval: number;
  /** Limiters shared with other runners (a worker serving several grids); made from the numbers when absent. */
  llm?: Limiter;
  eval?: Limiter;
}

/** The identity of a grid's run (identity.ts): what its journal's header holds. */
export function gridRunIdentity(
  cfg: GridConfig,
  r: GridRun,
  model: ModelSpec,
  task: Task,
): Record<string, unknown> {
  const req = requestParams(model, cfg);
  return r.kind === "greedy"
    ? greedyIdentity(greedySpec(r, task, model, req, {}))
    : banditIdentity(banditSpec(r, task, model, req, {}));
}

/** The request parameters of a model under the grid's overrides. */
export function requestParams(model: ModelSpec, cfg: GridConfig): RequestParams {
  return {
    maxTokens: cfg.max_tokens ?? model.max_tokens,
    temperature: model.temperature,
    topP: model.top_p,
    timeoutS: cfg.timeout_s ?? model.timeout_s,
  };
}

/** The policy of a bandit run, seeded as `evoalloc run bandit` seeds it. */
export function policyOf(r: BanditGridRun) {
  return banditPolicy({ ...r, policyParams: r.params });
}

/** A memo of `make` by `keyOf` its argument. */
function cached<A, V>(keyOf: (a: A) => string, make: (a: A) => V): (a: A) => V {
  const made = new Map<string, V>();
  return (a) => {
    let v = made.get(keyOf(a));
    if (v === undefined) made.set(keyOf(a), (v = make(a)));
    return v;
  };
}

/** The runner of `cfg`'s runs: limiters, clients and evaluators are made once and shared. */
export function createGridRunner(
  cfg: GridConfig,
  deps: GridRunnerDeps,
  limits: GridLimits = {
    parallelLlm: cfg.parallel_llm,
    parallelEval: cfg.parallel_eval ?? deps.defaultParallelEval,
  },
): GridRunner {
  const shared = sharedParts(cfg, deps, limits);
  return {
    run: (r, hooks = {}) => runOne(shared, r, hooks),
    identity: (r) => gridRunIdentity(cfg, r, modelOf(deps, r), shared.task(r.task)),
    async preflight(modelKeys) {
      for (const key of modelKeys) {
        const m = deps.models[key];
        if (m === undefined) continue;
        for (const w of (await shared.client(m).preflight?.()) ?? []) deps.log?.(`warning: ${w}`);
      }
    },
    evalStats: () => ({
      evaluated: shared.memos.reduce((s, m) => s + m.stats.evaluated, 0),
      reused: shared.memos.reduce((s, m) => s + m.stats.reused, 0),
    }),
    async close() {
      const started = await Promise.allSettled(shared.evaluators.values());
      await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.close() : Promise.resolve())));
    },
  };
}

/** What every run of a runner shares: the deps, the two limiters, one task, client and evaluator per key. */
interface SharedParts {
  cfg: GridConfig;
  deps: GridRunnerDeps;
  llmLimit: Limiter;
  evalLimit: Limiter;
  task(key: string): Task;
  client(m: ModelSpec): ChatClient;
  /** Started on first use, one per task (wrapped in a MemoEvaluator with the config's eval_cache). */
  evaluator(t: Task): Promise<Evaluator>;
  evaluators: Map<string, Promise<Evaluator>>;
  memos: MemoEvaluator[];
}

function sharedParts(cfg: GridConfig, deps: GridRunnerDeps, limits: GridLimits): SharedParts {
  const memos: MemoEvaluator[] = [];
  const evaluators = new Map<string, Promise<Evaluator>>();
  const evaluator = (t: Task): Promise<Evaluator> => {
    let e = evaluators.get(t.key);
    if (e === undefined) {
      e = deps.startEvaluator(t, limits.parallelEval).then((inner) => {
        if (!cfg.eval_cache) return inner;
        const memo = new MemoEvaluator(inner);
        memos.push(memo);
        return memo;
      });
      evaluators.set(t.key, e);
    }
    return e;
  };
  return {
    cfg,
    deps,
    llmLimit: limits.llm ?? createLimiter(limits.parallelLlm),
    evalLimit: limits.eval ?? createLimiter(limits.parallelEval),
    task: cached(
      (key: string) => key,
      (key) => deps.loadTask(key),
    ),
    client: cached(
      (m: ModelSpec) => m.key,
      (m) => deps.makeClient(m),
    ),
    evaluator,
    evaluators,
    memos,
  };
}

const modelOf = (deps: Pick<GridRunnerDeps, "models">, r: GridRun): ModelSpec => {
  const model = deps.models[r.model];
  if (model === undefined) throw new Error(`unknown model ${r.model}`);
  return model;
};

/** One run to its result file, resumed from its journal when there is one. */
async function runOne(s: SharedParts, r: GridRun, hooks: GridRunHooks): Promise<GridRunOutcome> {
  const { cfg, deps } = s;
  const model = modelOf(deps, r);
  const t = s.task(r.task);
  const req = requestParams(model, cfg);
  const config = runConfig(cfg, deps.configLabel, model, t, req);
  const g = r.kind === "greedy" ? greedySpec(r, t, model, req, config) : null;
  const b = r.kind === "bandit" ? banditSpec(r, t, model, req, config) : null;
  const signals = [deps.signal, hooks.signal].filter((x): x is AbortSignal => x !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  hooks.onStart?.();
  try {
    const outcome = await runToFile<GreedyRun | BanditRun>({
      output: join(deps.root, r.path),
      identity: g !== null ? greedyIdentity(g) : banditIdentity(b!),
      resume: true,
      force: deps.force ?? false,
      maxConsecutiveFailures: cfg.max_consecutive_failures,
      evaluator: () => s.evaluator(t),
      core: (runDeps) =>
        g !== null ? runGreedy(g, runDeps) : runBandit(b!, policyOf(r as BanditGridRun), runDeps),
      deps: {
        client: s.client(model),
        llmLimit: s.llmLimit,
        evalLimit: s.evalLimit,
        now: deps.now,
        ...(signal ? { signal } : {}),
        onEvent: (e) => {
          if (e.type === "warning") deps.log?.(`warning ${r.path}: ${e.message}`);
          if (e.type === "call") hooks.onCall?.(e.replayed);
        },
      },
      onStart: ({ replayed }) => {
        if (replayed > 0) hooks.onResume?.();
      },
      ...(hooks.lockTag !== undefined ? { lockTag: hooks.lockTag } : {}),
    });
    if (outcome.state === "complete") return { state: "complete" };
    const res = outcome.result;
    const final =
      r.kind === "greedy" ? (res as GreedyRun).final_fitness : (res as BanditRun).final_best_fitness;
    return { state: "done", final };
  } catch (err) {
    return failedOutcome(err);
  }
}

/** What a run that threw became: interrupted (stopped by a signal), busy (output locked) or failed. */
export function failedOutcome(err: unknown): GridRunOutcome {
  if (err instanceof RunStopped && err.interrupted) return { state: "interrupted" };
  if (err instanceof RunFileError && err.locked) return { state: "busy", error: err.message };
  const cause = err instanceof RunStopped ? err.cause : err;
  return { state: "failed", error: cause instanceof Error ? cause.message : String(cause) };
}

/** What a grid's run records as its result's `config` (no secrets). */
export function runConfig(
  cfg: GridConfig,
  label: string | undefined,
  m: ModelSpec,
  t: Task,
  req: RequestParams,
): Record<string, unknown> {
  return {
    provider: m.provider,
    max_tokens: req.maxTokens,
    temperature: req.temperature,
    top_p: req.topP,
    timeout_s: req.timeoutS,
    retries: cfg.retries,
    eval_timeout_s: t.evalTimeoutS,
    eval_cache: cfg.eval_cache,
    ...(m.provider === "mutator" && cfg.mutator ? { mutator: cfg.mutator } : {}),
    grid: label ?? "grid",
  };
}

function greedySpec(r: GreedyGridRun, task: Task, model: ModelSpec, request: RequestParams, config: object) {
  return { task, model, T: r.T, N: r.N, seed: r.seed, request, config: { ...config } };
}

function banditSpec(r: BanditGridRun, task: Task, model: ModelSpec, request: RequestParams, config: object) {
  return {
    task,
    model,
    N: r.N,
    request,
    algo: r.algo,
    T_total: r.T_total,
    nArms: r.nArms,
    armSeedBase: r.armSeedBase,
    banditSeed: r.banditSeed,
    T_cap_per_arm: r.T_cap_per_arm,
    policyParams: r.params,
    ...(r.rng !== undefined ? { rng: r.rng } : {}),
    config: { ...config },
  };
}
