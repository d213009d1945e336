/**
 * bench:import — time to import 100 runs of 1,000 iterations.
 *
 * Writes, into a temporary folder, 100 OpenEvolve output folders of 1,000
 * iterations shaped like real ones (a trace that drops ~6% of its lines,
 * a checkpoint every 100 iterations holding a population of 50 programs of
 * ~1.5 kB of code, one log with a line per iteration and ~4% error lines),
 * 100 ShinkaEvolve programs.sqlite databases (1,000 generations, 5% failed
 * proposals, tokens) and 100 LLM4AD runs (1,000 samples in 5 files), then
 * times `evoalloc import` end to end (a separate process: startup, reading,
 * merging, writing every file) per system, and reports the recovered share.
 *
 *   npm run bench:import [-- --runs 100] [--iters 1000] [--keep]
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSqlJs } from "../src/import/shinka.ts";
import { rng } from "../src/util/rng.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = arg("--runs", 100);
const ITERS = arg("--iters", 1000);
const keep = args.includes("--keep");
const BIN = new URL("../bin/evoalloc.js", import.meta.url).pathname;
const CODE = "import numpy as np\n\ndef construct():\n    # a packing\n".padEnd(
  1500,
  "    x = np.zeros(26)\n",
);

/** One OpenEvolve output folder shaped like a real one. */
async function openevolveRun(dir: string, seed: number): Promise<void> {
  const r = rng(seed, 1);
  await mkdir(join(dir, "logs"), { recursive: true });
  await writeFile(
    join(dir, "config.yaml"),
    `max_iterations: ${ITERS}\ncheckpoint_interval: 100\nrandom_seed: ${seed}\n`,
  );
  const trace: string[] = [];
  const log: string[] = [];
  const progs: { id: string; it: number; parent: string; score: number }[] = [
    { id: `r${seed}-0`, it: 0, parent: "", score: 0.1 },
  ];
  let best = 0.1;
  const population: typeof progs = [progs[0]!];
  for (let it = 1; it <= ITERS; it++) {
    const t = `2025-06-01 12:00:00,000 - openevolve.process_parallel`;
    if (r.next() < 0.04) {
      log.push(`${t} - WARNING - Iteration ${it} error: LLM generation failed`);
      continue;
    }
    const parent = population[r.int(population.length)]!;
    const score = Math.max(0, Math.min(1, parent.score + (r.next() - 0.6) * 0.05));
    best = Math.max(best, score);
    const p = { id: `r${seed}-${it}`, it, parent: parent.id, score };
    log.push(`${t} - INFO - Iteration ${it}: Program ${p.id} (parent: ${parent.id}) completed in 3.21s`);
    log.push(`${t} - INFO - Metrics: combined_score=${score.toFixed(4)}, runs_successfully=1.0000`);
    if (r.next() >= 0.06)
      trace.push(
        JSON.stringify({
          iteration: it,
          timestamp: 1.7e9 + it,
          parent_id: parent.id,
          child_id: p.id,
          parent_metrics: { combined_score: parent.score },
          child_metrics: { combined_score: score },
          island_id: it % 5,
          generation: 1,
          improvement_delta: { combined_score: score - parent.score },
          metadata: { iteration_time: 3.21, changes: "full rewrite" },
        }),
      );
    population.push(p);
    if (population.length > 50) {
      population.sort((a, b) => b.score - a.score);
      population.splice(40 + r.int(10), 1);
    }
    if (it % 100 === 0) {
      const ck = join(dir, "checkpoints", `checkpoint_${it}`, "programs");
      await mkdir(ck, { recursive: true });
      await writeFile(
        join(ck, "..", "metadata.json"),
        JSON.stringify({ last_iteration: it, best_program_id: p.id, islands: [] }),
      );
      for (const q of population)
        await writeFile(
          join(ck, `${q.id}.json`),
          JSON.stringify({
            id: q.id,
            code: CODE,
            parent_id: q.parent || null,
            generation: 1,
            iteration_found: q.it,
            metrics: { combined_score: q.score },
            metadata: { island: q.it % 5, changes: "full rewrite" },
            embedding: null,
          }),
        );
    }
  }
  await writeFile(join(dir, "evolution_trace.jsonl"), `${trace.join("\n")}\n`);
  await writeFile(join(dir, "logs", "openevolve_20250601_120000.log"), `${log.join("\n")}\n`);
}

