/**
 * The side effects a `run` subcommand sets up from its validated flags: the
 * task (with a `--prompt-template`), the model and its request parameters,
 * the chat client, the sandbox and the limiters. `createChatClient`,
 * `gridChatClient` and `startSandbox` serve `run grid` and `worker` too.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { ModelSpec } from "../../log/models.ts";
import type { MutatorParams } from "../../mutator/mutator.ts";
import { MutatorClient } from "../../mutator/mutator-client.ts";
import type { RequestParams } from "../../run/greedy.ts";
import type { GridConfig } from "../../run/grid/grid-config.ts";
import { promptTemplateSha } from "../../run/identity.ts";
import { createLimiter, type Limiter } from "../../run/limit.ts";
import {
  createOpenAIClient,
  type Endpoint,
  NoEndpointError,
  REFERENCE_RETRY,
  type RetryPolicy,
  resolveEndpoints,
} from "../../run/llm/client.ts";
import type { ChatClient, Evaluator, Task } from "../../run/ports.ts";
import { checkTemplate } from "../../run/prompt.ts";
import { FormatError } from "../../run/pyformat/index.ts";
import {
  createEvaluator,
  type Isolation,
  SandboxError,
  type SandboxOptions,
} from "../../run/sandbox/sandbox.ts";
import { loadTask, TaskError } from "../../run/tasks.ts";
import { Failure, UsageError } from "../errors.ts";
import { modelsOption } from "../options.ts";
import type { RunOptions } from "./options.ts";

/** Everything a run needs, resolved from the flags. */
export interface RunSetup {
  task: Task;
  model: ModelSpec;
  request: RequestParams;
  /** Recorded as the result's `config` (no secrets). */
  config: Record<string, unknown>;
  client: ChatClient;
  /** Starts the sandbox (slow: workers import numpy); call once the cheap checks passed. */
  startEvaluator(): Promise<Evaluator>;
  llmLimit: Limiter;
  evalLimit: Limiter;
}

/**
 * Resolves task, model, request parameters and the client from validated options.
 * @throws UsageError for an unknown task or model, or a bad model file.
 */
