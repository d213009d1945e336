/**
 * The side-effect interfaces of the online runner. The runner is written
 * against these, so it is tested with real parts (a loopback HTTP server, real
 * Python evaluation) and with fakes where a real part cannot fail on demand.
 */
import type { Attempt } from "../log/schema.ts";

/** Where each of a task's values came from, e.g. "config.yaml prompt.system_message", "task.json eval_timeout_s", "default". */
export interface TaskSources {
  systemPrompt: string;
  evalTimeoutS: string;
  entry: string;
  promptTemplate: string;
}

/** A task folder: `initial_program.py`, `evaluator.py`, optionally task.json and an OpenEvolve config (tasks.ts). */
export interface Task {
  key: string;
  dir: string;
  initialProgram: string;
  evaluatorPath: string;
  /** Entry function the evaluator calls (documentation only); null when task.json names none. */
  entry: string | null;
  evalTimeoutS: number;
  systemPrompt: string;
  /** task.json `description` (the template's {task_description}). */
  description?: string | null;
  /** The user message as a Python str.format template (prompt.ts); null: evoalloc's default prompt. */
  promptTemplate?: string | null;
  /** The OpenEvolve config file read, if any. */
  configFile?: string | null;
  sources?: TaskSources;
  /** V*, the Φ-model's ceiling (task.json `ceiling`), when given. */
  ceiling?: number;
}

/** Outcome of evaluating one candidate program in the sandbox. */
export interface EvalResult {
  /** combined_score, or 0 on any failure. */
  fitness: number;
  metrics: Record<string, unknown> | null;
  /** Error text when the evaluation failed (the child is then not `valid`). */
  error: string | null;
  status: "ok" | "timeout" | "error";
  duration_s: number;
}

/** Evaluates untrusted candidate code in a separate, limited process. */
export interface Evaluator {
  evaluate(code: string, signal?: AbortSignal): Promise<EvalResult>;
  close(): Promise<void>;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface CompletionRequest {
  messages: ChatMessage[];
  /** Sent as the API `seed` (the child seed). */
  seed: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  /** Per-attempt timeout. */
  timeoutS: number;
  signal?: AbortSignal;
}

export interface CompletionResult {
  /**
   * The text of the final successful attempt; null when every attempt failed,
   * or when the ok answer carried no text (usage only: cut while reasoning).
   */
  content: string | null;
  /** One record per try, retries included (DESIGN.md attempt shape). */
  attempts: Attempt[];
}

/** One LLM call with retries; the OpenAI-compatible client and the in-process mutator both implement it. */
export interface ChatClient {
  complete(req: CompletionRequest): Promise<CompletionResult>;
  /**
   * Checks that the endpoint can serve the model before the first call
   * (preflight.ts); resolves with warnings, rejects with `EndpointError`.
   */
  preflight?(): Promise<string[]>;
}