async function shinkaRun(dir: string, seed: number): Promise<void> {
  const r = rng(seed, 2);
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE programs (id TEXT PRIMARY KEY, code TEXT NOT NULL, parent_id TEXT, generation INTEGER NOT NULL,
    timestamp REAL NOT NULL, combined_score REAL, correct BOOLEAN DEFAULT 0, metadata TEXT, island_idx INTEGER)`);
  db.run("BEGIN");
  for (let g = 0; g <= ITERS; g++) {
    const failed = g > 0 && r.next() < 0.05;
    const meta = JSON.stringify({
      ...(failed ? { node_kind: "failed_proposal" } : {}),
      llm_result: { input_tokens: 3000 + r.int(1000), output_tokens: 800 + r.int(800), thinking_tokens: 0 },
    });
    db.run("INSERT INTO programs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
      `g${g}`,
      CODE,
      g > 0 ? `g${r.int(g)}` : null,
      g,
      1.7e9 + g,
      failed ? 0 : r.next(),
      failed ? 0 : 1,
      meta,
      g % 2,
    ]);
  }
  db.run("COMMIT");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "programs.sqlite"), db.export());
  db.close();
}

async function llm4adRun(dir: string, seed: number): Promise<void> {
  const r = rng(seed, 3);
  await mkdir(join(dir, "samples"), { recursive: true });
  for (let a = 1; a <= ITERS; a += 200) {
    const items = [];
    for (let o = a; o < a + 200 && o <= ITERS; o++)
      items.push({ sample_order: o, function: CODE, score: r.next() < 0.1 ? null : -r.next() });
    await writeFile(join(dir, "samples", `samples_${a}~${a + 199}.json`), JSON.stringify(items, null, 4));
  }
}

function timeImport(
  system: string,
  src: string,
  out: string,
): { seconds: number; stdout: string; stderr: string } {
  const t0 = performance.now();
  const res = spawnSync(
    "node",
    [
      BIN,
      "import",
      system,
      src,
      "--task",
      "cp",
      "--model",
      "qwen3-8b",
      "--out",
      out,
      "--seed-from",
      "name",
      "--json",
    ],
    { encoding: "utf8", maxBuffer: 256 << 20 },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 0) throw new Error(`import ${system} exited ${res.status}: ${res.stderr.slice(0, 500)}`);
  return { seconds, stdout: res.stdout, stderr: res.stderr };
}

const root = await mkdtemp(join(tmpdir(), "evoalloc-bench-import-"));
try {
  const makers = { openevolve: openevolveRun, shinkaevolve: shinkaRun, llm4ad: llm4adRun } as const;
  for (const [system, make] of Object.entries(makers)) {
    const src = join(root, "src", system);
    const t0 = performance.now();
    for (let i = 0; i < RUNS; i++) await make(join(src, `run_seed${i}`), i);
    const made = (performance.now() - t0) / 1000;
    const out = join(root, "out", system);
    const { seconds, stdout } = timeImport(system, src, out);
    const res = JSON.parse(stdout) as { runs: { recovered_share: number; calls: number }[] };
    const files = await readdir(join(out, "cp", "qwen3-8b"));
    const share = res.runs.reduce((a, x) => a + x.recovered_share, 0) / res.runs.length;
    const size = (await Promise.all(files.map((f) => readFile(join(out, "cp", "qwen3-8b", f))))).reduce(
      (a, b) => a + b.length,
      0,
    );
    process.stdout.write(
      `${system.padEnd(13)} ${RUNS} runs × ${ITERS} iterations: import ${seconds.toFixed(2)} s (${(RUNS / seconds).toFixed(1)} runs/s, ${((RUNS * ITERS) / seconds / 1000).toFixed(0)}k calls/s), ${files.length} files written (${(size / 1e6).toFixed(1)} MB), mean recovered share ${(100 * share).toFixed(1)}%  [folders made in ${made.toFixed(1)} s]\n`,
    );
  }
} finally {
  if (keep) process.stdout.write(`kept ${root}\n`);
  else await rm(root, { recursive: true, force: true });
}
