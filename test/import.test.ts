// Importers on hand-written fixtures (test/fixtures/import) and a ShinkaEvolve
// database made here with sql.js; the CLI end to end needs `npm run build`.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assembleRun, ImportError, importRuns, parseSeedFrom } from "../src/import/index.ts";
import { parseLog, parseLogMetrics, scoreOf } from "../src/import/openevolve.ts";
import { seedInName, seedInYaml } from "../src/import/seed.ts";
import { loadSqlJs } from "../src/import/shinka.ts";
import { checkImported } from "../src/log/imported.ts";
import { BUILTIN_MODELS } from "../src/log/models.ts";
import { loadResults } from "../src/log/read.ts";
import { runCli } from "./cli.ts";
import { importedMeta } from "./imported-runs.ts";

const FIX = new URL("./fixtures/import/", import.meta.url).pathname;

const base = {
  task: "cp",
  model: "qwen3-8b",
  modelSpec: BUILTIN_MODELS["qwen3-8b"]!,
  seedFrom: { from: "config" } as const,
};

let tmp = "";
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "evoalloc-import-"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("OpenEvolve: trace, checkpoints and log merged per iteration", () => {
  it("recovers the true running best where no source alone has it", async () => {
    const { runs, problems } = await importRuns([join(FIX, "openevolve/run_seed7")], {
      ...base,
      system: "openevolve",
    });
    assert.equal(runs.length, 1);
    const r = runs[0]!.run;
    assert.equal(r.seed, 7);
    assert.equal(r.C, 12);
    // 4: log only (4 decimals); 5: checkpoint + log; 11: checkpoint only (the checkpoint of 10 holds iteration 11)
    assert.deepEqual(
      r.trajectory.map((x) => x.best_fitness),
      [0.1, 0.15, 0.15, 0.15, 0.3012, 0.3012, 0.3012, 0.35, 0.35, 0.35, 0.38, 0.4, 0.4],
    );
    assert.deepEqual(r.trajectory[4]!.evidence, ["log"]);
    assert.deepEqual(r.trajectory[11]!.evidence, ["checkpoint"]);
    assert.deepEqual(r.trajectory[12]!.evidence, ["trace"]);
    // failed calls are rows with no score
    for (const c of [3, 8]) {
      assert.equal(r.trajectory[c]!.valid, false);
      assert.equal(r.trajectory[c]!.fitness, null);
    }
    // 9: a program line without its metrics: outcome unknown, so not recovered
    assert.deepEqual(r.recovery.missing_calls, [9]);
    assert.equal(r.recovery.recovered, 11);
    assert.equal(r.recovery.share, 11 / 12);
    // the trace's exact 0.2 wins over the log's 0.2500, and the disagreement is reported
    assert.equal(r.trajectory[6]!.fitness, 0.2);
    assert.deepEqual(
      r.recovery.disagreements.map((d) => [d.call, d.field]),
      [[6, "fitness"]],
    );
    // the migrant copy of iteration 7 (island 1) does not replace the original
    assert.equal(r.trajectory[7]!.child_id, "p7");
    assert.equal(r.trajectory[7]!.island, 0);
    assert.equal(r.trajectory[2]!.island, 1);
    assert.equal(r.trajectory[0]!.fitness, 0.1);
    // no tokens in OpenEvolve folders: no FLOPs
    assert.equal(r.total_flops, null);
    assert.deepEqual(checkImported(r).problems, []);
    // the truncated last trace line is one problem; the run still imports
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /1 line\(s\) not a trace entry/);
  });

  it("checkpoints + log (an error metric is a failed evaluation) and log only (a timeout)", async () => {
    const { runs } = await importRuns([join(FIX, "openevolve")], { ...base, system: "openevolve" });
    assert.deepEqual(
      runs.map((f) => f.run.seed),
      [7, 8, 9],
    );
    const r8 = runs[1]!.run;
    assert.equal(r8.trajectory[2]!.valid, false);
    assert.deepEqual(
      r8.trajectory.map((x) => x.best_fitness),
      [0.05, 0.2, 0.2, 0.3, 0.3],
    );
    const r9 = runs[2]!.run;
    assert.equal(r9.trajectory[0]!.best_fitness, null); // the initial program's score is nowhere
    assert.equal(r9.trajectory[3]!.valid, false);
    assert.deepEqual(
      r9.trajectory.map((x) => x.best_fitness),
      [null, 0.1, 0.25, 0.25, 0.25],
    );
  });

  it("malformed folders: one problem per defect, no run for a folder without a call", async () => {
    const { runs, problems } = await importRuns([join(FIX, "openevolve-bad")], {
      ...base,
      system: "openevolve",
    });
    assert.deepEqual(
      runs.map((f) => f.dir.split("/").pop()),
      ["bad_program"],
    );
    const lines = problems.map((p) => `${p.path.split("openevolve-bad/")[1]}: ${p.message}`);
    assert.deepEqual(lines, [
      "bad_program/checkpoints/checkpoint_2/metadata.json: missing or not valid JSON",
      "bad_program/checkpoints/checkpoint_2/programs/x.json: no iteration_found: program cannot be placed",
      "empty_log: no LLM call recorded",
      "garbage_trace/evolution_trace.jsonl: 2 line(s) not a trace entry (first: line 1); skipped",
      "garbage_trace: no LLM call recorded",
    ]);
    const missing = await importRuns([join(FIX, "llm4ad")], { ...base, system: "openevolve" });
    assert.equal(missing.runs.length, 0);
    assert.match(missing.problems[0]!.message, /no openevolve run found/);
  });

  it("parses log lines as OpenEvolve writes them", () => {
    assert.deepEqual(parseLogMetrics("combined_score=0.3012, runs_successfully=1.0000, note=a=b"), {
      combined_score: 0.3012,
      runs_successfully: 1,
      note: "a=b",
    });
    assert.equal(scoreOf({ a: 1, b: 0, s: "x" }), 0.5);
    assert.equal(scoreOf({}), null);
    const { obs, lastIteration } = parseLog(
      [
        "x - INFO - Iteration 3: Program abc-1 (parent: None) completed in 2.00s",
        "x - INFO - Metrics: combined_score=0.5000",
        "x - WARNING - Iteration 4 error: boom",
        "x - ERROR - Error processing result from iteration 5: KeyError",
      ].join("\n"),
    );
    assert.equal(lastIteration, 5);
    assert.deepEqual(
      obs.map((o) => [o.call, o.fitness, o.valid, o.parent_id ?? null]),
      [
        [3, 0.5, true, null],
        [4, null, false, null],
        [5, null, false, null],
      ],
    );
  });
});

