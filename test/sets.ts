/**
 * The two sets of test files, and the runner behind `npm test` and
 * `npm run test:fast`.
 *
 * - slow: files named `*.slow.test.ts`: they start servers, the sandbox,
 *   python, node processes or Chromium, or are stress tests that cost seconds
 *   of CPU (a 10,000-file folder, a gzip bomb).
 * - fast: every other `*.test.ts`. They run under ./fast-guard.ts, which makes
 *   starting a process or listening on a port throw, so a slow test that is
 *   not named so fails in the fast set (in `npm test` too) instead of slowing
 *   it down.
 *
 * `npm test` runs the fast set, then the slow set: every file once.
 * ./sets.test.ts checks that every test file is in exactly one set.
 *
 *   node --import tsx test/sets.ts fast|slow|all [node --test options...]
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..");
export const SLOW = /\.slow\.test\.ts$/;
export const TEST = /\.test\.ts$/;

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

/** Runs one set with `node --test`; resolves to its exit status. */
function runSet(which: keyof TestSets, args: string[]): number {
  const files = testSets()[which];
  // fast files share nothing (temporary folders, no ports, no processes): they may run side by side
  const concurrency = which === "fast" ? Math.min(4, availableParallelism()) : 1;
  const guard = which === "fast" ? ["--import", "./test/fast-guard.ts"] : [];
  process.stderr.write(`test/sets.ts: the ${which} set, ${files.length} files\n`);
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", ...guard, "--test", `--test-concurrency=${concurrency}`, ...args, ...files],
    { cwd: ROOT, stdio: "inherit", env: { ...process.env, EVOALLOC_TEST_SET: which } },
  );
  return r.status ?? 1;
}

if (process.argv[1] === import.meta.filename) {
  const [which, ...args] = process.argv.slice(2);
  if (which === "fast" || which === "slow") process.exitCode = runSet(which, args);
  else if (which === "all") {
    const fast = runSet("fast", args);
    const slow = runSet("slow", args);
    process.exitCode = fast !== 0 ? fast : slow;
  } else {
    process.stderr.write("usage: node --import tsx test/sets.ts fast|slow|all [node --test options...]\n");
    process.exitCode = 2;
  }
}
