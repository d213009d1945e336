// Units of the run side: seeds, parse, prompt, limit, journal, the run command's helpers.
// pyStrip against python3: run-units.slow.test.ts.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parsePythonJson } from "../src/log/json.ts";
import type { GreedyRun } from "../src/log/schema.ts";
import { JournalError, journalPath, openRunJournal } from "../src/run/journal.ts";
import { createLimiter } from "../src/run/limit.ts";
import { parseProgram } from "../src/run/parse.ts";
import { buildMessages } from "../src/run/prompt.ts";
import { childSeed } from "../src/run/seeds.ts";

const SAMPLES = new URL("./fixtures/reference", import.meta.url).pathname;

describe("run/seeds", () => {
  it("matches every child seed of the reference samples", () => {
    let files = 0;
    for (const f of [
      "cp/qwen3-8b/greedy_C64_T16_N4_seed45.json",
      "cp/qwen3-8b/greedy_C64_T4_N16_seed40.json",
      "mmd/qwen3-8b/greedy_C64_T2_N32_seed40.json",
      "ht/qwen3-8b/greedy_C64_T4_N16_seed42.json",
    ]) {
      // a missing sample fails: the copies in test/fixtures are part of the repository
      const run = parsePythonJson(readFileSync(join(SAMPLES, f), "utf8")) as GreedyRun;
      files++;
      let n = 0;
      for (const gen of run.trajectory.slice(1))
        for (const c of gen.children) {
          assert.equal(
            childSeed(run.seed, run.N, gen.generation, c.idx),
            c.seed,
            `${f} g${gen.generation} #${c.idx}`,
          );
          n++;
        }
      assert.equal(n, run.C);
    }
    assert.equal(files, 4);
  });
  it("worked values, and masking to 32 bits", () => {
    assert.equal(childSeed(45, 4, 1, 0), 529159130);
    assert.equal(childSeed(45, 4, 2, 3), 4181601893);
    assert.equal(childSeed(-1, 4, 1, 0), childSeed(0xffffffff, 4, 1, 0));
  });
});

describe("run/parse", () => {
  it("drops <think> blocks, then takes the first python block", () => {
    assert.equal(
      parseProgram("<think>```python\nbad\n```</think>```python\ngood\n```\n```python\nlater\n```"),
      "good",
    );
  });
  it("falls back to the first fenced block, then to the stripped text", () => {
    assert.equal(parseProgram("text\n```\nplain\n```"), "plain");
    assert.equal(parseProgram("```py\nshort tag\n```"), "short tag");
    assert.equal(parseProgram("  x = 1\n  "), "x = 1");
  });
  it("strips the block of surrounding whitespace as Python's str.strip() (the reference stores that)", () => {
    assert.equal(parseProgram("```python\n\n  \n    x = 1\n\ny = 2\n \t\n```"), "x = 1\n\ny = 2");
    // Python strips U+001C..U+001F and U+0085 but not U+FEFF; JavaScript's trim() does the opposite
    assert.equal(parseProgram("```python\n\u001fx = 1\u0085\n```"), "x = 1");
    assert.equal(parseProgram("```python\n\ufeffx = 1\n```"), "\ufeffx = 1");
    // against python3 itself: run-units.slow.test.ts
  });
  it("empty or thoughts only → null", () => {
    assert.equal(parseProgram(""), null);
    assert.equal(parseProgram(null), null);
    assert.equal(parseProgram("<think>all thoughts</think>\n  "), null);
    assert.equal(parseProgram("<think>cut in the middle of thinking"), null);
    assert.equal(parseProgram("```python\n\n```"), null);
  });
});

