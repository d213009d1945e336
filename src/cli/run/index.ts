/**
 * `evoalloc run greedy|bandit`: online experiments against an
 * OpenAI-compatible endpoint, with the reference's flags and default output
 * paths. Parse → validate → set up the side effects (client, sandbox,
 * limiters, journal, progress, Ctrl-C) → call the pure core
 * (`runGreedy`/`runBandit`) → write the result atomically.
 *
 * Another module adds a subcommand (e.g. `run grid`) with one import and one
 * entry in `SUBCOMMANDS`; it reuses `addRunOptions`, `parseRunOptions` and
 * `setupRun` for the flags and the side effects they share.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import { failedCallsWarning, runHealth } from "../../log/health.ts";
import { parsePythonJson } from "../../log/json.ts";
import { loadModels, ModelFileError, type ModelSpec } from "../../log/models.ts";
import { banditResultPath, greedyResultPath } from "../../log/paths.ts";
import type { BanditRun, GreedyRun } from "../../log/schema.ts";
import { MutatorClient } from "../../mutator/mutator-client.ts";
import { getPolicy, PolicyError, parsePolicyParams, policyNames } from "../../policies/index.ts";
import { RNG_KINDS } from "../../policies/stream.ts";
import { type BanditSpec, banditPolicy, runBandit } from "../../run/bandit.ts";
import { InitialProgramError, RunError } from "../../run/errors.ts";
import {
  type GreedySpec,
  type RequestParams,
  type RunnerDeps,
  type RunnerEvent,
  runGreedy,
} from "../../run/greedy.ts";
import { banditIdentity, greedyIdentity, promptTemplateSha } from "../../run/identity.ts";
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
import { FormatError } from "../../run/pyformat.ts";
import { RunFileError, RunStopped, type RunToFileResult, runToFile } from "../../run/run-file.ts";
import { createEvaluator, type Isolation, SandboxError } from "../../run/sandbox/sandbox.ts";
import { loadTask, TaskError } from "../../run/tasks.ts";
import { version } from "../../version.ts";
import { Failure, UsageError } from "../errors.ts";
import { commandArgs } from "../main.ts";
import { commandName, printJson } from "../options.ts";
import { registerGrid } from "./grid.ts";
import { createProgress } from "./progress.ts";

/** commander's raw options shared by every `run` subcommand (strings, as typed). */
export interface RawRunOptions {
  task?: string;
  model?: string;
  T?: string;
  N?: string;
  parallelLlm?: string;
  output?: string;
  apiBase?: string;
  maxTokens?: string;
  timeout?: string;
  temperature?: string;
  retries?: string;
  backoff?: string;
  retryPolicy?: string;
  models?: string;
  tasksDir?: string;
  promptTemplate?: string;
  resume?: boolean;
  force?: boolean;
  isolation?: string;
  evalMemory?: string;
  parallelEval?: string;
  maxConsecutiveFailures?: string;
  json?: boolean;
}

/** Flag of each option key, for error messages (`TCapPerArm` → `--T-cap-per-arm`). */
const FLAGS: Record<string, string> = {
  task: "--task",
  model: "--model",
  T: "--T",
  N: "--N",
  seed: "--seed",
  parallelLlm: "--parallel-llm",
  output: "--output",
  apiBase: "--api-base",
  maxTokens: "--max-tokens",
  timeout: "--timeout",
  temperature: "--temperature",
  retries: "--retries",
  backoff: "--backoff",
  retryPolicy: "--retry-policy",
  models: "--models",
  tasksDir: "--tasks-dir",
  promptTemplate: "--prompt-template",
  isolation: "--isolation",
  evalMemory: "--eval-memory",
  parallelEval: "--parallel-eval",
  maxConsecutiveFailures: "--max-consecutive-failures",
  algo: "--algo",
  nArms: "--n-arms",
  armSeedBase: "--arm-seed-base",
  banditSeed: "--bandit-seed",
  TCapPerArm: "--T-cap-per-arm",
  param: "--param",
  rng: "--rng",
};

const intFlag = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^[-+]?\d+$/, "must be an integer")
    .transform(Number)
    .refine(
      Number.isSafeInteger,
      `must be an integer within ±${Number.MAX_SAFE_INTEGER} (larger ones are rounded)`,
    )
    .refine((n) => n >= min, `must be an integer >= ${min}`);
