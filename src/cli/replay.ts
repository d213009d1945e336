/**
 * `evoalloc replay`: replay allocation policies over logged greedy curves of
 * one (task, model, N) and compare them with the uniform, single-run and
 * oracle allocations on the same instances. Reads the files, picks the pool,
 * calls the pure core (src/replay), prints a table or `--json`.
 */
import { availableParallelism, totalmem } from "node:os";
import { dirname, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import type { Worker } from "node:worker_threads";
import { type Command, Option } from "commander";
import { POLICIES, PolicyError, parsePolicyParams, policyNames } from "../policies/index.ts";
import { RNG_KINDS, type RngKind } from "../policies/stream.ts";
import { ReplayError } from "../replay/errors.ts";
import { binomial } from "../replay/instances.ts";
import { type ReplaySize, replayMemoryBytes } from "../replay/memory.ts";
import type { ReplayResult } from "../replay/replay.ts";
import { defaultThreads, replayThreaded, replayThreads, startKernelWorkers } from "../replay/threaded.ts";
import { UsageError } from "./errors.ts";
import { ensureOutputDir, intArg, posIntArg, printJson, threadCount } from "./options.ts";
import { loadRuns, resultFileCount, selectImportedPool, selectPool } from "./results.ts";
import { formatTable } from "./table.ts";

/** Refuses a replay whose estimated memory exceeds half of this machine's (exit 2, before any work). */
function checkMemory(size: ReplaySize): void {
  const need = replayMemoryBytes(size);
  const budget = totalmem() / 2;
  if (need > budget) {
    const gb = (x: number) => `${(x / 1024 ** 3).toFixed(x < 1024 ** 3 ? 2 : 0)} GB`;
    throw new UsageError(
      `--rounds/--K/--max-instances: this replay (G = ${size.rounds}, K = ${size.K}, ${size.policies} policies) would need about ${gb(need)} of memory, ` +
        `more than half of this machine's ${gb(totalmem())}; lower --rounds, --max-instances or --algos`,
    );
  }
}

/**
 * The options as the argument parsers below hand them over. This command checks each flag in its parser
 * instead of a zod schema (the habit elsewhere): loading zod costs some 60 ms of CPU, a fifth of what
 * `replay` spends before its first policy round at 20,000 instances (issue 9's speed goal).
 */
interface Options {
  results: string;
  task: string;
  model: string;
  N?: number;
  system?: string;
  K: number;
  rounds: number;
  algos?: string[];
  subset?: number[];
  maxInstances: number;
  bootstrap: number;
  seed: number;
  rng: RngKind;
  param: string[];
  json?: boolean;
  out?: string;
  threads?: number;
}

/** A flag's value that must not be empty. */
const nonEmpty = (flag: string) => (value: string) => {
  if (value === "") throw new UsageError(`${flag}: must not be empty`);
  return value;
};
/** An integer flag ≥ 0. */
const nonNegativeInt = (flag: string, why: string) => {
  const parse = intArg(flag);
  return (value: string) => {
    const n = parse(value);
    if (n < 0) throw new UsageError(`${flag}: must be an integer >= 0 (${why}), got ${n}`);
    return n;
  };
};

const csv = (value: string): string[] =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
/** A comma-separated list of at least one entry. */
const list =
  <T>(flag: string, what: string, each: (s: string) => T) =>
  (value: string): T[] => {
    const out = csv(value).map(each);
    if (out.length === 0) throw new UsageError(`${flag}: name at least one ${what}`);
    return out;
  };
const collect = (value: string, prev: string[]): string[] => [...prev, value];

/** The `--json` object: the core result without its per-instance arrays. */
export function replayJson(res: ReplayResult): Record<string, unknown> {
  return {
    task: res.task,
    model: res.model,
    N: res.N,
    K: res.K,
    rounds: res.rounds,
    n_instances: res.n_instances,
    pool: res.pool,
    policies: res.policies,
    references: res.references,
    enumerated: res.enumerated,
    seed: res.seed,
    rng: res.rng,
    bootstrap: res.bootstrap,
    interval_method: res.interval_method,
    few_rounds: res.few_rounds,
    best: res.best,
    depth: res.depth,
    n_normalized: res.n_normalized,
    notes: res.notes,
    comparisons: res.comparisons,
  };
}

const f4 = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? "-" : x.toFixed(4);
const ci = (c: [number, number] | null): string => (c ? `[${f4(c[0])}, ${f4(c[1])}]` : "-");

function formatText(res: ReplayResult): string {
  const rows: (string | number)[][] = Object.entries(res.policies).map(([name, p]) => [
    name,
    f4(p.mean),
    ci(p.ci95),
    f4(p.median),
    f4(p.iqm),
    f4(p.q05),
    f4(p.q95),
    f4(p.p_improve_vs_uniform),
    f4(p.normalized_mean),
    f4(p.exhausted_rate),
  ]);
  for (const [name, d] of Object.entries(res.references))
    rows.push([
      `(${name})`,
      f4(d.mean),
      ci(d.ci95),
      f4(d.median),
      f4(d.iqm),
      f4(d.q05),
      f4(d.q95),
      "",
      "",
      "",
    ]);
  const head = `${res.task} / ${res.model}  N=${res.N}  K=${res.K}  G=${res.rounds}  ${res.n_instances} instance(s) ${
    res.enumerated ? "(all subsets)" : ""
  } from ${res.pool.length} seeds, intervals: ${
    res.interval_method === "none"
      ? "none"
      : `delete-one-seed jackknife, t on S − 1 df${res.interval_method === "jackknife-t" ? "" : ", widened on the skewed side"}${res.interval_method === "jackknife-pseudo" ? ", a pseudo-seed at the range's edges (rule of three where no seed changes a statistic)" : ""}`
  }`;
  const table = formatTable(
    ["policy", "mean", "ci95", "median", "iqm", "q05", "q95", "P(>unif)", "normalised", "exhausted"],
    rows,
  );
  const extra = Object.entries(res.policies)
    .filter(([, p]) => p.selections)
    .map(([name, p]) => `${name}: final ${f4(p.final)}, selections ${p.selections!.join(" ")}`);
  const notes = res.notes.map((n) => `note: ${n}`);
  const best: string[] = [];
  if (res.best) {
    const up = res.best.versus[0];
    best.push(
      `best policy: ${res.best.statement}` +
        (up
          ? ` (${res.best.best} − ${up.other}: ${f4(up.diff)} ${ci(up.ci95)}, Holm-adjusted p ${f4(up.p_holm)} over ${res.best.versus.length} comparisons)`
          : ""),
    );
  }
  return [head, table, ...best, ...extra, ...notes].join("\n");
}

/**
 * Has V8 compile optimised code on the thread that asks for it instead of on a background thread: when
 * replay threads hold every core, the background compiler has no core of its own, and each kernel copy
 * (replay/kernels.ts) runs in the interpreter until its optimised code arrives. Measured with
 * bench:replay (b)'s pool (20,000 instances, K = 10, G = 64, 4 policies, 2 threads on this 2-core
 * machine, 7 interleaved runs each, and in three more such comparisons): median 0.87 s against 0.93 s
 * wall, 1.28 s against 1.49 s CPU. With a core to spare (one thread, or fewer threads than cores) the
 * background compiler is the faster, so nothing is changed. The flag is process-wide: it is set before
 * the workers start.
 */
function compileOnThreads(): void {
  setFlagsFromString("--no-concurrent-recompilation");
}

/**
 * Worker threads worth starting before the run files are read: those the largest replay these options
 * could ask for would use (`replayThreads`), its instances bounded by --max-instances and by the
 * K-subsets of as many seeds as there are result files under --results (a small folder starts none).
 * None for a --subset (one instance).
 */
export async function earlyWorkers(
  opts: { results: string; K: number; rounds: number; maxInstances: number; subset?: number[] },
  policies: number,
  threads: number,
): Promise<number> {
  if (opts.subset !== undefined || threads < 2) return 0;
  const instances = Math.min(opts.maxInstances, binomial(await resultFileCount(opts.results), opts.K));
  return replayThreads(instances * opts.rounds * policies, instances, threads).threads - 1;
}

export function register(program: Command): void {
  program
    .command("replay")
    .description(
      "Replay allocation policies over logged greedy runs of one (task, model, N), against the uniform, single-run and oracle allocations.",
    )
    .requiredOption("--results <dir>", "results folder (searched recursively)", nonEmpty("--results"))
    .requiredOption("--task <task>", "task key", nonEmpty("--task"))
    .requiredOption("--model <model>", "model key", nonEmpty("--model"))
    .option(
      "--N <n>",
      "children per generation of the logged runs (required unless --system)",
      posIntArg("--N"),
    )
    .option(
      "--system <name>",
      "replay imported runs of this system (openevolve, shinkaevolve, llm4ad): arms = runs, one round = one LLM call",
      nonEmpty("--system"),
    )
    .requiredOption("--K <k>", "arms per instance", posIntArg("--K"))
    .requiredOption("--rounds <G>", "rounds (generations) to allocate", posIntArg("--rounds"))
    .option(
      "--algos <list>",
      `comma-separated policies (default: all of ${policyNames()})`,
      list("--algos", "policy", (name) => name),
    )
    .option(
      "--subset <seeds>",
      "exactly one instance: these seeds, in this order (comma-separated)",
      list("--subset", "seed", intArg("--subset")),
    )
    .option(
      "--max-instances <m>",
      "enumerate all K-subsets up to m, else sample m",
      posIntArg("--max-instances"),
      100_000,
    )
    .option(
      "--bootstrap <B>",
      'intervals on (> 0; delete-one-seed jackknife, see the README\'s "How intervals are computed") or off (0); the number is kept for compatibility',
      nonNegativeInt("--bootstrap", "0 turns intervals off"),
      1000,
    )
    .option(
      "--seed <s>",
      "seed of the instance sample, policy RNG streams and bootstrap",
      intArg("--seed"),
      0,
    )
    .addOption(
      new Option(
        "--rng <kind>",
        "policy random streams: evoalloc's own, or python (CPython's random.Random(seed + instance))",
      )
        .choices([...RNG_KINDS])
        .default("evoalloc"),
    )
    .option("--param <POLICY.KEY=VALUE>", "policy parameter (repeatable), e.g. ucb.c=1", collect, [])
    .option("--json", "print the result as JSON")
    .option("--out <file>", "also write the JSON result to this file (.gz to compress)", nonEmpty("--out"))
    .option(
      "--threads <n>",
      "threads replaying instances, this one included (default: the cores, up to 4; 0 or 1: this thread only)",
      intArg("--threads"),
    )
    .action((raw: unknown) => replayCommand(raw as Options));
}

/** The command: checks what the parsers could not, reads the pool, replays, prints (and writes --out). */
async function replayCommand(opts: Options): Promise<void> {
  let params: ReturnType<typeof parsePolicyParams>;
  try {
    params = parsePolicyParams(opts.param);
  } catch (err) {
    if (err instanceof PolicyError) throw new UsageError(err.message);
    throw err;
  }
  if (opts.out) await ensureOutputDir("--out", dirname(resolve(opts.out)));
  if (opts.system === undefined && opts.N === undefined)
    throw new UsageError("--N: required (unless --system)");
  if (opts.system !== undefined && opts.N !== undefined && opts.N !== 1)
    throw new UsageError(`--N: imported runs make one call per round (N = 1), got ${opts.N}`);
  const threads = threadCount(opts.threads) ?? defaultThreads();
  const policies = opts.algos ?? Object.keys(POLICIES);
  const earlyCount = await earlyWorkers(opts, policies.length, threads);
  if (earlyCount >= 1 && earlyCount + 1 >= availableParallelism()) compileOnThreads();
  const early = startKernelWorkers(earlyCount, policies);
  let res: ReplayResult;
  try {
    res = await replayPool(opts, params, threads, early);
  } finally {
    for (const w of early) void w.terminate(); // when reading or planning failed before they were used
  }
  const json = replayJson(res);
  if (opts.out) {
    const { writeFileAtomic } = await import("../log/write.ts");
    await writeFileAtomic(opts.out, `${JSON.stringify(json, null, 2)}\n`);
  }
  if (opts.json) printJson(json);
  else process.stdout.write(`${formatText(res)}\n`);
}

/** Reads the pool of `opts` and replays it on `threads` threads (the `early` workers first). */
async function replayPool(
  opts: Options,
  params: ReturnType<typeof parsePolicyParams>,
  threads: number,
  early: Worker[],
): Promise<ReplayResult> {
  const pool = opts.system
    ? (await selectImportedPool(opts.results, opts.system, opts.task, opts.model)).pool
    : selectPool(await loadRuns(opts.results), opts.results, opts.task, opts.model, opts.N!);
  checkMemory({
    seeds: pool.seeds.length,
    K: opts.K,
    rounds: opts.rounds,
    policies: opts.algos?.length ?? Object.keys(POLICIES).length,
    maxInstances: opts.maxInstances,
    subset: opts.subset !== undefined,
  });
  try {
    return await replayThreaded(
      pool,
      {
        K: opts.K,
        rounds: opts.rounds,
        policies: opts.algos,
        params,
        subset: opts.subset,
        maxInstances: opts.maxInstances,
        bootstrap: opts.bootstrap,
        seed: opts.seed,
        rng: opts.rng,
      },
      threads,
      undefined,
      early,
    );
  } catch (err) {
    if (err instanceof ReplayError || err instanceof PolicyError) throw new UsageError(err.message);
    throw err;
  }
}