describe("run/prompt", () => {
  it("system prompt, then one user message with the program, its score to 6 decimals and the instruction", () => {
    const m = buildMessages("SYS", "x = 1", 0.36423689449571406);
    assert.equal(m.length, 2);
    assert.deepEqual(m[0], { role: "system", content: "SYS" });
    assert.equal(m[1]!.role, "user");
    assert.match(m[1]!.content, /combined_score = 0\.364237/);
    assert.match(m[1]!.content, /```python\nx = 1\n```/);
    assert.match(m[1]!.content, /complete improved program in a single ```python code block/);
    assert.equal(parseProgram(m[1]!.content), "x = 1");
  });
});

describe("run/limit", () => {
  it("never runs more than n at once and runs all", async () => {
    const lim = createLimiter(2);
    let active = 0;
    let peak = 0;
    const out = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        lim.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
          return i;
        }),
      ),
    );
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(peak, 2);
    assert.equal(lim.active, 0);
  });
  it("releases the slot when a task throws", async () => {
    const lim = createLimiter(1);
    await assert.rejects(lim.run(async () => Promise.reject(new Error("x"))));
    assert.equal(await lim.run(async () => 5), 5);
  });
  it("rejects a bad size", () => {
    assert.throws(() => createLimiter(0), RangeError);
  });
});

describe("run/journal", () => {
  const call = { content: "c", attempts: [] };
  const ev = { fitness: Number.NaN, metrics: null, error: null, status: "ok" as const, duration_s: 0 };
  it("replays what was recorded, cuts a torn last line and keeps appending cleanly", () => {
    const dir = mkdtempSync(join(tmpdir(), "evoalloc-journal-"));
    try {
      const path = journalPath(join(dir, "out.json"));
      assert.equal(path, join(dir, "out.json.journal.jsonl"));
      const id = { kind: "greedy", seed: 1 };
      const j = openRunJournal(path, id, false);
      j.recordCall("g1/c0", call);
      j.recordEvaluation("g1/c0", ev);
      j.close();
      appendFileSync(path, '{"t":"call","key":"g1/c1","res'); // kill -9 mid-write
      const k = openRunJournal(path, id, true);
      assert.equal(k.callCount, 1);
      assert.deepEqual(k.call("g1/c0"), call);
      assert.ok(Number.isNaN(k.evaluation("g1/c0")!.fitness), "NaN survives the journal");
      assert.equal(k.call("g1/c1"), undefined);
      k.recordCall("g1/c1", call);
      k.close();
      const again = openRunJournal(path, id, true);
      assert.equal(again.callCount, 2);
      again.close();
      assert.throws(() => openRunJournal(path, { kind: "greedy", seed: 2 }, true), JournalError);
      writeFileSync(path, "");
      assert.equal(openRunJournal(path, id, true).callCount, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cli/run helpers", () => {
  it("progress: plain log lines off a terminal, replayed calls excluded from the rate", async () => {
    const { createProgress } = await import("../src/cli/run/progress.ts");
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s), isTTY: false } as unknown as NodeJS.WriteStream;
    let t = 0;
    const p = createProgress({ label: "greedy x", total: 4, stream, now: () => t, logEveryS: 10 });
    p.onEvent({ type: "generation", arm: null, generation: 0, bestFitness: 0.25 });
    t = 1;
    p.onEvent({ type: "call", key: "g1/c0", replayed: true, status: "ok" });
    p.onEvent({ type: "call", key: "g1/c1", replayed: false, status: "ok" });
    t = 2;
    p.onEvent({ type: "call", key: "g2/c0", replayed: false, status: "ok" });
    p.onEvent({ type: "call", key: "g2/c1", replayed: false, status: "ok" });
    p.onEvent({ type: "generation", arm: null, generation: 2, bestFitness: 0.5 });
    p.stop();
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^greedy x: generation 0, best 0\.250000, calls 0\/4/);
    assert.match(lines[1]!, /generation 2, best 0\.500000, calls 4\/4, 1\.5 calls\/s, ETA 0s/);
  });
  it("resumeCommand adds --resume, drops --force and quotes", async () => {
    const { resumeCommand } = await import("../src/cli/run/execute.ts");
    assert.equal(
      resumeCommand(["run", "greedy", "--task", "cp", "--output", "my file.json", "--force"], "npx evoalloc"),
      "npx evoalloc run greedy --task cp --output 'my file.json' --resume",
    );
    assert.equal(resumeCommand(["run", "bandit", "--resume"], "evoalloc"), "evoalloc run bandit --resume");
  });
  it("commandName: evoalloc when it is on PATH, else npx evoalloc", async () => {
    const { commandName } = await import("../src/cli/options.ts");
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "evoalloc-path-"));
    try {
      assert.equal(commandName({ PATH: dir }), "npx evoalloc");
      writeFileSync(join(dir, "evoalloc"), "#!/bin/sh\n");
      assert.equal(commandName({ PATH: `/nonexistent:${dir}` }), "evoalloc");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("parseBytes: binary units", async () => {
    const { parseBytes } = await import("../src/cli/run/options.ts");
    assert.equal(parseBytes("2G"), 2 * 1024 ** 3);
    assert.equal(parseBytes("512MiB"), 512 * 1024 ** 2);
    assert.equal(parseBytes("1000"), 1000);
    assert.equal(parseBytes("lots"), null);
  });
});