const numFlag = z
  .string()
  .trim()
  .refine((s) => s !== "" && Number.isFinite(Number(s)), "must be a number")
  .transform(Number);

/** "2G", "512M", "1.5GiB", "2147483648" → bytes (powers of 1024). */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { "": 0, K: 1, M: 2, G: 3, T: 4 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G" | "T"];
  return Math.round(Number(m[1]) * 1024 ** unit);
}

const CommonSchema = z.object({
  task: z.string({ error: "is required" }).min(1, "is required"),
  model: z.string({ error: "is required" }).min(1, "is required"),
  T: intFlag(1),
  N: intFlag(1),
  parallelLlm: intFlag(1).default(5),
  output: z.string().min(1).optional(),
  apiBase: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
    )
    .refine(
      (urls) => urls.length > 0 && urls.every((u) => /^https?:\/\/\S+$/.test(u)),
      "must be http(s) URLs separated by commas",
    )
    .optional(),
  maxTokens: intFlag(1).optional(),
  timeout: numFlag.refine((x) => x > 0, "must be > 0").optional(),
  temperature: numFlag.refine((x) => x >= 0 && x <= 2, "must be in [0, 2]").optional(),
  retries: intFlag(0).default(2),
  backoff: numFlag.refine((x) => x >= 0, "must be >= 0").default(1),
  retryPolicy: z
    .enum(["evoalloc", "reference"], { error: "must be evoalloc or reference" })
    .default("evoalloc"),
  models: z.string().optional(),
  tasksDir: z.string().optional(),
  promptTemplate: z.string().min(1).optional(),
  resume: z.boolean().default(false),
  force: z.boolean().default(false),
  isolation: z.enum(["prefork", "fresh"], { error: "must be prefork or fresh" }).default("prefork"),
  evalMemory: z
    .string()
    .transform((s, ctx) => {
      const b = parseBytes(s);
      if (b === null || b < 64 * 1024 ** 2) {
        ctx.addIssue({ code: "custom", message: 'must be a size of at least 64M, e.g. "2G"' });
        return z.NEVER;
      }
      return b;
    })
    .optional(),
  parallelEval: intFlag(1).optional(),
  maxConsecutiveFailures: intFlag(0).default(10),
  json: z.boolean().default(false),
});
export type RunOptions = z.infer<typeof CommonSchema>;

/** Validates with `schema`; the first issue becomes a UsageError naming the flag. */
function validate<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = String(issue.path[0] ?? "");
  throw new UsageError(`${FLAGS[key] ?? (key ? `--${key}` : "options")}: ${issue.message}`);
}

