/**
 * `evoalloc run grid`: a whole experiment grid in one process.
 *
 *   config ─expand─> runs ─┬─ result file exists ──────────────> skipped
 *                          ├─ journal exists ─> resume ─┐
 *                          └─ fresh ────────────────────┴─> runGreedy / runBandit
 *                                                           (shared: one limiter on calls in flight,
 *                                                            one on evaluations, one evaluator per task)
 *                                                         ─> result file (atomic) ─> journal removed
 *
 * Runs go `parallel_runs` at a time; their calls and evaluations share the
 * two limiters, so the grid is never more parallel than asked however many
 * runs are in progress. A failed run is reported and the grid goes on; an
 * abort stops every run with its journal consistent (rerun to resume).
 */
import { existsSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parsePythonJson } from "../../log/json.ts";
import type { ModelSpec } from "../../log/models.ts";
import type { BanditRun, GreedyRun } from "../../log/schema.ts";
import { banditPolicy, runBandit } from "../bandit.ts";
import { type RequestParams, runGreedy } from "../greedy.ts";
import { banditIdentity, greedyIdentity } from "../identity.ts";
import { journalPath } from "../journal.ts";
import { createLimiter } from "../limit.ts";
import type { ChatClient, Evaluator, Task } from "../ports.ts";
import { RunStopped, runToFile } from "../run-file.ts";
import { MemoEvaluator } from "../sandbox/memo-evaluator.ts";
import type { BanditGridRun, GreedyGridRun, GridConfig, GridRun } from "./grid-config.ts";
import { expandGrid } from "./grid-config.ts";

/** The side effects of a grid. */
export interface GridDeps {
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
  /** Called at most about once a second while calls finish, and at every run's end. */
  onProgress?(p: GridProgress): void;
  /** One line per finished, skipped or failed run. */
  log?(line: string): void;
  /** Recorded in every result's `config` (e.g. the config file's name). */
  configLabel?: string;
  /** Redo every run: existing results and journals are replaced. */
  force?: boolean;
}

export interface GridProgress {
  runsTotal: number;
  runsDone: number;
  runsSkipped: number;
  runsFailed: number;
  runsActive: number;
  /** Calls of the runs not skipped. */
  callsTotal: number;
  callsDone: number;
  /** Of callsDone: taken from journals (resumed runs), not asked again. */
  callsReplayed: number;
  callsPerS: number;
  /** Seconds left at the current rate; null before any call. */
  etaS: number | null;
  evaluated: number;
  evalReused: number;
}

