// `evoalloc replay` loads only what it uses: run from the build in a child process whose module
// loader records every module it resolves (a `module.register` hook), on a small synthetic pool.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { syntheticGreedyRun } from "../src/replay/synthetic.ts";
import { BIN } from "./cli.ts";

// resolve hook: prints each resolved URL on stderr, one per line
const HOOKS = `export async function resolve(s, c, next) { const r = await next(s, c); console.error("LOADED " + r.url); return r; }`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "evoalloc-startup-"));
  await mkdir(join(dir, "t", "m"), { recursive: true });
  for (let seed = 0; seed < 5; seed++) {
    const curve = Array.from({ length: 9 }, (_, g) => 0.1 + 0.01 * g * ((seed % 3) + 1));
    const run = syntheticGreedyRun({ task: "t", model: "m", N: 2, seed, curve });
    await writeFile(join(dir, "t", "m", `greedy_C16_T8_N2_seed${seed}.json`), JSON.stringify(run));
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function loadedBy(args: string[]): string[] {
  const r = spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith("LOADED "))
    .map((l) => l.slice("LOADED ".length));
}

it("replay loads neither zod, the imported-pool, sweep and synthetic modules nor simple-statistics, unless a file needs the schemas", async () => {
  const args = [
    "replay",
    "--results",
    dir,
    "--task",
    "t",
    "--model",
    "m",
    "--N",
    "2",
    "--K",
    "2",
    "--rounds",
    "8",
  ];
  const urls = loadedBy([...args, "--json"]);
  assert.ok(
    urls.some((u) => u.endsWith("/dist/replay/threaded.js")),
    `the hook saw the replay modules: ${urls.length} modules`,
  );
  for (const name of [
    "/dist/import/",
    "/dist/replay/sweep.js",
    "/dist/replay/synthetic.js",
    "simple-statistics",
    "/node_modules/zod/",
    "/dist/log/schema.js",
    "/dist/log/models.js",
  ])
    assert.ok(!urls.some((u) => u.includes(name)), `${name} loaded`);
  // a file its guard rejects loads the schemas, which name the file and the field
  const bad = join(dir, "t", "m", "greedy_C16_T8_N2_seed9.json");
  const run = syntheticGreedyRun({ task: "t", model: "m", N: 2, seed: 9, curve: Array(9).fill(0.1) });
  const trajectory = run.trajectory.map((g, i) => (i === 3 ? { ...g, n_children: "x" } : g));
  await writeFile(bad, JSON.stringify({ ...run, trajectory }));
  const r = spawnSync(process.execPath, [BIN, ...args, "--json"], { encoding: "utf8" });
  await rm(bad);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /greedy_C16_T8_N2_seed9\.json: trajectory\[3\]\.n_children: /);
  assert.equal(JSON.parse(r.stdout).pool.length, 5);
  // --system still answers (the imported-pool module is imported on that path only)
  const sys = spawnSync(
    process.execPath,
    [BIN, ...args.slice(0, 7), "--system", "openevolve", "--K", "2", "--rounds", "8"],
    {
      encoding: "utf8",
    },
  );
  assert.equal(sys.status, 2);
  assert.match(sys.stderr, /--system: no imported runs under/);
});
