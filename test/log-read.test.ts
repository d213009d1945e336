import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parsePythonJson, stringifyPythonJson } from "../src/log/json.ts";
import { loadResults, readResults } from "../src/log/read.ts";
import { BanditRunSchema, GreedyRunSchema } from "../src/log/schema.ts";
import { writeFileAtomic } from "../src/log/write.ts";
import { runCli } from "./cli.ts";
import { attempt, child, greedyRun } from "./log-fixtures.ts";

const SAMPLES = new URL("./fixtures/reference/", import.meta.url).pathname;

describe("Python JSON", () => {
  it("reads NaN and Infinity outside strings only", () => {
    const v = parsePythonJson(
      '{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity", "d": 1}',
    ) as Record<string, unknown>;
    assert.ok(Number.isNaN(v.a));
    assert.deepEqual(v.b, [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    assert.equal(v.c, "NaN Infinity");
    assert.throws(() => parsePythonJson('{"a": Nan}'), SyntaxError);
  });
  it("writes them back as Python does", () => {
    const text = stringifyPythonJson({ a: Number.NaN, b: [Number.POSITIVE_INFINITY, 1] });
    assert.equal(text, '{"a":NaN,"b":[Infinity,1]}');
    const back = parsePythonJson(text) as { a: number };
    assert.ok(Number.isNaN(back.a));
  });
});

describe("schemas on the reference samples", () => {
  it("round-trips every sample unchanged", async () => {
    const { runs, problems, skipped } = await loadResults([SAMPLES]);
    assert.deepEqual(problems, []);
    assert.deepEqual(skipped, []);
    assert.equal(runs.length, 5);
    for (const rec of runs) {
      const original = parsePythonJson(await readFile(rec.file, "utf8"));
      const schema = rec.kind === "greedy" ? GreedyRunSchema : BanditRunSchema;
      const again = schema.parse(parsePythonJson(stringifyPythonJson(rec.run)));
      assert.deepEqual(again, original, rec.file);
    }
  });
  it("recomputes the stored FLOPs of every sample", async () => {
    const { runs } = await loadResults([SAMPLES]);
    assert.equal(runs.length, 5);
    for (const rec of runs) {
      const stored =
        rec.kind === "greedy" ? rec.run.flops.worst_case.total_flops : rec.run.total_flops_worst_case;
      assert.ok(Math.abs(rec.flops.worst_case - stored) <= 1e-9 * stored, rec.file);
    }
  });
});

describe("reader and CLI on good and broken trees", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "evoalloc-read-"));
    const good = greedyRun([[child(0, 0.3, [attempt({})]), child(1, 0.2, [attempt({})])]], { seed: 7 });
    await mkdir(join(dir, "a", "b"), { recursive: true });
    await writeFileAtomic(join(dir, "a", "good.json"), JSON.stringify(good));
    await writeFileAtomic(join(dir, "a", "b", "good2.json.gz"), JSON.stringify({ ...good, seed: 8 }));
    await writeFile(join(dir, "a", "truncated.json"), JSON.stringify(good).slice(0, 200));
    await writeFile(join(dir, "a", "empty.json"), "");
    await writeFile(join(dir, "a", "notgzip.json.gz"), "plain text");
    await writeFile(join(dir, "a", "grid.json"), JSON.stringify({ tasks: ["cp"] }));
    await writeFile(join(dir, "a", "notes.txt"), "ignored");
    await writeFile(join(dir, "a", "types.json"), JSON.stringify({ ...good, T: "2" }));
    const nan = JSON.stringify({ ...good, final_fitness: 0.5 }).replace(
      '"final_fitness":0.5',
      '"final_fitness":NaN',
    );
    await writeFile(join(dir, "a", "nanfinal.json"), nan);
    const warn = greedyRun([[child(0, 0.3, [attempt({})]), child(1, 0.2, [attempt({})])]], { seed: 9 });
    await writeFile(
      join(dir, "a", "nanchild.json"),
      JSON.stringify(warn).replace('"fitness":0.2', '"fitness":NaN'),
    );
    const badFlops = structuredClone(good);
    badFlops.flops.worst_case.total_flops *= 1.01;
    await writeFile(join(dir, "a", "flops.json"), JSON.stringify(badFlops));
    const decreasing = structuredClone(good);
    decreasing.trajectory[1]!.best_fitness = 0.05;
    await writeFile(join(dir, "a", "decreasing.json"), JSON.stringify(decreasing));
    await writeFile(join(dir, "a", "unreadable.json"), JSON.stringify(good));
    await chmod(join(dir, "a", "unreadable.json"), 0o000);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("classifies every file and never stops at a bad one", async () => {
    const kinds: Record<string, string> = {};
    for await (const ev of readResults([dir])) kinds[ev.file.slice(dir.length + 1)] = ev.kind;
    const root = process.getuid?.() === 0; // root reads mode-000 files
    assert.deepEqual(kinds, {
      "a/b/good2.json.gz": "greedy",
      "a/decreasing.json": "problem",
      "a/empty.json": "problem",
      "a/flops.json": "problem",
      "a/good.json": "greedy",
      "a/grid.json": "skipped",
      "a/nanchild.json": "greedy",
      "a/nanfinal.json": "problem",
      "a/notgzip.json.gz": "problem",
      "a/truncated.json": "problem",
      "a/types.json": "problem",
      "a/unreadable.json": root ? "greedy" : "problem",
    });
  });

  it("validate prints one line per problem naming file and field, exit 1", async () => {
    const r = await runCli(["validate", dir]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split("\n");
    const has = (re: RegExp) =>
      assert.ok(
        lines.some((l) => re.test(l)),
        `${re} in\n${r.stdout}`,
      );
    has(/a\/types\.json: T: /);
    has(/a\/nanfinal\.json: final_fitness: is not finite/);
    has(/a\/flops\.json: flops\.worst_case\.total_flops: stored .* but the attempts give/);
    has(/a\/decreasing\.json: trajectory\[1\]\.best_fitness: decreases/);
    has(/a\/truncated\.json: not valid JSON/);
    has(/a\/empty\.json: empty file/);
    has(/a\/notgzip\.json\.gz: not valid gzip/);
    has(/a\/grid\.json: skipped: not a run file/);
    assert.ok(!lines.some((l) => l.includes("good")), "valid files print nothing");
    assert.match(r.stderr, /nanchild\.json: trajectory\[1\]\.children\[1\]\.fitness: warning: is not finite/);
  });

  it("validate exits 0 on a valid tree, skipped files aside", async () => {
    const r = await runCli([
      "validate",
      join(dir, "a", "good.json"),
      join(dir, "a", "b"),
      join(dir, "a", "grid.json"),
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), `${join(dir, "a", "grid.json")}: skipped: not a run file`);
  });

  it("validate names a missing path", async () => {
    const r = await runCli(["validate", join(dir, "nope")]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /nope: cannot read \(ENOENT\)/);
  });

  it("summarize --json lists the good runs with exactly the contract's keys", async () => {
    const r = await runCli(["summarize", "a", "--json"], { cwd: dir });
    assert.equal(r.code, 1, "bad files make the exit code 1");
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((x) => x.path),
      [
        "a/b/good2.json.gz",
        "a/good.json",
        "a/nanchild.json",
        ...(process.getuid?.() === 0 ? ["a/unreadable.json"] : []),
      ],
    );
    assert.deepEqual(Object.keys(rows[0]!), [
      "path",
      "kind",
      "task",
      "model",
      "algo",
      "C",
      "T",
      "N",
      "n_arms",
      "seed",
      "final_fitness",
      "flops",
    ]);
  });
});