/** Adds the flags every `run` subcommand shares. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option("--task <key>", "task key (a folder of --tasks-dir)")
    .option("--model <key>", "model key (built in, or from --models FILE)")
    .option("--parallel-llm <n>", "LLM calls in flight", "5")
    .option("--output <path>", "result file (default: the reference's path under results/)")
    .option("--api-base <urls>", "endpoint URL(s), comma-separated replicas (default: the model's env vars)")
    .option("--max-tokens <n>", "max_tokens per call (default: the model's)")
    .option("--timeout <seconds>", "per-attempt timeout (default: the model's)")
    .option("--temperature <x>", "sampling temperature (default: the model's)")
    .option("--retries <n>", "tries after the first failed one", "2")
    .option("--backoff <seconds>", "first wait before a retry (doubles, with jitter; Retry-After wins)", "1")
    .addOption(
      new Option(
        "--retry-policy <policy>",
        "evoalloc: --retries/--backoff, no retry of 4xx but 408/409/429; reference: every failure retried after a fixed 5 s, 3 tries",
      )
        .choices(["evoalloc", "reference"])
        .default("evoalloc"),
    )
    .option("--models <file>", "JSON file of extra models")
    .option("--tasks-dir <dir>", "folder of task folders (default: the package's tasks/)")
    .option(
      "--prompt-template <file>",
      "user message as a Python str.format template ({current_program}, {fitness:.6f}, {generation}, {task_description})",
    )
    .option("--resume", "continue an interrupted run from its journal")
    .option("--force", "overwrite an existing result or journal")
    .addOption(
      new Option("--isolation <mode>", "evaluation sandbox").choices(["prefork", "fresh"]).default("prefork"),
    )
    .option("--eval-memory <size>", "memory cap per candidate, e.g. 2G (default 2G)")
    .option("--parallel-eval <n>", "evaluations in flight (default: the number of cores)")
    .option(
      "--max-consecutive-failures <n>",
      "stop after this many calls in a row got no answer (0: never)",
      "10",
    )
    .option("--json", "print a JSON summary on stdout");
}

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
  let models: Record<string, ModelSpec>;
  try {
    models = await loadModels(opts.models);
  } catch (err) {
    if (err instanceof ModelFileError) throw new UsageError(`--models: ${err.message}`);
    throw err;
  }
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
  const client = await createClient(model, endpoints, opts.retries, opts.backoff, opts.retryPolicy);
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
    async startEvaluator() {
      try {
        return await createEvaluator(task, {
          isolation: opts.isolation as Isolation,
          parallel: parallelEval,
          ...(opts.evalMemory !== undefined ? { memoryBytes: opts.evalMemory } : {}),
        });
      } catch (err) {
        if (err instanceof SandboxError)
          throw new Failure(`task ${task.key}: the sandbox cannot start: ${err.message}`);
        throw err;
      }
    },
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

/** The chat client of a model: its provider decides (openai: endpoints; mutator: in-process). */
async function createClient(
  model: ModelSpec,
  endpoints: Endpoint[],
  retries: number,
  backoffS: number,
  retryPolicy: RetryPolicy,
): Promise<ChatClient> {
  if (model.provider === "mutator") return new MutatorClient();
  return createOpenAIClient({ model: model.name, endpoints, retries, backoffS, retryPolicy });
}

/** The command line that resumes this run (the current one plus --resume). */
export function resumeCommand(argv: string[] = commandArgs(), name = commandName()): string {
  const args = argv.includes("--resume") ? argv : [...argv, "--resume"];
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [name, ...args.filter((a) => a !== "--force").map(quote)].join(" ");
}

interface Execution<R> {
  kind: "greedy" | "bandit";
  label: string;
  output: string;
  identity: Record<string, unknown>;
  totalCalls: number;
  opts: RunOptions;
  setup: RunSetup;
  core: (deps: RunnerDeps) => Promise<R>;
  summary: (result: R) => Record<string, unknown>;
}

/**
 * The CLI around `runToFile`: Ctrl-C handling, progress, messages, the
 * resume command, the summary.
 */
