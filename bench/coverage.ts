/**
 * `npm run bench:coverage`: do replay's 95 % intervals hold the truth 95 % of
 * the time? (not part of `npm test`)
 *
 *   for each cell (model, S, K, G):
 *     truth   = every statistic over 100,000 instances of K fresh curves (Monte Carlo)
 *     pools   = 400 pools of S seeds drawn from the model, each replayed with intervals
 *     print     coverage, mean width and width / (2·1.96·true sd) per statistic
 *   last line: worst coverage: X (statistic, S, K, G), over S = 10 and 20 (the goal's cells)
 *
 * Coverage counts every pool: one where replay gives no interval (or no point) is a miss.
 * The pools are drawn from seeds (POOL_SALT) other than those the jackknife-pseudo constants were chosen on.
 *
 * Models (bench/coverage-models.ts): `steady` and `stagnant` (40 % of seeds
 * never improve, heavy-tailed jumps). S ∈ {5, 10, 20}, K ∈ {3, 5},
 * G ∈ {4K, 64}. The true sd is the sd of the point estimates over the pools.
 * A cell where K = S has a single instance and no interval (said so).
 *
 * Options (after `--`): --pools N (400), --truth M (100000), --workers W
 * (the cores, up to 4), --max-instances I (3000: C(20, 5) = 15,504 subsets
 * are sampled), --policies a,b (ucb,exp3p,thompson,random,halving),
 * --summary (one line per cell instead of one per statistic), --json FILE,
 * --only "MODEL S K G" (cells whose label contains it, e.g. "stagnant 20"),
 * --tuning-pools (the pools jackknife-pseudo's constants were chosen on, instead of fresh ones),
 * --method jackknife-pseudo (replay's default) | jackknife-skew | jackknife-t (see src/replay/seed-interval.ts).
 */
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { INTERVAL_METHODS, type IntervalMethod } from "../src/replay/index.ts";
import { startWorker } from "../src/util/worker.ts";
import { MODELS, type ModelName, type Truth } from "./coverage-models.ts";
import type { Job, PoolRows } from "./coverage-worker.ts";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const POOLS = Number(arg("pools", "400"));
const TRUTH_M = Number(arg("truth", "100000"));
const WORKERS = Number(arg("workers", String(Math.min(4, availableParallelism()))));
const MAX_INSTANCES = Number(arg("max-instances", "3000"));
const POLICIES = arg("policies", "ucb,exp3p,thompson,random,halving").split(",");
const SUMMARY = process.argv.includes("--summary");
const JSON_OUT = arg("json", "");
const ONLY = arg("only", "");
const METHOD = arg("method", "jackknife-pseudo") as IntervalMethod;
if (!INTERVAL_METHODS.includes(METHOD)) {
  console.error(`--method must be one of ${INTERVAL_METHODS.join(", ")}, got ${METHOD}`);
  process.exit(2);
}
const TUNING = process.argv.includes("--tuning-pools");
const CHUNK = 25;

interface Cell {
  model: ModelName;
  S: number;
  K: number;
  G: number;
}

const cells: Cell[] = [];
for (const model of MODELS)
  for (const S of [5, 10, 20])
    for (const K of [3, 5])
      for (const G of [4 * K, 64])
        if (ONLY === "" || `${model} ${S} ${K} ${G}`.includes(ONLY)) cells.push({ model, S, K, G });
const truthKey = (c: { model: string; K: number; G: number }) => `${c.model}/K${c.K}/G${c.G}`;

/** Runs jobs on W worker threads; resolves with every job's result by id. */
function runJobs(jobs: Job[]): Promise<Map<string, unknown>> {
  const url = new URL("./coverage-worker.ts", import.meta.url);
  const results = new Map<string, unknown>();
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const workers = Array.from({ length: Math.max(1, Math.min(WORKERS, jobs.length)) }, () =>
      startWorker(url),
    );
    const finish = (err?: Error) => {
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(results);
    };
    for (const w of workers) {
      const feed = () => {
        if (next < jobs.length) w.postMessage(jobs[next++]);
      };
      w.on("message", (m: { id: string; result?: unknown; error?: string }) => {
        if (m.error) return finish(new Error(m.error));
        results.set(m.id, m.result);
        done++;
        if (done % 20 === 0 || done === jobs.length) process.stderr.write(`\r  ${done}/${jobs.length} jobs`);
        if (done === jobs.length) {
          process.stderr.write("\n");
          finish();
        } else feed();
      });
      w.on("error", (err) => finish(err));
      feed();
    }
  });
}

interface Row {
  statistic: string;
  truth: number;
  /** Pools with an interval, and in all. */
  given: number;
  pools: number;
  coverage: number;
  width: number;
  sd: number;
  ratio: number;
  /** (mean of the point estimates − truth) / sd. */
  bias: number;
  /** Misses with the truth above the interval, and below it. */
  above: number;
  below: number;
}

