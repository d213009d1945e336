/**
 * The two sets of test files, and the runner behind `npm test` and
 * `npm run test:fast`.
 *
 * - slow: files named `*.slow.test.ts`: they start servers, the sandbox,
 *   python, node processes or Chromium, or are stress tests that cost seconds
 *   of CPU (a 10,000-file folder, a gzip bomb). One file at a time, each in
 *   its own process.
 * - fast: every other `*.test.ts`. They run under ./fast-guard.ts, which makes
 *   starting a process or listening on a port throw, so a slow test that is
 *   not named so fails in the fast set (in `npm test` too) instead of slowing
 *   it down. They share nothing (temporary folders, no ports, no processes),
 *   so they run in a few processes side by side (one per core), each running
 *   its share of the files one after another (./shard.ts): starting Node and
 *   tsx and loading the libraries once per process, not once per file, is
 *   most of what makes the set fast. The shares are balanced with each file's
 *   time in the previous run (kept in node_modules/.cache/evoalloc-tests).
 *
 * Worker threads start from src/ transpiled to JavaScript in both sets (./src-js.ts).
 * `npm test` runs the fast set, then the slow set: every file once.
 * ./sets.test.ts checks that every test file is in exactly one set.
 *
 *   node --import tsx test/sets.ts fast|slow|all [test files...] [node --test options...]
 *
 * Test files given narrow the set(s) to them (`npm run test:fast -- test/replay-core.test.ts`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { transpileSrc } from "./src-js.ts";

export const ROOT = join(import.meta.dirname, "..");
export const SLOW = /\.slow\.test\.ts$/;
export const TEST = /\.test\.ts$/;
/** The module the fast set's processes run: it declares the suites, it is no test file. */
export const SHARD = "test/shard.ts";
const CACHE = join(ROOT, "node_modules", ".cache", "evoalloc-tests");
const TIMES = join(CACHE, "fast-times.json");

export interface TestSets {
  fast: string[];
  slow: string[];
}

/** The test files of test/ (paths from the project's root, sorted), split by name. */
export function testSets(): TestSets {
  const files = readdirSync(join(ROOT, "test"))
    .filter((f) => TEST.test(f))
    .sort()
    .map((f) => `test/${f}`);
  return { fast: files.filter((f) => !SLOW.test(f)), slow: files.filter((f) => SLOW.test(f)) };
}

/**
 * Splits `files` into `n` shares of about equal total time, longest first
 * (LPT). A file without a time is guessed at the median time, or by its size
 * when no file has one. Every file lands in exactly one share; empty shares
 * are dropped.
 *
 *   shares(["a", "b", "c"], { a: 5, b: 3, c: 3 }, 2) // => [["a"], ["b", "c"]]
 */
export function shares(files: readonly string[], times: Record<string, number>, n: number): string[][] {
  const known = files
    .map((f) => times[f])
    .filter((t): t is number => t !== undefined)
    .sort((a, b) => a - b);
  const median = known[Math.floor(known.length / 2)];
  const cost = (f: string) => times[f] ?? median ?? statSync(join(ROOT, f)).size;
  const bins = Array.from({ length: Math.max(1, n) }, () => ({ total: 0, files: [] as string[] }));
  for (const f of [...files].sort((a, b) => cost(b) - cost(a) || a.localeCompare(b))) {
    const bin = bins.reduce((min, b) => (b.total < min.total ? b : min));
    bin.files.push(f);
    bin.total += cost(f);
  }
  return bins.filter((b) => b.files.length > 0).map((b) => b.files.sort());
}

function readTimes(file: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Runs one set with `node --test`; resolves to its exit status. */
function runSet(
  which: keyof TestSets,
  only: string[],
  args: string[],
  run: string,
  env: NodeJS.ProcessEnv,
): number {
  const files = testSets()[which].filter((f) => only.length === 0 || only.includes(f));
  if (files.length === 0) return 0;
  let entries = files;
  let concurrency = 1;
  let guard: string[] = [];
  if (which === "fast") {
    const parts = shares(files, readTimes(TIMES), availableParallelism());
    entries = parts.map((part, k) => {
      const entry = join(run, `fast-${k + 1}-of-${parts.length}.mjs`);
      const times = join(run, `times-${k + 1}.json`);
      writeFileSync(
        entry,
        `import { runFiles } from ${JSON.stringify(pathToFileURL(join(ROOT, SHARD)).href)};\n` +
          `runFiles(${JSON.stringify(part)}, ${JSON.stringify(times)});\n`,
      );
      return entry;
    });
    concurrency = parts.length;
    guard = ["--import", "./test/fast-guard.ts"];
  }
  process.stderr.write(
    `test/sets.ts: the ${which} set, ${files.length} files in ${entries.length} processes\n`,
  );
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", ...guard, "--test", `--test-concurrency=${concurrency}`, ...args, ...entries],
    { cwd: ROOT, stdio: "inherit", env: { ...env, EVOALLOC_TEST_SET: which } },
  );
  if (which === "fast") {
    const times = readTimes(TIMES);
    for (const f of readdirSync(run).filter((f) => /^times-\d+\.json$/.test(f)))
      Object.assign(times, readTimes(join(run, f)));
    writeFileSync(TIMES, `${JSON.stringify(times, null, 1)}\n`);
  }
  return r.status ?? 1;
}

/** Removes the folders of earlier runs that were stopped before they could (their process is gone). */
function removeLeftovers(): void {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  };
  const folders = [
    ...readdirSync(ROOT).map((f) => [ROOT, f, /^\.test-js-(\d+)$/.exec(f)] as const),
    ...(existsSync(CACHE) ? readdirSync(CACHE) : []).map((f) => [CACHE, f, /^run-(\d+)$/.exec(f)] as const),
  ];
  for (const [dir, f, m] of folders)
    if (m && !alive(Number(m[1]))) rmSync(join(dir, f), { recursive: true, force: true });
}

async function main(which: string | undefined, rest: string[]): Promise<number> {
  const sets = testSets();
  const all = [...sets.fast, ...sets.slow];
  const only = rest.map((a) => relative(ROOT, resolve(a))).filter((f) => all.includes(f));
  const args = rest.filter((a) => !all.includes(relative(ROOT, resolve(a))));
  if (which !== "fast" && which !== "slow" && which !== "all") {
    process.stderr.write(
      "usage: node --import tsx test/sets.ts fast|slow|all [test files...] [node --test options...]\n",
    );
    return 2;
  }
  removeLeftovers();
  const run = join(CACHE, `run-${process.pid}`);
  mkdirSync(run, { recursive: true });
  // directly in the project, as dist/ is (see ./src-js.ts)
  const js = join(ROOT, `.test-js-${process.pid}`);
  try {
    await transpileSrc(js);
    const env = { ...process.env, EVOALLOC_WORKER_JS: js };
    if (which !== "all") return runSet(which, only, args, run, env);
    const fast = runSet("fast", only, args, run, env);
    const slow = runSet("slow", only, args, run, env);
    return fast !== 0 ? fast : slow;
  } finally {
    rmSync(run, { recursive: true, force: true });
    rmSync(js, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const [which, ...args] = process.argv.slice(2);
  process.exitCode = await main(which, args);
}
