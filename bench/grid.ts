/**
 * Scaling of `run grid` over queue workers on this machine. The endpoint is
 * `evoalloc serve --latency-ms 200 --tokenizer chars` (every answer waits 200 ms), so runs are
 * bound by waiting, not CPU: each worker (and the local grid) may have
 * `--parallel-llm` calls in flight, so the ideal is parallel-llm / 0.2 s
 * calls per second per worker. Measured: calls per second of the endpoint
 * (calls / the span from the first to the last answer in its request log)
 * for one process without a queue, then 1, 2 and 4 workers on a local
 * redis-server, each on a fresh result tree with as many runs per worker.
 * Goals (issue #15): 2 workers ≥ 1.8× the local grid, 4 workers ≥ 3.4×,
 * 1 worker within 10% of it.
 *
 *   npm run bench:grid [-- --runs-per-worker 12 --parallel-llm 4 --latency-ms 200 --task mmd]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startRedis } from "../test/redis-server.ts";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const RUNS_PER_WORKER = Number(arg("--runs-per-worker", "12"));
const PARALLEL_LLM = Number(arg("--parallel-llm", "4"));
const LATENCY_MS = Number(arg("--latency-ms", "200"));
const TASK = arg("--task", "mmd");
const WORKERS = arg("--workers", "1,2,4").split(",").map(Number);
const T = 8;
const N = 4;
const BIN = join(import.meta.dirname, "..", "bin", "evoalloc.js");

interface Proc {
  child: ChildProcess;
  out(): string;
  err(): string;
  done: Promise<number | null>;
}
function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  return { child, out: () => out, err: () => err, done: new Promise((r) => child.on("exit", (c) => r(c))) };
}
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let t = 0; !cond(); t += 50) {
    if (t > 120_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dir = mkdtempSync(join(tmpdir(), "bench-grid-"));
const requestLog = join(dir, "requests.jsonl");
writeFileSync(
  join(dir, "models.json"),
  JSON.stringify([
    { key: "served", name: "dry-model", params_active: 1e9, api_base_env: "EVOALLOC_BENCH_BASE" },
  ]),
);
const config = (name: string, runs: number): string => {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      output: name,
      tasks: [TASK],
      models: ["served"],
      models_file: "models.json",
      greedy: [{ T, N, seeds: { start: 1, count: runs } }],
      parallel_llm: PARALLEL_LLM,
      parallel_eval: 1,
      parallel_runs: 2,
      retries: 0,
    }),
  );
  return file;
};

/** Calls per second of the answers logged from line `from` on: calls / (last − first answer time). */
function rate(from: number): { calls: number; perS: number; lines: number } {
  const lines = readFileSync(requestLog, "utf8").trim().split("\n");
  const times = lines
    .slice(from)
    .map((l) => JSON.parse(l) as { time: string; seed: number | null })
    .filter((e) => e.seed !== null)
    .map((e) => Date.parse(e.time));
  const span = (Math.max(...times) - Math.min(...times)) / 1000;
  return { calls: times.length, perS: times.length / span, lines: lines.length };
}
const logged = (): number => {
  try {
    return readFileSync(requestLog, "utf8").trim().split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
};

const redis = await startRedis();
const serve = start([
  "serve",
  "--port",
  "0",
  "--latency-ms",
  String(LATENCY_MS),
  "--request-log",
  requestLog,
  // the endpoint's own CPU (tokenizing) is not what this bench measures
  "--tokenizer",
  "chars",
  "--json",
]);
await until(() => serve.out().includes("url"), "serve");
const env = { EVOALLOC_BENCH_BASE: (JSON.parse(serve.out().split("\n")[0]!) as { url: string }).url };
const load0 = loadavg()[0]!;
const rows: { mode: string; workers: number; calls: number; perS: number; ratio?: number }[] = [];
try {
  // one process, no queue
  let from = logged();
  const local = await start(["run", "grid", "--config", config("local", RUNS_PER_WORKER)], env).done;
  if (local !== 0) throw new Error("the local grid failed");
  const base = rate(from);
  rows.push({ mode: "local run grid", workers: 0, calls: base.calls, perS: base.perS });

  for (const n of WORKERS) {
    const ws = Array.from({ length: n }, () =>
      start(
        [
          "worker",
          "--queue",
          redis.url,
          "--parallel-runs",
          "2",
          "--parallel-llm",
          String(PARALLEL_LLM),
          "--parallel-eval",
          "1",
        ],
        env,
      ),
    );
    for (const w of ws) await until(() => /worker pid/.test(w.err()), "a worker");
    from = logged();
    const g = await start(
      ["run", "grid", "--config", config(`queue${n}`, RUNS_PER_WORKER * n), "--queue", redis.url],
      env,
    ).done;
    if (g !== 0) throw new Error(`the grid on ${n} workers failed`);
    const r = rate(from);
    rows.push({
      mode: `queue, ${n} worker${n > 1 ? "s" : ""}`,
      workers: n,
      calls: r.calls,
      perS: r.perS,
      ratio: r.perS / base.perS,
    });
    for (const w of ws) w.child.kill("SIGTERM");
    await Promise.all(ws.map((w) => w.done));
  }
} finally {
  serve.child.kill("SIGTERM");
  await serve.done;
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
}

const ideal = PARALLEL_LLM / (LATENCY_MS / 1000);
console.log(
  `bench:grid — ${TASK}, greedy T=${T} N=${N}, ${RUNS_PER_WORKER} runs per worker, parallel-llm ${PARALLEL_LLM} per process,` +
    ` serve --latency-ms ${LATENCY_MS} (ideal ${ideal.toFixed(1)} calls/s per process); ${availableParallelism()} cores,` +
    ` load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
);
console.log("mode                 calls   calls/s   × local   goal");
const goal = (n: number): string => (n === 1 ? "≥ 0.90" : n === 2 ? "≥ 1.80" : n === 4 ? "≥ 3.40" : "");
for (const r of rows)
  console.log(
    `${r.mode.padEnd(20)} ${String(r.calls).padStart(5)}   ${r.perS.toFixed(1).padStart(7)}   ${r.ratio === undefined ? "      -" : r.ratio.toFixed(2).padStart(7)}   ${r.workers > 0 ? goal(r.workers) : ""}`,
  );