function score(truth: Truth, rows: PoolRows): Row[] {
  const out: Row[] = [];
  for (const [statistic, r] of Object.entries(rows)) {
    const t = truth[statistic];
    if (t === undefined || Number.isNaN(t)) continue;
    let given = 0;
    let covered = 0;
    let width = 0;
    let above = 0;
    let below = 0;
    const points = r.point.filter((x) => !Number.isNaN(x));
    r.lo.forEach((lo, i) => {
      const hi = r.hi[i]!;
      if (Number.isNaN(lo) || Number.isNaN(hi)) return;
      given++;
      width += hi - lo;
      if (lo <= t && t <= hi) covered++;
      else if (t > hi) above++;
      else below++;
    });
    const m = points.reduce((a, b) => a + b, 0) / points.length;
    const sd = Math.sqrt(points.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, points.length - 1));
    out.push({
      statistic,
      truth: t,
      given,
      pools: r.lo.length,
      coverage: r.lo.length > 0 ? covered / r.lo.length : Number.NaN,
      width: given > 0 ? width / given : Number.NaN,
      sd,
      ratio: given > 0 && sd > 0 ? width / given / (2 * 1.959964 * sd) : Number.NaN,
      bias: sd > 0 ? (m - t) / sd : 0,
      above,
      below,
    });
  }
  return out;
}

const f = (x: number, d = 3) => (Number.isNaN(x) ? "-" : x.toFixed(d));

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(
    `replay interval coverage: ${METHOD} (src/replay/seed-interval.ts), nominal 95 %; a pool without an interval is a miss\n` +
      `${POOLS} pools per cell, truth from ${TRUTH_M} Monte Carlo instances, policies ${POLICIES.join(", ")}, ` +
      `at most ${MAX_INSTANCES} instances per pool (a seeded sample beyond), ${WORKERS} worker thread(s)\n`,
  );
  const truthJobs: Job[] = [...new Map(cells.map((c) => [truthKey(c), c])).values()].map((c, i) => ({
    kind: "truth",
    id: truthKey(c),
    model: c.model,
    K: c.K,
    G: c.G,
    policies: POLICIES,
    m: TRUTH_M,
    seed: 900_000 + i,
  }));
  const poolJobs: Job[] = [];
  for (const c of cells)
    for (let from = 0; from < POOLS; from += CHUNK)
      poolJobs.push({
        kind: "pools",
        id: `${truthKey(c)}/S${c.S}/${from}`,
        ...c,
        policies: POLICIES,
        from,
        to: Math.min(POOLS, from + CHUNK),
        maxInstances: MAX_INSTANCES,
        method: METHOD,
        tuning: TUNING,
      });
  const results = await runJobs([...truthJobs, ...poolJobs]);
  const report: { cell: Cell; rows: Row[] }[] = [];
  let worst: { coverage: number; where: string } = { coverage: 2, where: "" };
  const worstByS = new Map<number, number>();
  for (const c of cells) {
    const merged: PoolRows = {};
    for (let from = 0; from < POOLS; from += CHUNK) {
      const part = results.get(`${truthKey(c)}/S${c.S}/${from}`) as PoolRows;
      for (const [key, r] of Object.entries(part)) {
        const m = (merged[key] ??= { point: [], lo: [], hi: [] });
        m.point.push(...r.point);
        m.lo.push(...r.lo);
        m.hi.push(...r.hi);
      }
    }
    const rows = score(results.get(truthKey(c)) as Truth, merged);
    report.push({ cell: c, rows });
    const withCi = rows.filter((r) => r.given > 0);
    const head = `${c.model}  S=${c.S} K=${c.K} G=${c.G}`;
    if (withCi.length === 0) {
      console.log(`${head}: no intervals (K = S: one instance, no seed can be left out)`);
      continue;
    }
    const low = rows.reduce((a, b) => (b.coverage < a.coverage ? b : a));
    const ratios = withCi
      .map((r) => r.ratio)
      .filter((x) => Number.isFinite(x))
      .sort((a, b) => a - b);
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    console.log(
      `${head}: worst coverage ${f(low.coverage)} (${low.statistic}), mean coverage ${f(
        mean(rows.map((r) => r.coverage)),
      )}, width ratio median ${f(ratios[Math.floor(ratios.length / 2)] ?? Number.NaN, 2)} (range ${f(
        ratios[0] ?? Number.NaN,
        2,
      )}–${f(ratios.at(-1) ?? Number.NaN, 2)})`,
    );
    if (!SUMMARY)
      for (const r of rows)
        console.log(
          `    ${r.statistic.padEnd(36)} truth ${f(r.truth, 4).padStart(8)}  coverage ${f(r.coverage)}` +
            `  width ${f(r.width, 4)}  ratio ${f(r.ratio, 2)}  misses above/below ${r.above}/${r.below}  bias/sd ${f(r.bias, 2)}${r.given < r.pools ? `  (interval in ${r.given} of ${r.pools} pools)` : ""}`,
        );
    worstByS.set(c.S, Math.min(worstByS.get(c.S) ?? 2, low.coverage));
    if (c.S >= 10 && low.coverage < worst.coverage)
      worst = { coverage: low.coverage, where: `${low.statistic}, ${c.S}, ${c.K}, ${c.G}` };
  }
  console.log("");
  for (const [S, cov] of [...worstByS].sort((a, b) => a[0] - b[0]))
    console.log(
      `S = ${S}: worst coverage ${f(cov)}${
        S === 20
          ? " (goal >= 0.93)"
          : S === 10
            ? " (goal >= 0.90)"
            : " (no goal; K = S cells give no interval)"
      }`,
    );
  console.log(`time: ${f((performance.now() - t0) / 1000, 1)} s`);
  if (JSON_OUT) writeFileSync(JSON_OUT, `${JSON.stringify(report, null, 1)}\n`);
  console.log(`worst coverage: ${f(worst.coverage)} (${worst.where})`);
}

await main();