async function execute<R extends GreedyRun | BanditRun>(x: Execution<R>): Promise<void> {
  const { opts, output } = x;
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\nevoalloc: ${sig}: stopping (in-flight calls and evaluations are cancelled)…\n`);
    ctl.abort(new RunInterrupted(sig));
    // a second Ctrl-C gets Node's default: exit at once (the journal is consistent line by line)
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
  const progress = createProgress({ label: x.label, total: x.totalCalls });
  let outcome: RunToFileResult<R>;
  try {
    outcome = await runToFile<R>({
      output,
      identity: x.identity,
      resume: opts.resume,
      force: opts.force,
      indent: 2,
      maxConsecutiveFailures: opts.maxConsecutiveFailures,
      preflight: async () => {
        for (const w of (await x.setup.client.preflight?.()) ?? [])
          process.stderr.write(`evoalloc: warning: ${w}\n`);
      },
      evaluator: () => x.setup.startEvaluator(),
      releaseEvaluator: (ev) => ev.close(),
      core: x.core,
      deps: {
        client: x.setup.client,
        llmLimit: x.setup.llmLimit,
        evalLimit: x.setup.evalLimit,
        now: () => performance.now() / 1000,
        signal: ctl.signal,
        onEvent: (e: RunnerEvent) => progress.onEvent(e),
      },
      onStart: ({ replayed, journal }) => {
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        if (opts.resume && replayed > 0)
          process.stderr.write(
            `evoalloc: resuming ${journal}: ${replayed} finished calls are replayed, not repeated\n`,
          );
      },
    });
  } catch (err) {
    progress.stop();
    if (err instanceof RunFileError)
      throw new UsageError(`${err.flag === "resume" ? "--resume" : "--output"}: ${err.message}`);
    if (err instanceof RunError) throw new Failure(err.message);
    if (!(err instanceof RunStopped)) throw err;
    if (err.interrupted) {
      process.stderr.write(
        `evoalloc: interrupted; ${err.calls} of ${x.totalCalls} calls are in the journal ${err.journal}\n` +
          `resume with:\n  ${resumeCommand()}\n`,
      );
      process.exitCode = 130;
      return;
    }
    // the journal keeps what finished: after fixing the cause, the run continues where it stopped
    if (err.cause instanceof InitialProgramError) process.stderr.write(`${err.cause.detail.trimEnd()}\n`);
    process.stderr.write(
      err.journal === null
        ? "evoalloc: the run stopped before any call finished; rerun the command after fixing the cause\n"
        : `evoalloc: the run stopped; ${err.calls} of ${x.totalCalls} calls are in the journal ${err.journal}\n` +
            `after fixing the cause, resume with:\n  ${resumeCommand()}\n`,
    );
    if (err.cause instanceof RunError) throw new Failure(err.cause.message);
    throw err.cause;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  progress.stop();
  if (outcome.state === "complete") {
    // finished already: resuming is a no-op, so scripts can rerun a grid safely
    process.stderr.write(`evoalloc: ${output} is complete; nothing to resume\n`);
    report(x, parsePythonJson(await readFile(output, "utf8")) as R);
    return;
  }
  report(x, outcome.result);
}

function report<R extends GreedyRun | BanditRun>(x: Execution<R>, result: R): void {
  const health = runHealth(result);
  const summary = { output: x.output, ...x.summary(result), ...health };
  const warning = failedCallsWarning(health);
  if (warning !== null) process.stderr.write(`evoalloc: warning: ${warning}\n`);
  if (x.opts.json) printJson(summary);
  else
    process.stdout.write(
      `${Object.entries(summary)
        .map(
          ([k, v]) =>
            `${k}: ${
              typeof v === "number" && !Number.isInteger(v)
                ? v.toFixed(6)
                : typeof v === "object" && v !== null
                  ? Object.entries(v)
                      .map(([s, n]) => `${s} ${n}`)
                      .join(", ")
                  : String(v)
            }`,
        )
        .join("\n")}\n`,
    );
}

export class RunInterrupted extends Error {
  override name = "RunInterrupted";
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
  }
}

// ---- run greedy -----------------------------------------------------------

const GreedySchema = CommonSchema.extend({ seed: intFlag(0).default(40) });

function registerGreedy(run: Command): void {
  addRunOptions(
    run
      .command("greedy")
      .description("One greedy run: T generations of N children each (C = T·N calls).")
      .option("--T <n>", "generations")
      .option("--N <n>", "children per generation")
      .option("--seed <n>", "run seed (child seeds derive from it)", "40"),
  ).action(async (raw: RawRunOptions & { seed?: string }) => {
    const opts = validate(GreedySchema, raw);
    const setup = await setupRun(opts);
    const C = opts.T * opts.N;
    const spec: GreedySpec = {
      task: setup.task,
      model: setup.model,
      T: opts.T,
      N: opts.N,
      seed: opts.seed,
      request: setup.request,
      config: setup.config,
    };
    await execute<GreedyRun>({
      kind: "greedy",
      label: `greedy ${opts.task}/${opts.model} seed ${opts.seed}`,
      output: opts.output ?? join("results", greedyResultPath(opts)),
      identity: greedyIdentity(spec),
      totalCalls: C,
      opts,
      setup,
      core: (deps) => runGreedy(spec, deps),
      summary: (r) => ({
        task: r.task,
        model: r.model,
        C: r.C,
        T: r.T,
        N: r.N,
        seed: r.seed,
        final_fitness: r.final_fitness,
        flops_worst_case: r.flops.worst_case.total_flops,
        wall_time_seconds: r.wall_time_seconds,
      }),
    });
  });
}

// ---- run bandit -----------------------------------------------------------

const BanditSchema = CommonSchema.extend({
  algo: z.string({ error: "is required" }).min(1, "is required"),
  nArms: intFlag(1).default(10),
  armSeedBase: intFlag(0).default(40),
  banditSeed: intFlag(0).default(0),
  TCapPerArm: intFlag(1).optional(),
  param: z.array(z.string()).default([]),
  rng: z.enum(RNG_KINDS, { error: `must be one of ${RNG_KINDS.join(", ")}` }).default("evoalloc"),
});

function registerBandit(run: Command): void {
  addRunOptions(
    run
      .command("bandit")
      .description(
        "Online bandit over K greedy arms: T rounds, each one generation of N children of the arm the policy picks.",
      )
      .option("--algo <policy>", `allocation policy (${policyNames()})`)
      .option("--T <n>", "rounds (= generations over all arms); C = T·N")
      .option("--N <n>", "children per generation")
      .option("--n-arms <k>", "greedy arms", "10")
      .option("--arm-seed-base <n>", "arm i has seed base + i", "40")
      .option("--bandit-seed <n>", "seed of the policy's RNG", "0")
      .option("--T-cap-per-arm <n>", "most generations one arm may run (default: T)")
      .addOption(
        new Option(
          "--rng <kind>",
          "policy random stream: evoalloc's own, or python (CPython's random.Random(bandit seed), as the reference)",
        )
          .choices([...RNG_KINDS])
          .default("evoalloc"),
      )
      .option(
        "--param <POLICY.KEY=VALUE>",
        "policy parameter (repeatable)",
        (v: string, acc: string[]) => [...acc, v],
        [],
      ),
  ).action(async (raw: RawRunOptions & Record<string, unknown>) => {
    const opts = validate(BanditSchema, raw);
    let policyParams: Record<string, number>;
    try {
      getPolicy(opts.algo);
      policyParams = parsePolicyParams(opts.param)[opts.algo] ?? {};
      // resolves defaults and checks values
      banditPolicy({ ...opts, T_total: opts.T, policyParams });
    } catch (err) {
      if (err instanceof PolicyError)
        throw new UsageError(`${err.message.startsWith("--param") ? "" : "--algo: "}${err.message}`);
      throw err;
    }
    const resolved = { ...getPolicy(opts.algo).defaults, ...policyParams };
    const setup = await setupRun(opts);
    const cap = opts.TCapPerArm ?? opts.T;
    const spec: BanditSpec = {
      task: setup.task,
      model: setup.model,
      N: opts.N,
      request: setup.request,
      algo: opts.algo,
      T_total: opts.T,
      nArms: opts.nArms,
      armSeedBase: opts.armSeedBase,
      banditSeed: opts.banditSeed,
      T_cap_per_arm: cap,
      policyParams: resolved,
      rng: opts.rng,
      config: setup.config,
    };
    const output =
      opts.output ??
      join("results", banditResultPath({ ...opts, T_total: opts.T, banditSeed: opts.banditSeed }));
    await execute<BanditRun>({
      kind: "bandit",
      label: `bandit ${opts.algo} ${opts.task}/${opts.model} K${opts.nArms}`,
      output,
      identity: banditIdentity(spec),
      // rounds stop early when every arm is capped
      totalCalls: Math.min(opts.T, opts.nArms * cap) * opts.N,
      opts,
      setup,
      core: (deps) => runBandit(spec, banditPolicy(spec), deps),
      summary: (r) => ({
        task: r.task,
        model: r.model,
        algo: r.algo,
        C: r.C,
        T_total: r.T_total,
        N: r.N,
        n_arms: r.n_arms,
        final_best_fitness: r.final_best_fitness,
        best_arm_seed: r.best_arm_seed,
        arm_pulls: r.arm_pulls.join(","),
        flops_worst_case: r.total_flops_worst_case,
        wall_time_seconds: r.wall_time_seconds,
      }),
    });
  });
}

// One line per subcommand (`run grid` adds itself here).
const SUBCOMMANDS: ((run: Command) => void)[] = [registerGreedy, registerBandit, registerGrid];

export function register(program: Command): void {
  const run = program
    .command("run")
    .description(`Run experiments online against an OpenAI-compatible endpoint (evoalloc ${version}).`);
  for (const add of SUBCOMMANDS) add(run);
}
