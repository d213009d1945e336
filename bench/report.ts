/**
 * `node --import tsx bench/report.ts [RESULTS]`: how long `evoalloc report`
 * takes (not part of `npm test`). Runs the built CLI (`npm run build` first)
 * on RESULTS (default: the shipped results/) and, for comparison, on a
 * synthetic tree shaped like the shipped data set (3 tasks, C = 64 and 256
 * at every split down to N = 4 × 10 seeds, T = 64 × N = 4 × 20 seeds, 4
 * bandit policies × 3 seeds), printing wall clock and CPU (user + sys) of
 * each run, once with every format and once without PNG. The machine may be
 * shared, so the CPU figures are the steadier ones.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTree } from "../test/analysis-fixtures.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/evoalloc.js");

function time(label: string, args: string[]): void {
  const t0 = performance.now();
  // GNU time reports the child's CPU; without it, wall clock only
  const timed = existsSync("/usr/bin/time");
  const r = timed
    ? spawnSync("/usr/bin/time", ["-f", "%U %S", process.execPath, BIN, ...args], { encoding: "utf8" })
    : spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stdout.write(`${label}: failed (${r.status})\n${r.stderr}\n`);
    return;
  }
  const [user, sys] = (r.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  const cpu = timed ? `   cpu ${((user ?? 0) + (sys ?? 0)).toFixed(1).padStart(5)} s` : "";
  process.stdout.write(`${label.padEnd(40)} wall ${wall.toFixed(1).padStart(5)} s${cpu}\n`);
}

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-bench-report-"));
try {
  const shipped = process.argv[2] ?? join(ROOT, "results");
  if (existsSync(shipped)) {
    time(`report ${shipped}`, ["report", "--results", shipped, "--out", join(tmp, "a"), "--no-progress"]);
    time(`report ${shipped} (svg,html)`, [
      "report",
      "--results",
      shipped,
      "--out",
      join(tmp, "b"),
      "--format",
      "svg,html",
      "--no-progress",
    ]);
  } else process.stdout.write(`(no ${shipped}: shipped data skipped)\n`);
  const synth = join(tmp, "synthetic");
  const tasks = ["cp", "mmd", "ht"].map((task, i) => ({
    task,
    model: "mutator",
    paramsActive: 0,
    f0: 0.2 + 0.1 * i,
  }));
  writeTree(synth, {
    tasks,
    budgets: [64, 256],
    seeds: Array.from({ length: 10 }, (_, i) => 40 + i),
    deep: { T: 64, N: 4, seeds: Array.from({ length: 20 }, (_, i) => 40 + i) },
    bandits: { algos: ["ucb", "exp3p", "thompson", "random"], C: 256, N: 4, K: 5, seeds: [0, 1, 2] },
  });
  time("report synthetic (shipped shape)", [
    "report",
    "--results",
    synth,
    "--out",
    join(tmp, "c"),
    "--no-progress",
  ]);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