describe("LLM4AD samples", () => {
  it("one call per sample_order; failures and gaps stay null; a broken file is one problem", async () => {
    const { runs, problems } = await importRuns([join(FIX, "llm4ad")], {
      ...base,
      system: "llm4ad",
      seedFrom: { from: "fixed", base: 100 },
    });
    assert.equal(runs.length, 2);
    const a = runs[0]!.run;
    assert.equal(a.seed, 100);
    assert.deepEqual(
      a.trajectory.map((x) => x.best_fitness),
      [null, -0.9, -0.9, -0.5, -0.5, -0.5, -0.4],
    );
    assert.equal(a.trajectory[2]!.valid, false);
    const b = runs[1]!.run;
    assert.equal(b.seed, 101);
    assert.equal(b.C, 200);
    assert.deepEqual(b.recovery.missing_calls, [150]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.path, /samples_201~400\.json$/);
  });

  it("multi-objective scores and runs without a valid score yield no run", async () => {
    const { runs, problems } = await importRuns([join(FIX, "llm4ad-bad")], {
      ...base,
      system: "llm4ad",
      seedFrom: { from: "name" },
    });
    assert.equal(runs.length, 0);
    assert.deepEqual(
      problems.map((p) => p.message.replace(/.*: (?=multi)/, "")),
      ["multi-objective scores (a list) are not supported", "no program with a valid score"],
    );
  });
});