export interface GreedyRow {
  task: string;
  model: string;
  C: number;
  T: number;
  N: number;
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export interface BanditRow {
  task: string;
  model: string;
  algo: string;
  C: number;
  K: number;
  n: number;
  mean: number;
  sd: number;
}

export interface GridSummary {
  root: string;
  runs: { total: number; run: number; resumed: number; skipped: number; failed: number };
  calls: { total: number; done: number; replayed: number };
  evaluations: { run: number; reused: number };
  wall_time_s: number;
  interrupted: boolean;
  failures: { path: string; error: string }[];
  greedy: GreedyRow[];
  bandit: BanditRow[];
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

/** The path of a run's result file when it exists in either form (.json or .json.gz), else null. */
export function existingResult(root: string, path: string): string | null {
  const base = path.replace(/\.gz$/, "");
  for (const p of [base, `${base}.gz`]) if (existsSync(join(root, p))) return join(root, p);
  return null;
}

/**
 * Runs every run of `cfg` that has no result file yet.
 * Resolves with the summary (also when interrupted: `interrupted` true).
 */
export async function runGrid(cfg: GridConfig, deps: GridDeps): Promise<GridSummary> {
  const t0 = deps.now();
  const runs = expandGrid(cfg, cfg.gzip ? ".json.gz" : ".json");
  const parallelEval = cfg.parallel_eval ?? deps.defaultParallelEval;
  const llmLimit = createLimiter(cfg.parallel_llm);
  const evalLimit = createLimiter(parallelEval);
  const runLimit = createLimiter(cfg.parallel_runs);

  const tasks = new Map<string, Task>();
  const task = (key: string): Task => {
    let t = tasks.get(key);
    if (t === undefined) tasks.set(key, (t = deps.loadTask(key)));
    return t;
  };
  const clients = new Map<string, ChatClient>();
  const client = (m: ModelSpec): ChatClient => {
    let c = clients.get(m.key);
    if (c === undefined) clients.set(m.key, (c = deps.makeClient(m)));
    return c;
  };
  const evaluators = new Map<string, Promise<Evaluator>>();
  const memos: MemoEvaluator[] = [];
  const evaluator = (t: Task): Promise<Evaluator> => {
    let e = evaluators.get(t.key);
    if (e === undefined) {
      e = deps.startEvaluator(t, parallelEval).then((inner) => {
        if (!cfg.eval_cache) return inner;
        const memo = new MemoEvaluator(inner);
        memos.push(memo);
        return memo;
      });
      evaluators.set(t.key, e);
    }
    return e;
  };

  const todo: GridRun[] = [];
  const finals = new Map<string, number>();
  let skipped = 0;
  for (const r of runs) {
    const done = existingResult(deps.root, r.path);
    if (done === null || deps.force) {
      todo.push(r);
      continue;
    }
    skipped++;
    // killed between writing the result and removing the journal: the result is whole (atomic), so the journal is obsolete
    rmSync(journalPath(done), { force: true });
  }
  const progress: GridProgress = {
    runsTotal: runs.length,
    runsDone: skipped,
    runsSkipped: skipped,
    runsFailed: 0,
    runsActive: 0,
    callsTotal: todo.reduce((s, r) => s + r.calls, 0),
    callsDone: 0,
    callsReplayed: 0,
    callsPerS: 0,
    etaS: null,
    evaluated: 0,
    evalReused: 0,
  };
  let lastEmit = 0;
  const emit = (force: boolean): void => {
    const now = deps.now();
    if (!force && now - lastEmit < 1) return;
    lastEmit = now;
    const fresh = progress.callsDone - progress.callsReplayed;
    const elapsed = Math.max(1e-9, now - t0);
    progress.callsPerS = fresh / elapsed;
    progress.etaS = fresh > 0 ? (progress.callsTotal - progress.callsDone) / progress.callsPerS : null;
    progress.evaluated = memos.reduce((s, m) => s + m.stats.evaluated, 0);
    progress.evalReused = memos.reduce((s, m) => s + m.stats.reused, 0);
    deps.onProgress?.({ ...progress });
  };

  let resumed = 0;
  let ran = 0;
  const failures: { path: string; error: string }[] = [];
  const configOf = (m: ModelSpec, t: Task, req: RequestParams): Record<string, unknown> => ({
    provider: m.provider,
    max_tokens: req.maxTokens,
    temperature: req.temperature,
    top_p: req.topP,
    timeout_s: req.timeoutS,
    retries: cfg.retries,
    eval_timeout_s: t.evalTimeoutS,
    eval_cache: cfg.eval_cache,
    ...(m.provider === "mutator" && cfg.mutator ? { mutator: cfg.mutator } : {}),
    grid: deps.configLabel ?? "grid",
  });

  const fail = (r: GridRun, err: unknown): void => {
    progress.runsFailed++;
    const msg = err instanceof Error ? err.message : String(err);
    failures.push({ path: r.path, error: msg });
    deps.log?.(`FAILED ${r.path}: ${msg}`);
  };

  const one = async (r: GridRun): Promise<void> => {
    if (deps.signal?.aborted) return;
    const model = deps.models[r.model];
    if (model === undefined) throw new Error(`unknown model ${r.model}`);
    const t = task(r.task);
    const req = requestParams(model, cfg);
    const config = configOf(model, t, req);
    const g = r.kind === "greedy" ? greedySpec(r, t, model, req, config) : null;
    const b = r.kind === "bandit" ? banditSpec(r, t, model, req, config) : null;
    progress.runsActive++;
    try {
      const outcome = await runToFile<GreedyRun | BanditRun>({
        output: join(deps.root, r.path),
        identity: g !== null ? greedyIdentity(g) : banditIdentity(b!),
        resume: true,
        force: deps.force ?? false,
        maxConsecutiveFailures: cfg.max_consecutive_failures,
        evaluator: () => evaluator(t),
        core: (runDeps) =>
          g !== null ? runGreedy(g, runDeps) : runBandit(b!, policyOf(r as BanditGridRun), runDeps),
        deps: {
          client: client(model),
          llmLimit,
          evalLimit,
          now: deps.now,
          ...(deps.signal ? { signal: deps.signal } : {}),
          onEvent: (e) => {
            if (e.type === "warning") deps.log?.(`warning ${r.path}: ${e.message}`);
            if (e.type !== "call") return;
            progress.callsDone++;
            if (e.replayed) progress.callsReplayed++;
            emit(false);
          },
        },
        onStart: ({ replayed }) => {
          if (replayed > 0) resumed++;
        },
      });
      if (outcome.state === "complete") return;
      const res = outcome.result;
      const final =
        r.kind === "greedy" ? (res as GreedyRun).final_fitness : (res as BanditRun).final_best_fitness;
      finals.set(r.path, final);
      ran++;
      progress.runsDone++;
      deps.log?.(`done ${r.path}: ${final.toFixed(6)}`);
    } catch (err) {
      if (err instanceof RunStopped) {
        if (err.interrupted) return;
        fail(r, err.cause);
      } else fail(r, err);
    } finally {
      progress.runsActive--;
      emit(true);
    }
  };

  // every model's endpoint answers before any run starts (EndpointError otherwise)
  for (const key of new Set(todo.map((r) => r.model))) {
    const m = deps.models[key];
    if (m === undefined) continue;
    for (const w of (await client(m).preflight?.()) ?? []) deps.log?.(`warning: ${w}`);
  }
  emit(true);
  try {
    await Promise.all(todo.map((r) => runLimit.run(() => one(r))));
  } finally {
    const started = await Promise.allSettled(evaluators.values());
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.close() : Promise.resolve())));
  }
  emit(true);

  // summary over every result file of the grid, skipped ones included
  for (const r of runs) {
    if (finals.has(r.path)) continue;
    const file = existingResult(deps.root, r.path);
    if (file === null) continue;
    const f = await readFinal(file);
    if (f !== null) finals.set(r.path, f);
  }
  return {
    root: deps.root,
    runs: { total: runs.length, run: ran, resumed, skipped, failed: failures.length },
    calls: { total: progress.callsTotal, done: progress.callsDone, replayed: progress.callsReplayed },
    evaluations: { run: progress.evaluated, reused: progress.evalReused },
    wall_time_s: Math.round((deps.now() - t0) * 10) / 10,
    interrupted: deps.signal?.aborted ?? false,
    failures,
    greedy: greedyRows(
      runs.filter((r): r is GreedyGridRun => r.kind === "greedy"),
      finals,
    ),
    bandit: banditRows(
      runs.filter((r): r is BanditGridRun => r.kind === "bandit"),
      finals,
    ),
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
    config: { ...config },
  };
}

