// End to end: `evoalloc replay|sweep` (in-process, through main()) on a temporary results tree.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { earlyWorkers } from "../src/cli/replay.ts";
import { syntheticGreedyRun } from "../src/replay/synthetic.ts";
import { runCli } from "./cli.ts";

const curve = (seed: number, depth: number) =>
  Array.from({ length: depth + 1 }, (_, g) => 0.1 + 0.01 * seed + 0.02 * Math.floor(g / (1 + (seed % 3))));

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "evoalloc-replay-"));
  const folder = join(dir, "cp", "m1");
  await mkdir(folder, { recursive: true });
  const put = async (seed: number, n: number, t: number) => {
    const r = syntheticGreedyRun({ task: "cp", model: "m1", N: n, seed, curve: curve(seed, t) });
    await writeFile(join(folder, `greedy_C${r.C}_T${t}_N${n}_seed${seed}.json`), JSON.stringify(r));
  };
  for (let s = 0; s < 6; s++) await put(s, 4, 8); // C = 32
  for (let s = 0; s < 4; s++) await put(s, 2, 16); // C = 32
  await put(10, 4, 16); // C = 64: a prefix source for (T=8, N=4)
  await writeFile(join(dir, "grid.json"), JSON.stringify({ grid: [1, 2] })); // not a run: skipped
  // a bandit run of the same task and model: its arms are not independent seeds and never enter a pool
  const bandit = syntheticGreedyRun({ task: "cp", model: "m1", N: 4, seed: 77, curve: curve(77, 8) });
  await mkdir(join(dir, "bandit", "cp", "m1"), { recursive: true });
  await writeFile(
    join(dir, "bandit", "cp", "m1", "ucb_C32_T8_K1_seed0.json"),
    JSON.stringify({
      task: "cp",
      model: "m1",
      model_name: "m1",
      params_active: bandit.flops.params_active,
      algo: "ucb",
      C: 32,
      T_total: 8,
      N: 4,
      n_arms: 1,
      arm_seeds: [77],
      bandit_seed: 0,
      selections: Array(8).fill(0),
      rewards: bandit.trajectory.slice(1).map((g) => g.best_fitness),
      running_best: bandit.trajectory.slice(1).map((g) => g.best_fitness),
      flops_per_round: bandit.flops_per_generation,
      cumulative_flops: bandit.flops_per_generation.map((_, i, a) =>
        a.slice(0, i + 1).reduce((x, y) => x + y, 0),
      ),
      total_flops_worst_case: bandit.flops.worst_case.total_flops,
      final_best_fitness: bandit.final_fitness,
      best_arm_seed: 77,
      arm_pulls: [8],
      arm_final_fitness: [bandit.final_fitness],
      arm_results: [bandit],
      wall_time_seconds: 1,
    }),
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = () => ["replay", "--results", dir, "--task", "cp", "--model", "m1", "--N", "4"];

describe("evoalloc replay", () => {
  it("--json prints the documented object", async () => {
    const r = await runCli([...base(), "--K", "3", "--rounds", "8", "--bootstrap", "100", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, ""); // the bandit file is valid and simply not pooled
    const j = JSON.parse(r.stdout);
    for (const key of ["task", "model", "N", "K", "rounds", "n_instances", "pool", "policies", "references"])
      assert.ok(key in j, key);
    assert.equal(j.task, "cp");
    assert.equal(j.N, 4);
    assert.equal(j.K, 3);
    assert.equal(j.rounds, 8);
    assert.deepEqual(j.pool, [0, 1, 2, 3, 4, 5, 10]);
    assert.equal(j.n_instances, 35); // C(7, 3)
    assert.deepEqual(Object.keys(j.policies), [
      "ucb",
      "exp3p",
      "thompson",
      "random",
      "halving",
      "rsr",
      "rucbe",
      "elim",
      "leader",
    ]);
    for (const p of Object.values(j.policies) as Record<string, unknown>[]) {
      for (const key of [
        "mean",
        "median",
        "iqm",
        "q05",
        "q95",
        "ci95",
        "p_improve_vs_uniform",
        "normalized_mean",
        "exhausted_rate",
        "params",
      ])
        assert.ok(key in p, key);
      assert.equal((p.ci95 as number[]).length, 2);
      assert.ok(!("selections" in p));
    }
    assert.deepEqual(Object.keys(j.references), ["uniform", "single", "oracle"]);
    assert.ok(j.references.oracle.mean >= j.references.single.mean);
    assert.deepEqual(j.policies.ucb.params, { c: Math.SQRT2 });
  });

  it("--subset replays exactly one instance and prints final and selections; --out writes the same JSON", async () => {
    const out = join(dir, "out", "r.json");
    const r = await runCli([
      ...base(),
      "--K",
      "2",
      "--rounds",
      "6",
      "--subset",
      "4,1",
      "--algos",
      "ucb,random",
      "--param",
      "ucb.c=0.5",
      "--json",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.n_instances, 1);
    assert.deepEqual(Object.keys(j.policies), ["ucb", "random"]);
    assert.deepEqual(j.policies.ucb.params, { c: 0.5 });
    assert.equal(j.policies.ucb.selections.length, 6);
    assert.ok(j.policies.ucb.selections.every((a: number) => a === 0 || a === 1));
    assert.equal(typeof j.policies.ucb.final, "number");
    assert.equal(j.policies.ucb.ci95, null);
    assert.deepEqual(JSON.parse(await readFile(out, "utf8")), j);
  });

  it("prints a table without --json", async () => {
    const r = await runCli([...base(), "--K", "2", "--rounds", "4", "--algos", "leader", "--bootstrap", "0"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /leader/);
    assert.match(r.stdout, /\(oracle\)/);
  });

  it("bad input exits 2 with one line naming what is available", async () => {
    const cases: [string[], RegExp][] = [
      [[...base(), "--K", "9", "--rounds", "4"], /too few seeds for K = 9.*has 7 \(0, 1, 2, 3, 4, 5, 10\)/],
      [[...base(), "--K", "2", "--rounds", "0"], /--rounds: must be a positive integer/],
      // checked by the flags' parsers (replay validates without zod)
      [
        [...base(), "--K", "2", "--rounds", "4", "--max-instances", "0"],
        /^evoalloc: --max-instances: must be a positive integer, got 0$/,
      ],
      [
        [...base(), "--K", "2", "--rounds", "4", "--bootstrap", "-1"],
        /--bootstrap: must be an integer >= 0 \(0 turns intervals off\), got -1/,
      ],
      [[...base(), "--K", "2", "--rounds", "4", "--algos", " , "], /--algos: name at least one policy$/],
      [[...base(), "--K", "2", "--rounds", "4", "--subset", ","], /--subset: name at least one seed$/],
      [[...base(), "--K", "2", "--rounds", "4", "--subset", "1,x"], /--subset: expected an integer, got "x"/],
      [
        ["replay", "--results", dir, "--task", "", "--model", "m1", "--N", "4", "--K", "2", "--rounds", "4"],
        /--task: must not be empty$/,
      ],
      [[...base(), "--K", "2", "--rounds", "4", "--out", ""], /--out: must not be empty$/],
      [
        [...base(), "--K", "2", "--rounds", "4", "--subset", "1,99"],
        /seed 99 is not in the pool \(available: 0, 1, 2, 3, 4, 5, 10\)/,
      ],
      [
        [...base(), "--K", "2", "--rounds", "4", "--algos", "ucb,nope"],
        /unknown policy "nope" \(available: ucb, exp3p/,
      ],
      [
        [...base(), "--K", "2", "--rounds", "4", "--param", "ucb.zz=1"],
        /unknown parameter "ucb.zz" \(ucb has ucb.c\)/,
      ],
      [[...base(), "--K", "2", "--rounds", "4", "--subset", "1,2,3"], /subset names 3 seeds but K = 2/],
      [
        [
          "replay",
          "--results",
          dir,
          "--task",
          "nope",
          "--model",
          "m1",
          "--N",
          "4",
          "--K",
          "2",
          "--rounds",
          "4",
        ],
        /task "nope".*tasks: cp/,
      ],
      [
        [
          "replay",
          "--results",
          dir,
          "--task",
          "cp",
          "--model",
          "m1",
          "--N",
          "3",
          "--K",
          "2",
          "--rounds",
          "4",
        ],
        /N available: 2, 4/,
      ],
      [
        [
          "replay",
          "--results",
          join(dir, "missing"),
          "--task",
          "cp",
          "--model",
          "m1",
          "--N",
          "4",
          "--K",
          "2",
          "--rounds",
          "4",
        ],
        /cannot read/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, re);
    }
  });
});

describe("replay's early worker threads (started before the files are read)", () => {
  it("none for a small folder, a --subset or one thread; as many as the largest replay the options allow would use", async () => {
    const opts = { results: dir, K: 3, rounds: 8, maxInstances: 100_000 };
    // 13 result files: at most C(13, 3) = 286 instances × 8 rounds × 9 policies, below the threshold
    assert.equal(await earlyWorkers(opts, 9, 4), 0);
    const many = await mkdtemp(join(tmpdir(), "evoalloc-early-"));
    try {
      for (let i = 0; i < 40; i++) await writeFile(join(many, `r${i}.json`), "{}");
      const big = { results: many, K: 10, rounds: 64, maxInstances: 20_000 };
      assert.equal(await earlyWorkers(big, 4, 4), 1, "5.12 M policy-rounds: 2 threads");
      assert.equal(await earlyWorkers({ ...big, maxInstances: 100_000 }, 4, 4), 3);
      assert.equal(await earlyWorkers({ ...big, maxInstances: 100_000 }, 4, 2), 1);
      assert.equal(await earlyWorkers(big, 4, 1), 0);
      assert.equal(await earlyWorkers({ ...big, subset: [1, 2, 3] }, 4, 4), 0);
      assert.equal(await earlyWorkers({ ...big, results: join(many, "missing") }, 4, 4), 0);
    } finally {
      await rm(many, { recursive: true, force: true });
    }
  });
});

describe("evoalloc sweep", () => {
  it("--json: one row per split T·N = C, prefixes of deeper runs on request", async () => {
    const r = await runCli([
      "sweep",
      "--results",
      dir,
      "--task",
      "cp",
      "--model",
      "m1",
      "--C",
      "32",
      "--threshold",
      "0.2",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j).slice(0, 4), ["task", "model", "C", "prefixes"]);
    assert.deepEqual(
      j.splits.map((s: { T: number; N: number }) => [s.T, s.N]),
      [
        [1, 32],
        [2, 16],
        [4, 8],
        [8, 4],
        [16, 2],
        [32, 1],
      ],
    );
    const at8 = j.splits[3];
    for (const key of [
      "T",
      "N",
      "n_runs",
      "mean",
      "sd",
      "median",
      "q25",
      "q75",
      "min",
      "max",
      "success_rate",
      "expected_max",
      "mean_flops",
    ])
      assert.ok(key in at8, key);
    assert.equal(at8.n_runs, 6);
    assert.equal(at8.expected_max.length, 6);
    assert.ok(Math.abs(at8.expected_max[0] - at8.mean) < 1e-12);
    assert.equal(at8.expected_max[5], at8.max);
    assert.equal(j.splits[0].n_runs, 0);
    assert.equal(j.splits[0].mean, null);
    const p = JSON.parse(
      (
        await runCli([
          "sweep",
          "--results",
          dir,
          "--task",
          "cp",
          "--model",
          "m1",
          "--C",
          "32",
          "--prefixes",
          "--json",
        ])
      ).stdout,
    );
    assert.equal(p.splits[3].n_runs, 7); // seed 10's first 8 generations
    assert.equal(p.splits[4].n_runs, 4);
  });

  it("bad input exits 2", async () => {
    const r = await runCli([
      "sweep",
      "--results",
      dir,
      "--task",
      "cp",
      "--model",
      "m1",
      "--C",
      "48",
      "--json",
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no runs of cp\/m1 at C=48 \(C available: 32, 64; try --prefixes\)/);
    const m = await runCli(["sweep", "--results", dir, "--task", "cp", "--model", "zz", "--C", "32"]);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /models: m1/);
  });
});
