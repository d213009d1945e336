/**
 * bench:ingest — reading a results tree should be bound by JSON parsing.
 *
 * Writes a tree of realistic greedy and bandit files (large N, several
 * attempts per child; ≥ 500 MB by default) into a temporary folder, then
 * measures the throughput of `evoalloc summarize --json` (a separate process,
 * startup included) and of bare `JSON.parse` over the same files, and their
 * ratio (goal ≥ 0.8). Peak memory of summarize is measured on the whole tree
 * and on half of it: it should not grow with the number of files.
 *
 *   npm run bench:ingest [-- --mb 500] [--keep]
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { generationFlops, runFlopsFields } from "../src/log/flops.ts";
import type { Attempt, BanditRun, Child, Generation, GreedyRun } from "../src/log/schema.ts";
import { writeFileAtomic } from "../src/log/write.ts";
import { rng } from "../src/util/rng.ts";

const args = process.argv.slice(2);
const targetMb = Number(args[args.indexOf("--mb") + 1] ?? 500) || 500;
const keep = args.includes("--keep");
const P = 8_190_726_144;

function attempts(r: ReturnType<typeof rng>): Attempt[] {
  const out: Attempt[] = [];
  const tries = 1 + (r.next() < 0.3 ? 1 + r.int(2) : 0);
  for (let i = 0; i < tries; i++) {
    const last = i === tries - 1;
    const u = r.next();
    if (!last && u < 0.5)
      out.push({
        attempt_idx: i,
        status: "error:APIError",
        latency_s: r.next(),
        usage: null,
        finish_reason: null,
        timed_out: false,
        error: "Error code: 500 - {'error': 'injected'}",
      });
    else if (!last)
      out.push({
        attempt_idx: i,
        status: "timeout",
        latency_s: 900,
        usage: null,
        finish_reason: null,
        timed_out: true,
        estimated_output_tokens: 16000,
      });
    else {
      const prompt = 500 + r.int(3000);
      const completion = 200 + r.int(4000);
      out.push({
        attempt_idx: i,
        status: "ok",
        latency_s: 5 + 60 * r.next(),
        usage: {
          prompt_tokens: prompt,
          completion_tokens: completion,
          total_tokens: prompt + completion,
          prompt_tokens_details: { cached_tokens: 128 * r.int(4) },
          completion_tokens_details: null,
        },
        finish_reason: r.next() < 0.05 ? "length" : "stop",
        timed_out: false,
      });
    }
  }
  return out;
}

function greedy(seed: number, T: number, N: number, task = "cp"): GreedyRun {
  const r = rng(seed, 7);
  let best = 0.36;
  const trajectory: Generation[] = [
    {
      generation: 0,
      best_fitness: best,
      n_children: 0,
      n_valid: 0,
      n_improved: 0,
      children: [],
      gen_time_s: 0,
    },
  ];
  for (let g = 1; g <= T; g++) {
    const parent = best;
    const children: Child[] = [];
    for (let i = 0; i < N; i++) {
      const fitness = r.next() < 0.1 ? null : parent * (0.9 + 0.15 * r.next());
      children.push({
        idx: i,
        seed: (r.next() * 2 ** 32) >>> 0,
        fitness,
        valid: fitness !== null,
        attempts: attempts(r),
        final_status: fitness === null ? "error" : "ok",
      });
    }
    for (const c of children) if (c.fitness !== null && c.fitness > best) best = c.fitness;
    trajectory.push({
      generation: g,
      best_fitness: best,
      parent_fitness: parent,
      n_children: N,
      n_valid: children.filter((c) => c.fitness !== null).length,
      n_improved: children.filter((c) => c.fitness !== null && c.fitness > parent).length,
      children,
      gen_time_s: 30 * r.next(),
    });
  }
  return {
    task,
    model: "qwen3-8b",
    model_name: "Qwen/Qwen3-8B",
    C: T * N,
    T,
    N,
    seed,
    final_fitness: best,
    final_metrics: { combined_score: best },
    trajectory,
    wall_time_seconds: 1000,
    ...runFlopsFields(trajectory, P),
  };
}

function bandit(seed: number, K: number, T: number, N: number): BanditRun {
  const r = rng(seed, 9);
  const selections = Array.from({ length: T }, (_, t) => (t < K ? t : r.int(K)));
  const pulls = new Array<number>(K).fill(0);
  for (const a of selections) pulls[a]!++;
  const arms = pulls.map((n, a) => {
    const full = greedy(1000 * seed + a, n, N);
    return { ...full, T, C: T * N };
  });
  const perArm = arms.map((a) => generationFlops(a, P));
  const seen = new Array<number>(K).fill(0);
  const rewards: number[] = [];
  const running: number[] = [];
  const fpr: number[] = [];
  const cum: number[] = [];
  let best = Number.NEGATIVE_INFINITY;
  let total = 0;
  for (const a of selections) {
    const k = ++seen[a]!;
    const reward = arms[a]!.trajectory[k]!.best_fitness;
    rewards.push(reward);
    best = Math.max(best, reward);
    running.push(best);
    const f = perArm[a]![k - 1]!;
    fpr.push(f);
    total += f;
    cum.push(total);
  }
  const finals = arms.map((a) => a.final_fitness);
  const bestFinal = Math.max(...finals);
  return {
    task: "cp",
    model: "qwen3-8b",
    model_name: "Qwen/Qwen3-8B",
    params_active: P,
    algo: "ucb",
    C: T * N,
    T_total: T,
    N,
    n_arms: K,
    arm_seeds: arms.map((a) => a.seed),
    bandit_seed: seed,
    selections,
    rewards,
    running_best: running,
    flops_per_round: fpr,
    cumulative_flops: cum,
    total_flops_worst_case: total,
    final_best_fitness: bestFinal,
    best_arm_seed: arms[finals.indexOf(bestFinal)]!.seed,
    arm_pulls: pulls,
    arm_final_fitness: finals,
    arm_results: arms,
    wall_time_seconds: 1000,
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

function measure(cmd: string[], label: string): { seconds: number; rssMb: number } {
  const hook = new URL("./rss-hook.mjs", import.meta.url).pathname;
  const t0 = performance.now();
  const res = spawnSync("node", ["--import", hook, ...cmd], {
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 1 << 30,
  });
  if (res.status !== 0)
    throw new Error(`${label} exited ${res.status}: ${res.stderr?.toString().slice(0, 2000)}`);
  const out = res.stderr.toString();
  const seconds = (performance.now() - t0) / 1000;
  const m = /evoalloc-bench-maxrss-kb=(\d+)/.exec(out);
  const rssMb = m ? Number(m[1]) / 1024 : Number.NaN;
  console.log(`  ${label}: ${seconds.toFixed(2)} s, peak RSS ${rssMb.toFixed(0)} MB`);
  return { seconds, rssMb };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "evoalloc-ingest-"));
  console.log(`bench:ingest: writing ≥ ${targetMb} MB of result files to ${dir}`);
  let bytes = 0;
  let i = 0;
  const t0 = performance.now();
  while (bytes < targetMb * 1e6) {
    const half = i % 2 === 0 ? "h0" : "h1";
    const isBandit = i % 10 === 9;
    const run = isBandit ? bandit(i, 5, 64, 16) : greedy(i, 16, 64);
    const path = isBandit
      ? join(dir, half, "bandit", "cp", "qwen3-8b", `ucb_C1024_T64_K5_seed${i}.json`)
      : join(dir, half, "cp", "qwen3-8b", `greedy_C1024_T16_N64_seed${i}.json`);
    const text = JSON.stringify(run);
    await writeFileAtomic(path, text);
    bytes += text.length;
    i++;
  }
  const files = await listFiles(dir);
  let total = 0;
  for (const f of files) total += (await stat(f)).size;
  const mb = total / 1e6;
  console.log(
    `  ${files.length} files, ${mb.toFixed(0)} MB, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  // baseline: bare JSON.parse of the same bytes, in-process, reading included
  const p0 = performance.now();
  let n = 0;
  for (const f of files) {
    const v = JSON.parse(await readFile(f, "utf8")) as object;
    if (v) n++;
  }
  const parseS = (performance.now() - p0) / 1000;
  console.log(`  bare JSON.parse: ${parseS.toFixed(2)} s (${n} files)`);

  const bin = new URL("../bin/evoalloc.js", import.meta.url).pathname;
  const full = measure([bin, "summarize", dir, "--json"], "evoalloc summarize (whole tree)");
  const half = measure([bin, "summarize", join(dir, "h0"), "--json"], "evoalloc summarize (half the files)");
  const single = measure(
    [bin, "summarize", dir, "--json", "--threads", "0"],
    "evoalloc summarize --threads 0",
  );

  const parseMbS = mb / parseS;
  const sumMbS = mb / full.seconds;
  console.log("");
  console.log(`  JSON.parse          ${parseMbS.toFixed(0)} MB/s`);
  console.log(`  evoalloc summarize  ${sumMbS.toFixed(0)} MB/s`);
  console.log(`  evoalloc summarize --threads 0 (one thread)  ${(mb / single.seconds).toFixed(0)} MB/s`);
  console.log(
    `  ratio summarize / JSON.parse = ${(sumMbS / parseMbS).toFixed(2)} (goal ≥ 0.8; ${availableParallelism()} cores)`,
  );
  console.log(`  ratio on one thread          = ${(mb / single.seconds / parseMbS).toFixed(2)}`);
  console.log(
    `  peak RSS: ${full.rssMb.toFixed(0)} MB for ${files.length} files, ${half.rssMb.toFixed(0)} MB for about half (ratio ${(full.rssMb / half.rssMb).toFixed(2)}; flat ≈ 1)`,
  );
  if (!keep) await rm(dir, { recursive: true, force: true });
  else console.log(`  kept ${dir}`);
}

await main();
