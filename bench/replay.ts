/**
 * `npm run bench:replay`: how fast replay is (not part of `npm test`).
 *
 *   (a) policy-rounds per second of the replay kernel, K = 10, G = 64,
 *       100,000 sampled instances of a 40-seed × 64-generation pool, every policy;
 *   (b) end to end, `evoalloc replay` (startup included, intervals on, the
 *       default threads, median of 5 runs: a run lasts about a second, so a
 *       burst of other work on the machine moves one run, not the median) for
 *       K = 10, G = 64, 20,000 and 100,000 sampled
 *       instances, ucb/exp3p/thompson/random, against bench/replay_baseline.py
 *       (pure Python, same replay, no intervals), as a ratio (goals 25× and
 *       50×); the two are first checked to agree exactly on an enumerated
 *       K = 2 replay;
 *   (c) `evoalloc replay` with intervals over the shipped results/ (skipped
 *       when there is none).
 *
 * `npm run bench:replay -- c` runs only the parts named (a, b, c).
 *
 * Data for (a) and (b) are synthetic curves written as greedy run files to a
 * temporary folder. Times are wall clock and CPU (user + sys) of one run; the
 * machine may be shared, so the CPU figures are the steadier ones.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadResults } from "../src/log/read.ts";
import { POLICIES, resolveParams } from "../src/policies/index.ts";
import { buildPools, curveTable, makeInstances, type Pool, runPolicy } from "../src/replay/index.ts";
import { MODEL, N, TASK, writeSyntheticPool } from "./replay-data.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/evoalloc.js");
const PY = join(ROOT, "bench/replay_baseline.py");

interface Timed {
  wall: number;
  cpu: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time (when present) for its CPU time. */