export async function setupRun(
  opts: RunOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<RunSetup> {
  const models = await modelsOption(opts.models);
  const model = Object.hasOwn(models, opts.model) ? models[opts.model] : undefined;
  if (!model)
    throw new UsageError(
      `--model: unknown model "${opts.model}" (known: ${Object.keys(models).sort().join(", ")})`,
    );
  let task: Task;
  try {
    task = opts.tasksDir === undefined ? loadTask(opts.task) : loadTask(opts.task, opts.tasksDir);
  } catch (err) {
    if (err instanceof TaskError) throw new UsageError(`--task: ${err.message}`);
    throw err;
  }
  if (opts.promptTemplate !== undefined) task = withPromptTemplate(task, opts.promptTemplate);
  const request: RequestParams = {
    maxTokens: opts.maxTokens ?? model.max_tokens,
    temperature: opts.temperature ?? model.temperature,
    topP: model.top_p,
    timeoutS: opts.timeout ?? model.timeout_s,
  };
  const parallelEval = opts.parallelEval ?? availableParallelism();
  let endpoints: Endpoint[] = [];
  try {
    if (model.provider === "openai") endpoints = resolveEndpoints(model, env, opts.apiBase);
  } catch (err) {
    if (err instanceof NoEndpointError) throw new UsageError(`--api-base: ${err.message}`);
    throw err;
  }
  const client = createChatClient(model, {
    endpoints,
    retries: opts.retries,
    backoffS: opts.backoff,
    retryPolicy: opts.retryPolicy,
  });
  const config: Record<string, unknown> = {
    provider: model.provider,
    api_base: endpoints.map((e) => e.baseURL),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    timeout_s: request.timeoutS,
    retries: opts.retryPolicy === "reference" ? REFERENCE_RETRY.tries - 1 : opts.retries,
    backoff_s: opts.retryPolicy === "reference" ? REFERENCE_RETRY.waitS : opts.backoff,
    retry_policy: opts.retryPolicy,
    parallel_llm: opts.parallelLlm,
    parallel_eval: parallelEval,
    isolation: opts.isolation,
    eval_memory_bytes: opts.evalMemory ?? null,
    eval_timeout_s: task.evalTimeoutS,
    task_dir: task.dir,
    task_sources: task.sources ?? null,
    prompt_template_sha256: promptTemplateSha(task),
  };
  return {
    task,
    model,
    request,
    config,
    client,
    startEvaluator: () =>
      startSandbox(task, {
        isolation: opts.isolation as Isolation,
        parallel: parallelEval,
        ...(opts.evalMemory !== undefined ? { memoryBytes: opts.evalMemory } : {}),
      }),
    llmLimit: createLimiter(opts.parallelLlm),
    evalLimit: createLimiter(parallelEval),
  };
}

/**
 * The task with its user message taken from a template file (`--prompt-template`).
 * @throws UsageError naming the file when it cannot be read or formatted.
 */
function withPromptTemplate(task: Task, file: string): Task {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `--prompt-template: ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  try {
    checkTemplate(text);
  } catch (err) {
    if (err instanceof FormatError) throw new UsageError(`--prompt-template: ${file}: ${err.message}`);
    throw err;
  }
  return {
    ...task,
    promptTemplate: text,
    sources: { ...(task.sources ?? defaultSources), promptTemplate: `--prompt-template ${file}` },
  };
}

const defaultSources = {
  systemPrompt: "default",
  evalTimeoutS: "default",
  entry: "none",
  promptTemplate: "default",
};

/** How a model's chat client reaches its model: the endpoints and retry rules of an openai model, the step sizes of the mutator. */
export interface ChatClientOptions {
  endpoints: Endpoint[];
  retries: number;
  /** First wait before a retry, in seconds (the client's default when absent). */
  backoffS?: number;
  retryPolicy: RetryPolicy;
  /** The mutator's step sizes (its defaults where absent). */
  mutator?: Partial<MutatorParams>;
}

/** The chat client of a model: its provider decides (openai: endpoints; mutator: in-process). */
export function createChatClient(model: ModelSpec, o: ChatClientOptions): ChatClient {
  if (model.provider === "mutator") return new MutatorClient(o.mutator);
  return createOpenAIClient({
    model: model.name,
    endpoints: o.endpoints,
    retries: o.retries,
    ...(o.backoffS !== undefined ? { backoffS: o.backoffS } : {}),
    retryPolicy: o.retryPolicy,
  });
}

/** The client of a grid's model: its endpoints from the environment, the config's retry rules and mutator steps. */
export function gridChatClient(model: ModelSpec, cfg: GridConfig): ChatClient {
  const m = cfg.mutator ?? {};
  return createChatClient(model, {
    endpoints: model.provider === "openai" ? resolveEndpoints(model, process.env) : [],
    retries: cfg.retries,
    retryPolicy: cfg.retry_policy,
    mutator: {
      ...(m.scale_min !== undefined ? { scaleMin: m.scale_min } : {}),
      ...(m.scale_max !== undefined ? { scaleMax: m.scale_max } : {}),
      ...(m.abs_floor !== undefined ? { absFloor: m.abs_floor } : {}),
    },
  });
}

/**
 * Starts the sandbox of `task`.
 * @throws Failure "task cp: the sandbox cannot start: …" when it cannot.
 */
export async function startSandbox(task: Task, opts: SandboxOptions): Promise<Evaluator> {
  try {
    return await createEvaluator(task, opts);
  } catch (err) {
    if (err instanceof SandboxError)
      throw new Failure(`task ${task.key}: the sandbox cannot start: ${err.message}`);
    throw err;
  }
}
