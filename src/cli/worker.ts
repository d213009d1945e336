/**
 * `evoalloc worker --queue redis://…`: takes run jobs that `run grid --queue`
 * enqueued and runs them with the ordinary runner and sandbox, under this
 * worker's own limits, until stopped. SIGTERM/SIGINT: stop taking jobs,
 * checkpoint the runs in progress (back to the queue, journals kept) and
 * leave; a second signal leaves at once.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { loadModels } from "../log/models.ts";
import type { GridMeta } from "../run/grid/queue.ts";
import { createGridRunner, type GridLimits, type GridRunner } from "../run/grid/runner.ts";
import { type QueueWorker, startQueueWorker } from "../run/grid/worker.ts";
import { createLimiter } from "../run/limit.ts";
import { loadTask } from "../run/tasks.ts";
import { Failure } from "./errors.ts";
import { intArg, parseOptions } from "./options.ts";
import { openQueue, QueueFlagSchema, queueOption, requiredQueue } from "./queue.ts";
import { gridChatClient, startSandbox } from "./run/setup.ts";

const WorkerOptionsSchema = z.object({
  queue: QueueFlagSchema,
  parallelRuns: z.number().int().positive(),
  parallelLlm: z.number().int().positive(),
  parallelEval: z.number().int().positive().optional(),
  lockMs: z.number().int().min(1000, "must be at least 1000"),
  maxStalled: z.number().int().nonnegative(),
});

export function register(program: Command): void {
  program
    .command("worker")
    .description(
      "Run the jobs of grids enqueued with `run grid --queue` (many machines: README, Many machines)",
    )
    .addOption(queueOption())
    .option("--parallel-runs <n>", "runs in progress at once", intArg("--parallel-runs"), 4)
    .option("--parallel-llm <n>", "LLM calls in flight over this worker's runs", intArg("--parallel-llm"), 16)
    .option(
      "--parallel-eval <n>",
      "evaluations in flight over this worker's runs (default: the number of cores)",
      intArg("--parallel-eval"),
    )
    .option(
      "--lock-ms <ms>",
      "a job's lock lasts this long unless renewed: a killed worker's runs go to another worker after it",
      intArg("--lock-ms"),
      30_000,
    )
    .option(
      "--max-stalled <n>",
      "times a run may lose its worker (killed) before it is marked failed",
      intArg("--max-stalled"),
      5,
    )
    .addHelpText(
      "after",
      "\nEndpoints come from this machine's environment (each model's api_base_env, LLM_API_BASE by default);" +
        "\nresults and journals go to the grid's result tree, which must be at the same path on every machine.",
    )
    .action(async (raw: unknown) => workerCommand(parseOptions(WorkerOptionsSchema, raw)));
}

type WorkerOptions = z.infer<typeof WorkerOptionsSchema>;
type Say = (line: string) => void;

/** Checks the queue, starts the worker, and waits until it has left (after a signal). */
async function workerCommand(opts: WorkerOptions): Promise<void> {
  const addr = requiredQueue(opts.queue);
  const probe = await openQueue(addr);
  await probe.close();
  const parallelEval = opts.parallelEval ?? availableParallelism();
  // one limit on calls and one on evaluations over every grid this worker serves
  const limits: GridLimits = {
    parallelLlm: opts.parallelLlm,
    parallelEval,
    llm: createLimiter(opts.parallelLlm),
    eval: createLimiter(parallelEval),
  };
  const say: Say = (line) => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const worker = await startQueueWorker(
    addr,
    {
      parallelRuns: opts.parallelRuns,
      lockMs: opts.lockMs,
      maxStalled: opts.maxStalled,
      busyDelayMs: 5000,
    },
    { log: say, makeRunner: (meta) => gridRunner(meta, limits, say) },
  ).catch((err: unknown) => {
    throw new Failure(`cannot start the worker on ${addr.display}: ${(err as Error).message}`);
  });
  say(
    `worker pid ${process.pid} on ${addr.display}: ${opts.parallelRuns} runs, ${opts.parallelLlm} calls, ${parallelEval} evaluations at once`,
  );
  const dispose = leaveOnSignal(worker, opts.lockMs, say);
  await worker.closed;
  dispose();
  say(
    `worker pid ${process.pid} leaves: ${worker.stats.completed} runs done, ${worker.stats.failed} failed, ${worker.stats.requeued} checkpointed`,
  );
}

/** The runner of a grid on the queue: its models and tasks from the (absolute) paths of its config, this machine's endpoints. */
async function gridRunner(meta: GridMeta, limits: GridLimits, say: Say): Promise<GridRunner> {
  const cfg = meta.config;
  const models = await loadModels(cfg.models_file === undefined ? undefined : resolve(cfg.models_file));
  return createGridRunner(
    cfg,
    {
      root: meta.root,
      models,
      loadTask: (key) => (cfg.tasks_dir === undefined ? loadTask(key) : loadTask(key, cfg.tasks_dir)),
      makeClient: (m) => gridChatClient(m, cfg),
      startEvaluator: (task, parallel) => startSandbox(task, { parallel }),
      log: say,
      defaultParallelEval: limits.parallelEval,
      now: () => performance.now() / 1000,
      configLabel: meta.label,
    },
    limits,
  );
}

/**
 * SIGTERM/SIGINT: checkpoint the runs in progress and leave; a second signal leaves at once.
 * Returns the function that stops listening.
 */
function leaveOnSignal(worker: QueueWorker, lockMs: number, say: Say): () => void {
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) {
      say(`${sig} again: leaving now`);
      process.exit(130);
    }
    stopping = true;
    say(`${sig}: checkpointing the runs in progress and leaving`);
    void worker.stop();
    // A worker whose Redis went through a restart may never finish closing (BullMQ's blocking connection
    // does not resolve its close): by then the runs are in their journals, and a job not moved back to
    // the queue is taken up again once its lock expires, so leave rather than hang.
    const grace = lockMs + 10_000;
    setTimeout(() => {
      say(
        `${sig}: the queue connection did not close within ${grace / 1000} s; leaving (its jobs return to the queue when their locks expire)`,
      );
      process.exit(0);
    }, grace).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
}