/** A ShinkaEvolve-shaped database: generations 0..6, a failed proposal, a retried generation, tokens. */
async function makeShinkaDb(file: string): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE programs (id TEXT PRIMARY KEY, code TEXT NOT NULL, language TEXT NOT NULL, parent_id TEXT,
    archive_inspiration_ids TEXT, top_k_inspiration_ids TEXT, generation INTEGER NOT NULL, timestamp REAL NOT NULL,
    code_diff TEXT, combined_score REAL, public_metrics TEXT, private_metrics TEXT, text_feedback TEXT, complexity REAL,
    correct BOOLEAN DEFAULT 0, children_count INTEGER NOT NULL DEFAULT 0, metadata TEXT, island_idx INTEGER)`);
  db.run("CREATE TABLE metadata_store (key TEXT PRIMARY KEY, value TEXT)");
  const llm = (i: number, o: number) =>
    JSON.stringify({
      patch_type: "diff",
      llm_result: { input_tokens: i, output_tokens: o, thinking_tokens: 0, cost: 0.01, num_total_queries: 1 },
    });
  const rows: [string, string | null, number, number, number | null, number, string | null, number][] = [
    ["g0", null, 0, 1000, 0.2, 1, "{}", 0],
    ["g1", "g0", 1, 1010, 0.3, 1, llm(1000, 200), 0],
    ["g2", "g1", 2, 1020, 0.1, 0, llm(1100, 300), 1], // evaluated, not correct
    [
      "g3",
      "g1",
      3,
      1030,
      0,
      0,
      JSON.stringify({ node_kind: "failed_proposal", llm_result: { input_tokens: 900, output_tokens: 50 } }),
      0,
    ],
    [
      "g4a",
      "g1",
      4,
      1040,
      0,
      0,
      JSON.stringify({ node_kind: "failed_proposal", llm_result: { input_tokens: 500, output_tokens: 10 } }),
      1,
    ],
    ["g4b", "g1", 4, 1041, 0.5, 1, llm(1200, 400), 1],
    ["g6", "g4b", 6, 1060, 0.45, 1, null, 0],
  ];
  for (const r of rows)
    db.run(
      "INSERT INTO programs (id, code, language, parent_id, generation, timestamp, combined_score, correct, metadata, island_idx) VALUES (?, 'x', 'python', ?, ?, ?, ?, ?, ?, ?)",
      [r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]],
    );
  await writeFile(file, db.export());
  db.close();
}

describe("ShinkaEvolve programs.sqlite", () => {
  it("one call per generation, failed proposals invalid, tokens to FLOPs", async () => {
    const dir = join(tmp, "shinka", "results_seed3");
    await mkdir(dir, { recursive: true });
    await makeShinkaDb(join(dir, "programs.sqlite"));
    const { runs, problems } = await importRuns([join(tmp, "shinka")], {
      ...base,
      system: "shinkaevolve",
      seedFrom: { from: "name" },
    });
    assert.deepEqual(problems, []);
    const r = runs[0]!.run;
    assert.equal(r.seed, 3);
    assert.equal(r.C, 6);
    assert.deepEqual(
      r.trajectory.map((x) => [x.best_fitness, x.valid]),
      [
        [0.2, true],
        [0.3, true],
        [0.3, false],
        [0.3, false],
        [0.5, true],
        [0.5, null],
        [0.5, true],
      ],
    );
    assert.equal(r.trajectory[3]!.fitness, null); // a failed proposal has no score
    assert.equal(r.trajectory[4]!.child_id, "g4b");
    assert.equal(r.trajectory[4]!.prompt_tokens, 1700); // the retried generation's tokens are summed
    assert.deepEqual(r.recovery.missing_calls, [5]);
    const P = BUILTIN_MODELS["qwen3-8b"]!.params_active;
    assert.equal(r.trajectory[1]!.flops, 2 * P * 1200);
    assert.equal(r.total_flops, 2 * P * (1200 + 1400 + 950 + 2110));
    assert.equal(r.wall_time_seconds, 60);
    assert.deepEqual(checkImported(r).problems, []);
  });

  it("an unclosed database (-wal) is noted; a non-SQLite file is one problem", async () => {
    const dir = join(tmp, "shinka2", "run_1");
    await mkdir(dir, { recursive: true });
    await makeShinkaDb(join(dir, "evolution_db.sqlite"));
    await writeFile(join(dir, "evolution_db.sqlite-wal"), "");
    const bad = join(tmp, "shinka2", "run_2");
    await mkdir(bad, { recursive: true });
    await writeFile(
      join(bad, "programs.sqlite"),
      "this is not a database, only text long enough to have a header....",
    );
    const { runs, problems } = await importRuns([join(tmp, "shinka2")], {
      ...base,
      system: "shinkaevolve",
      seedFrom: { from: "name" },
    });
    assert.equal(runs.length, 1);
    assert.match(runs[0]!.run.recovery.notes.join("\n"), /-wal exists/);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /not an SQLite database|no programs table/);
  });
});

describe("the imported run contract", () => {
  const meta = importedMeta({ params_active: null, seed: 1, C: 3 });
  it("checkImported catches a best_fitness that does not follow the valid children", () => {
    const run = assembleRun(meta, [
      { call: 0, source: "log", fitness: 0.1, valid: true },
      { call: 1, source: "log", fitness: 0.9, valid: false },
      { call: 2, source: "log", fitness: 0.3, valid: true },
    ]);
    assert.deepEqual(
      run.trajectory.map((r) => r.best_fitness),
      [0.1, 0.1, 0.3, 0.3],
    );
    assert.deepEqual(checkImported(run).problems, []);
    const bad = structuredClone(run);
    bad.trajectory[1]!.best_fitness = 0.9;
    assert.deepEqual(
      checkImported(bad).problems.map((p) => p.path),
      ["trajectory[1].best_fitness", "trajectory[2].best_fitness", "trajectory[3].best_fitness"].slice(0, 1),
    );
  });
  it("a run without any valid score is refused", () => {
    assert.throws(
      () => assembleRun(meta, [{ call: 1, source: "log", fitness: null, valid: false }]),
      ImportError,
    );
  });
  it("seeds from config, name, or a base", () => {
    assert.equal(seedInYaml("a: 1\nrandom_seed: 42\n"), 42);
    assert.equal(seedInYaml("llm:\n  seed: 3\n"), null);
    assert.equal(seedInName("/x/run_seed12"), 12);
    assert.equal(seedInName("/x/abc"), null);
    assert.deepEqual(parseSeedFrom("-3"), { from: "fixed", base: -3 });
    assert.equal(parseSeedFrom("cfg"), null);
  });
});

describe("evoalloc import (CLI)", () => {
  it("writes one valid file per run; validate and summarize accept them; --check writes nothing", async () => {
    const out = join(tmp, "imported");
    const r = await runCli([
      "import",
      "openevolve",
      join(FIX, "openevolve"),
      join(FIX, "openevolve-bad"),
      "--task",
      "cp",
      "--model",
      "qwen3-8b",
      "--out",
      out,
    ]);
    assert.equal(r.code, 1, r.stderr); // problems were reported
    assert.equal(r.stdout.trim().split("\n").length, 4);
    assert.match(r.stderr, /empty_log: no LLM call recorded/);
    const files = (await readdir(join(out, "cp", "qwen3-8b"))).sort();
    assert.deepEqual(files, [
      "openevolve_C12_seed7.json",
      "openevolve_C2_seed3.json",
      "openevolve_C4_seed8.json",
      "openevolve_C4_seed9.json",
    ]);
    const v = await runCli(["validate", "--json", out]);
    assert.equal(v.code, 0, v.stdout);
    assert.equal(JSON.parse(v.stdout).valid, 4);
    const s = await runCli(["summarize", "--json", out]);
    const rows = JSON.parse(s.stdout) as {
      kind: string;
      algo: string;
      C: number;
      flops: { worst_case: number | null };
    }[];
    assert.deepEqual(rows.map((x) => [x.kind, x.algo, x.C]).sort(), [
      ["imported", "openevolve", 12],
      ["imported", "openevolve", 2],
      ["imported", "openevolve", 4],
      ["imported", "openevolve", 4],
    ]);
    assert.equal(rows[0]!.flops.worst_case, null);
    const { imported } = await loadResults([out]);
    assert.equal(imported.length, 4);
    // again: the files exist, nothing is overwritten without --force
    const again = await runCli([
      "import",
      "openevolve",
      join(FIX, "openevolve/run_seed9"),
      "--task",
      "cp",
      "--model",
      "qwen3-8b",
      "--out",
      out,
    ]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists \(--force overwrites\)/);
    // the same seed twice in one import
    const twice = await runCli([
      "import",
      "openevolve",
      join(FIX, "openevolve/run_seed9"),
      join(FIX, "openevolve/run_seed9"),
      "--task",
      "cp",
      "--model",
      "qwen3-8b",
      "--out",
      join(tmp, "twice"),
      "--seed-from",
      "name",
    ]);
    assert.match(twice.stderr, /seed 9 already imported/);
  });

  it("--check detects the system, prints per run, writes nothing; bad usage exits 2", async () => {
    const r = await runCli([
      "import",
      "--check",
      "--json",
      join(FIX, "llm4ad"),
      join(FIX, "openevolve/run_seed8"),
    ]);
    const res = JSON.parse(r.stdout) as {
      runs: { system: string; calls: number; recovered_share: number; file: null }[];
    };
    assert.deepEqual(
      res.runs.map((x) => [x.system, x.calls, x.file]),
      [
        ["llm4ad", 6, null],
        ["llm4ad", 200, null],
        ["openevolve", 4, null],
      ],
    );
    assert.equal(res.runs[1]!.recovered_share, 199 / 200);
    assert.equal((await runCli(["import", "openevolve", FIX, "--task", "cp"])).code, 2);
    assert.equal(
      (await runCli(["import", "nosuch", FIX, "--task", "cp", "--model", "m", "--out", tmp])).code,
      2,
    );
    assert.equal((await runCli(["import", "llm4ad", FIX, "--seed-from", "x", "--check"])).code, 2);
    const empty = await runCli(["import", "llm4ad", join(tmp, "nothing"), "--check"]);
    assert.equal(empty.code, 1);
  });
});

describe("import, then replay and report (the issue's done-when)", () => {
  it("imports OpenEvolve folders, replays them as arms and puts them beside greedy runs in the report", async () => {
    const results = join(tmp, "e2e", "results");
    const greedy = join(results, "cp", "mutator");
    await mkdir(greedy, { recursive: true });
    const shipped = new URL("../results/cp/mutator/", import.meta.url).pathname;
    const seeds = (await readdir(shipped)).filter((f) => f.startsWith("greedy_C64_T16_N4_")).slice(0, 4);
    assert.equal(seeds.length, 4, "four shipped greedy runs to put beside the imported ones");
    for (const f of seeds) await writeFile(join(greedy, f), await readFile(join(shipped, f)));
    const imp = await runCli([
      "import",
      "openevolve",
      join(FIX, "openevolve"),
      "--task",
      "cp",
      "--model",
      "qwen3-8b",
      "--out",
      join(results, "imported"),
    ]);
    assert.equal(imp.stdout.trim().split("\n").length, 3, imp.stderr);
    const rep = await runCli([
      "replay",
      "--results",
      results,
      "--system",
      "openevolve",
      "--task",
      "cp",
      "--model",
      "qwen3-8b",
      "--K",
      "2",
      "--rounds",
      "12",
      "--json",
    ]);
    assert.equal(rep.code, 0, rep.stderr);
    assert.equal((JSON.parse(rep.stdout) as { pool: unknown[] }).pool.length, 3);
    const out = join(tmp, "e2e", "report");
    const r = await runCli([
      "report",
      "--results",
      results,
      "--out",
      out,
      "--format",
      "html",
      "--no-progress",
      "--bootstrap",
      "20",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const html = await readFile(join(out, "index.html"), "utf8");
    assert.match(html, /Baselines: other systems at equal calls/);
    assert.match(html, /openevolve \(imported\)/);
    const csv = (await readFile(join(out, "tables", "baselines.csv"), "utf8")).trim().split("\n");
    assert.equal(
      csv[0],
      "task,axis,budget,kind,method,model,n_runs,mean,iqm,ci95_lo,ci95_hi,mean_flops,tau,reach_calls",
    );
    assert.ok(csv.some((l) => l.startsWith("cp,calls,12,imported,openevolve,qwen3-8b,1,0.4,")));
    assert.ok(csv.some((l) => l.startsWith("cp,calls,12,greedy,greedy N=4,mutator,4,")));
  });
});
