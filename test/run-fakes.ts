/**
 * Fakes for the runner's core tests: a chat client scripted per (generation,
 * child) and an evaluator that reads `score = X` from the candidate.
 */
import { BUILTIN_MODELS, type ModelSpec } from "../src/log/models.ts";
import type { RunnerDeps } from "../src/run/greedy.ts";
import { memoryJournal, type RunJournal } from "../src/run/journal.ts";
import { createLimiter } from "../src/run/limit.ts";
import type {
  ChatClient,
  CompletionRequest,
  CompletionResult,
  EvalResult,
  Evaluator,
  Task,
} from "../src/run/ports.ts";
import { childSeed } from "../src/run/seeds.ts";

export const task: Task = {
  key: "toy",
  dir: "/nonexistent",
  initialProgram: "score = 0.5\n",
  evaluatorPath: "/nonexistent/evaluator.py",
  entry: "main",
  evalTimeoutS: 5,
  systemPrompt: "Improve the score.",
};

export const model: ModelSpec = {
  ...BUILTIN_MODELS["qwen3-8b"]!,
  key: "toy-model",
  name: "toy/model",
  params_active: 10,
};

/** Evaluates `score = X` → X; `boom` → error; code is recorded. */
export class FakeEvaluator implements Evaluator {
  readonly seen: string[] = [];
  async evaluate(code: string, signal?: AbortSignal): Promise<EvalResult> {
    signal?.throwIfAborted();
    this.seen.push(code);
    await new Promise<void>((r) => setImmediate(r));
    if (code.includes("boom"))
      return { fitness: 0, metrics: null, error: "boom", status: "error", duration_s: 0 };
    const m = /score = ([-\d.eE]+)/.exec(code);
    const fitness = m ? Number(m[1]) : 0;
    return { fitness, metrics: { combined_score: fitness }, error: null, status: "ok", duration_s: 0 };
  }
  async close(): Promise<void> {}
}

/** Answer text per (arm seed, generation, idx); default: the parent's score + 0.001·(idx+1). */
export type Answer = (where: { runSeed: number; g: number; idx: number; parent: string }) => string | null;

const okAttempt = (finish = "stop") => ({
  attempt_idx: 0,
  status: "ok",
  latency_s: 0.01,
  usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  finish_reason: finish,
  timed_out: false,
});

/**
 * A client that knows which child a seed belongs to (seeds of runs
 * `runSeeds`, breadth N, up to `maxG` generations). `null` answers become a
 * failed call (three 500s).
 */
export class ScriptedClient implements ChatClient {
  readonly calls: number[] = [];
  private readonly where = new Map<number, { runSeed: number; g: number; idx: number }>();
  constructor(
    runSeeds: number[],
    N: number,
    maxG: number,
    private readonly answer: Answer,
  ) {
    for (const runSeed of runSeeds)
      for (let g = 1; g <= maxG; g++)
        for (let idx = 0; idx < N; idx++) this.where.set(childSeed(runSeed, N, g, idx), { runSeed, g, idx });
  }
  async complete(req: CompletionRequest): Promise<CompletionResult> {
    req.signal?.throwIfAborted();
    this.calls.push(req.seed);
    await new Promise<void>((r) => setImmediate(r));
    req.signal?.throwIfAborted();
    const w = this.where.get(req.seed);
    if (!w) throw new Error(`unknown seed ${req.seed}`);
    const parent = /```python\n([\s\S]*?)```/.exec(req.messages[1]!.content)?.[1] ?? "";
    const text = this.answer({ ...w, parent });
    if (text === null) {
      const err = (i: number) => ({
        attempt_idx: i,
        status: "error:InternalServerError",
        latency_s: 0.01,
        usage: null,
        finish_reason: null,
        timed_out: false,
        error: "HTTP 500",
      });
      return { content: null, attempts: [err(0), err(1), err(2)] };
    }
    return { content: text, attempts: [okAttempt()] };
  }
}

export const parentScore = (parent: string): number => Number(/score = ([-\d.eE]+)/.exec(parent)?.[1] ?? 0);

export function deps(client: ChatClient, evaluator: Evaluator, extra: Partial<RunnerDeps> = {}): RunnerDeps {
  let t = 0;
  return {
    client,
    evaluator,
    llmLimit: createLimiter(3),
    evalLimit: createLimiter(2),
    journal: memoryJournal() as RunJournal,
    now: () => (t += 0.5),
    ...extra,
  };
}

export const request = { maxTokens: 100, temperature: 0.4, topP: 0.95, timeoutS: 5 };

/** A copy without wall-clock fields (latencies, generation and run times). */
export function withoutWallClock(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (k, v) =>
      k === "latency_s" ||
      k === "gen_time_s" ||
      k === "wall_time_seconds" ||
      k === "duration_s" ||
      k === "eval_time"
        ? undefined
        : v,
    ),
  );
}