describe("summarize on the samples", () => {
  it("gives the same rows on the main thread as on worker threads", async () => {
    const threaded = await runCli(["summarize", SAMPLES, "--json"]);
    const single = await runCli(["summarize", SAMPLES, "--json", "--threads", "0"]);
    assert.equal(single.code, 0, single.stderr);
    assert.deepEqual(JSON.parse(single.stdout), JSON.parse(threaded.stdout));
    const bad = await runCli(["summarize", SAMPLES, "--threads", "-1"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--threads: must be 0 or more/);
  });

  it("lists every sample with the FLOPs stored in it", async () => {
    const r = await runCli(["summarize", SAMPLES, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { path: string; kind: string; flops: Record<string, number> }[];
    assert.equal(rows.length, 5);
    for (const row of rows) {
      const stored = parsePythonJson(await readFile(row.path, "utf8")) as Record<string, unknown>;
      if (row.kind === "greedy") {
        const f = stored.flops as Record<string, { total_flops: number }>;
        for (const p of ["worst_case", "exclude", "bounded"])
          assert.equal(row.flops[p], f[p]!.total_flops, `${row.path} ${p}`);
      } else {
        assert.equal(row.flops.worst_case, stored.total_flops_worst_case);
        const arms = stored.arm_results as { flops: Record<string, { total_flops: number }> }[];
        for (const p of ["exclude", "bounded"]) {
          const sum = arms.reduce((s, a) => s + a.flops[p]!.total_flops, 0);
          assert.ok(Math.abs(row.flops[p]! - sum) <= 1e-9 * sum, `${row.path} ${p}`);
        }
      }
    }
  });
});