function timed(cmd: string, args: string[], cwd?: string): Timed {
  const hasTime = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "__TIME__ %U %S", cmd, ...args], {
        encoding: "utf8",
        maxBuffer: 256 << 20,
      })
    : spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 256 << 20 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  const m = /__TIME__ ([\d.]+) ([\d.]+)/.exec(r.stderr ?? "");
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : Number.NaN, stdout: r.stdout };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const fmt = (x: number, d = 2) => x.toFixed(d);

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((x) => /^[abc]$/.test(x));
  const part = (p: string) => only.length === 0 || only.includes(p);
  const dir = await mkdtemp(join(tmpdir(), "evoalloc-bench-replay-"));
  try {
    await writeSyntheticPool(dir, 40, 64);
    const { runs } = await loadResults([dir]);
    const pool = buildPools(runs)[0]!;
    console.log(`pool: ${pool.seeds.length} seeds × ${pool.depths[0]} generations (synthetic, ${dir})\n`);

    // (a) kernel throughput
    if (part("a")) partA(pool);
    if (part("b")) partB(dir);
    if (part("c")) await partC();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function partA(pool: Pool): void {
  console.log("(a) replay kernel, K = 10, G = 64, 100,000 sampled instances, one core");
  const table = curveTable(pool);
  const inst = makeInstances(pool.seeds.length, 10, 100_000, 0);
  const rounds = 100_000 * 64;
  let ucbRate = 0;
  for (const name of Object.keys(POLICIES)) {
    const opts = {
      spec: POLICIES[name]!,
      params: resolveParams(name),
      rounds: 64,
      seed: 0,
      firstInstance: 0,
    };
    runPolicy(table, makeInstances(pool.seeds.length, 10, 2000, 1), opts); // warm-up
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    runPolicy(table, inst, opts);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    if (name === "ucb") ucbRate = rounds / cpu;
    console.log(
      `  ${name.padEnd(9)} ${fmt(rounds / wall / 1e6).padStart(6)} M policy-rounds/s wall   ${fmt(rounds / cpu / 1e6).padStart(6)} M/s CPU`,
    );
  }
  console.log(`  ucb: ${fmt(ucbRate / 1e6)} M policy-rounds/s per CPU second (goal >= 5)\n`);
}

/** (b) end to end against pure Python */
function partB(dir: string): void {
  console.log(
    "(b) end to end: evoalloc replay (intervals on, worker threads) vs pure-Python replay, K = 10, G = 64, 4 policies",
  );
  const common = ["--results", dir, "--task", TASK, "--model", MODEL, "--N", String(N)];
  const check = ["--K", "2", "--rounds", "64", "--algos", "ucb"];
  const jsOut = JSON.parse(
    timed("node", [BIN, "replay", ...common, ...check, "--bootstrap", "0", "--json"]).stdout,
  );
  const pyOut = JSON.parse(timed("python3", [PY, ...common, ...check]).stdout);
  const same =
    jsOut.n_instances === pyOut.n_instances &&
    jsOut.policies.ucb.mean === pyOut.policies.ucb.mean &&
    ["uniform", "single", "oracle"].every(
      (r) => Math.abs(jsOut.references[r].mean - pyOut.references[r].mean) < 1e-12,
    );
  console.log(
    `  check (K = 2, all ${jsOut.n_instances} subsets, ucb): evoalloc ${jsOut.policies.ucb.mean} vs Python ${pyOut.policies.ucb.mean} → ${same ? "identical" : "DIFFERENT"}`,
  );
  if (!same) process.exitCode = 1;
  for (const count of [20_000, 100_000]) {
    const args = ["--K", "10", "--rounds", "64", "--max-instances", String(count)];
    args.push("--algos", "ucb,exp3p,thompson,random");
    // evoalloc with its intervals (the Python baseline computes none)
    const cmd = ["replay", ...common, ...args, "--json"];
    const js = [0, 1, 2, 3, 4].map(() => timed("node", [BIN, ...cmd]));
    const one = timed("node", [BIN, ...cmd, "--threads", "1"]);
    const py = timed("python3", [PY, ...common, ...args]);
    const jsWall = median(js.map((t) => t.wall));
    const jsCpu = median(js.map((t) => t.cpu));
    const goal = count === 20_000 ? 25 : 50;
    console.log(`  ${count.toLocaleString("en")} instances:`);
    console.log(
      `    evoalloc replay, intervals on (median of 5): ${fmt(jsWall)} s wall, ${fmt(jsCpu)} s CPU; one thread ${fmt(one.wall)} s wall`,
    );
    console.log(
      `    python3 baseline, no intervals:            ${fmt(py.wall)} s wall, ${fmt(py.cpu)} s CPU`,
    );
    console.log(
      `    ratio: ${fmt(py.wall / jsWall, 1)}× faster by wall clock (goal >= ${goal}×), ${fmt(py.cpu / jsCpu, 1)}× by CPU time\n`,
    );
  }
}

/** (c) shipped data with 2000 bootstrap resamples */
async function partC(): Promise<void> {
  console.log("(c) evoalloc replay --bootstrap 2000 over the shipped results/");
  const results = join(ROOT, "results");
  if (!existsSync(results)) {
    console.log("  skipped: no results/ folder in this checkout yet");
    return;
  }
  const shipped = buildPools((await loadResults([results])).runs).sort(
    (a, b) => b.seeds.length - a.seeds.length,
  );
  const big = shipped[0];
  if (!big || big.seeds.length < 2) {
    console.log("  skipped: results/ holds no pool of at least 2 greedy seeds");
    return;
  }
  // the largest pool, K = min(5, S), G = its deepest run
  const k = Math.min(5, big.seeds.length);
  const g = Math.max(...big.depths);
  const cArgs = ["replay", "--results", "results", "--task", big.task, "--model", big.model];
  cArgs.push("--N", String(big.N), "--K", String(k), "--rounds", String(g), "--bootstrap", "2000", "--json");
  timed("node", [BIN, ...cArgs], ROOT); // warm the file cache
  const t = timed("node", [BIN, ...cArgs], ROOT);
  const res = JSON.parse(t.stdout);
  console.log(`  command: node bin/evoalloc.js ${cArgs.join(" ")}`);
  console.log(
    `  ${res.n_instances} instances from ${big.seeds.length} seeds, all ${Object.keys(res.policies).length} policies: ` +
      `${fmt(t.wall)} s wall, ${fmt(t.cpu)} s CPU (goal < 10 s)`,
  );
}

await main();