/** The policy of a bandit run, seeded as `evoalloc run bandit` seeds it. */
export function policyOf(r: BanditGridRun) {
  return banditPolicy({ ...r, policyParams: r.params });
}

async function readFinal(file: string): Promise<number | null> {
  try {
    let bytes = await readFile(file);
    if (file.endsWith(".gz")) bytes = gunzipSync(bytes);
    const json = parsePythonJson(bytes.toString("utf8")) as Record<string, unknown>;
    const f = json.final_best_fitness ?? json.final_fitness;
    return typeof f === "number" ? f : null;
  } catch {
    return null;
  }
}

function stats(xs: number[]): { n: number; mean: number; sd: number; min: number; max: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

function greedyRows(runs: GreedyGridRun[], finals: Map<string, number>): GreedyRow[] {
  const groups = new Map<string, { r: GreedyGridRun; xs: number[] }>();
  for (const r of runs) {
    const f = finals.get(r.path);
    if (f === undefined) continue;
    const key = `${r.task}\0${r.model}\0${r.T * r.N}\0${r.T}`;
    const g = groups.get(key) ?? { r, xs: [] };
    g.xs.push(f);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ r, xs }) => ({ task: r.task, model: r.model, C: r.T * r.N, T: r.T, N: r.N, ...stats(xs) }))
    .sort((a, b) => a.task.localeCompare(b.task) || a.model.localeCompare(b.model) || a.C - b.C || a.T - b.T);
}

function banditRows(runs: BanditGridRun[], finals: Map<string, number>): BanditRow[] {
  const groups = new Map<string, { r: BanditGridRun; xs: number[] }>();
  for (const r of runs) {
    const f = finals.get(r.path);
    if (f === undefined) continue;
    const key = `${r.task}\0${r.model}\0${r.algo}\0${r.calls}\0${r.nArms}`;
    const g = groups.get(key) ?? { r, xs: [] };
    g.xs.push(f);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ r, xs }) => {
      const s = stats(xs);
      return {
        task: r.task,
        model: r.model,
        algo: r.algo,
        C: r.T_total * r.N,
        K: r.nArms,
        n: s.n,
        mean: s.mean,
        sd: s.sd,
      };
    })
    .sort(
      (a, b) =>
        a.task.localeCompare(b.task) || a.model.localeCompare(b.model) || a.algo.localeCompare(b.algo),
    );
}
