/**
 * `evoalloc run greedy|bandit` end to end against a loopback OpenAI-compatible
 * server with injected faults, on the real tasks and the real sandbox. The CLI
 * runs in-process (`runCli`, through main()) except where the process boundary
 * is the point: kill -9, Ctrl-C and the launcher's exit code (`spawnCli`, the
 * built bin/evoalloc.js). Slow: the sandbox pre-forks Python workers that
 * import numpy/scipy.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BanditRunSchema, type GreedyRun, GreedyRunSchema } from "../src/log/schema.ts";
import { childSeed } from "../src/run/seeds.ts";
import { runCli, spawnCli } from "./cli.ts";
import { withoutWallClock } from "./run-fakes.ts";
import { type LlmServer, promptProgram, type Reply, startLlmServer } from "./run-llm-server.ts";
import { journalCalls, readRun, toyAnswer, waitFor, writeToyTask } from "./run-toy.ts";

describe("run CLI end to end (slow: real sandbox)", () => {
  let root: string;
  let tasksDir: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "evoalloc-run-cli-"));
    tasksDir = writeToyTask(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("greedy on cp through faults (500, 429, malformed, empty, length, hang, refused replica) writes a valid file", async () => {
    // the first requests get one fault each, in this order; the rest are answered
    const server = await startLlmServer((body, n) => {
      const parent = promptProgram(body);
      const ok: Reply = { kind: "ok", content: `\`\`\`python\n${parent}\`\`\`` };
      switch (n) {
        case 0:
          return { kind: "status", status: 500 };
        case 1:
          return { kind: "status", status: 429, headers: { "retry-after": "0" } };
        case 2:
          return { kind: "malformed" };
        case 3:
          return { kind: "empty" };
        case 4:
          return { kind: "ok", content: `\`\`\`python\n${parent.slice(0, 40)}`, finish_reason: "length" };
        case 5:
          return { kind: "hang" };
        case 6:
          return { kind: "drop" };
        default:
          return ok;
      }
    });
    const dead = await startLlmServer(() => ({ kind: "ok", content: "" }));
    const deadUrl = dead.url;
    await dead.close();
    try {
      const out = join(root, "greedy-cp.json");
      const r = await runCli(
        [
          "run",
          "greedy",
          "--task",
          "cp",
          "--model",
          "qwen3-8b",
          "--T",
          "2",
          "--N",
          "4",
          "--seed",
          "40",
          "--api-base",
          `${server.url},${deadUrl}`,
          "--timeout",
          "1",
          "--max-tokens",
          "64",
          "--backoff",
          "0.01",
          "--retries",
          "5",
          "--output",
          out,
          "--json",
        ],
        { cwd: root },
      );
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { output: string; final_fitness: number };
      assert.equal(summary.output, out);
      const run = GreedyRunSchema.parse(readRun(out));
      assert.equal(run.trajectory.length, 3);
      assert.equal(
        run.final_program,
        readFileSync(join(import.meta.dirname, "..", "tasks", "cp", "initial_program.py"), "utf8"),
      );
      assert.deepEqual(
        run.trajectory[1]!.children.map((c) => c.seed),
        [0, 1, 2, 3].map((i) => childSeed(40, 4, 1, i)),
      );
      const statuses = run.trajectory.flatMap((g) =>
        g.children.flatMap((c) => c.attempts.map((a) => a.status)),
      );
      assert.ok(statuses.includes("error:APIConnectionError"), "the refused replica is recorded");
      assert.equal(statuses.filter((s) => s === "ok").length, 8, statuses.join(" "));
      for (const s of [
        "error:InternalServerError",
        "error:RateLimitError",
        "error:SyntaxError",
        "error:EmptyChoicesError",
        "timeout",
      ])
        assert.ok(statuses.includes(s), `${s} in ${statuses.join(" ")}`);
      const children = run.trajectory.flatMap((g) => g.children);
      const cut = children.filter((c) => c.attempts.at(-1)!.finish_reason === "length");
      assert.equal(cut.length, 1);
      assert.equal(cut[0]!.valid, false);
      assert.equal(cut[0]!.fitness, 0);
      assert.ok(
        children.every((c) => c.fitness !== null),
        "every call succeeded within its retries",
      );
      for (const g of run.trajectory.slice(1))
        for (const c of g.children) {
          for (const a of c.attempts)
            if (a.status === "timeout") {
              assert.equal(a.timed_out, true);
              assert.equal(a.estimated_output_tokens, 64);
            }
        }
      assert.ok(!existsSync(`${out}.journal.jsonl`), "the journal is removed once the result is written");
      const v = await runCli(["validate", out], { cwd: root });
      assert.equal(v.code, 0, v.stdout + v.stderr);
    } finally {
      await server.close();
    }
  });

  it("bandit (ucb) on mmd writes a valid file at the reference's default path", async () => {
    const server = await startLlmServer((body) => ({
      kind: "ok",
      content: `\`\`\`python\n${promptProgram(body)}\`\`\``,
    }));
    try {
      const r = await runCli(
        [
          "run",
          "bandit",
          "--task",
          "mmd",
          "--model",
          "llama-8b",
          "--algo",
          "ucb",
          "--T",
          "4",
          "--N",
          "2",
        ].concat(["--n-arms", "3", "--T-cap-per-arm", "2", "--api-base", server.url]),
        { cwd: root },
      );
      assert.equal(r.code, 0, r.stderr);
      const out = join(root, "results", "bandit", "mmd", "llama-8b", "ucb_C8_T4_K3_seed0.json");
      const run = BanditRunSchema.parse(readRun(out));
      assert.deepEqual(run.selections.slice(0, 3), [0, 1, 2]);
      assert.deepEqual(run.arm_seeds, [40, 41, 42]);
      assert.equal(run.selections.length, 4);
      assert.equal(run.T_cap_per_arm, 2);
      assert.equal(server.requests.length, 8);
      const v = await runCli(["validate", out], { cwd: root });
      assert.equal(v.code, 0, v.stdout + v.stderr);
    } finally {
      await server.close();
    }
  });

  it("kill -9 mid-run, then --resume: no finished call repeated, result equal to an uninterrupted run", async () => {
    const server = await startLlmServer((body) => toyAnswer(body, 25));
    try {
      const args = (out: string) =>
        ["run", "greedy", "--task", "toy", "--tasks-dir", tasksDir, "--model", "qwen3-8b"]
          .concat(["--T", "6", "--N", "4", "--seed", "7", "--parallel-llm", "2", "--api-base", server.url])
          .concat(["--output", out]);
      const full = join(root, "full.json");
      const f = await runCli(args(full), { cwd: root });
      assert.equal(f.code, 0, f.stderr);
      const nFull = server.requests.length;
      assert.equal(nFull, 24);

      const out = join(root, "resumed.json");
      const journal = `${out}.journal.jsonl`;
      const first = spawnCli(args(out), { cwd: root });
      await waitFor(() => journalCalls(journal).length >= 9, "9 journalled calls");
      first.child.kill("SIGKILL");
      const killed = await first.done;
      assert.equal(killed.signal, "SIGKILL");
      assert.ok(!existsSync(out));
      const finished = journalCalls(journal).map((c) => c.key);
      assert.ok(finished.length >= 9 && finished.length < 24, `${finished.length} finished`);
      const finishedSeeds = new Set(
        finished.map((k) => {
          const [, g, i] = /^g(\d+)\/c(\d+)$/.exec(k)!.map(Number) as [number, number, number];
          return childSeed(7, 4, g, i);
        }),
      );
      const before = server.requests.length;

      const again = await runCli([...args(out), "--resume"], { cwd: root });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /finished calls are replayed/);
      const resumedRequests = server.requests.slice(before);
      for (const q of resumedRequests)
        assert.ok(!finishedSeeds.has(q.seed!), `finished call (seed ${q.seed}) was repeated`);
      assert.ok(resumedRequests.length <= 24 - finished.length + 2, "at most the in-flight calls are redone");
      const a = GreedyRunSchema.parse(readRun(out)) as GreedyRun;
      const b = GreedyRunSchema.parse(readRun(full)) as GreedyRun;
      assert.ok(a.final_fitness > 0.1, "the toy run improved");
      assert.deepEqual(withoutWallClock(a), withoutWallClock(b));
    } finally {
      await server.close();
    }
  });

  it("Ctrl-C cancels in-flight work, leaves a consistent journal and prints the resume command", async () => {
    const server = await startLlmServer((body) => toyAnswer(body, 400));
    try {
      const out = join(root, "ctrlc.json");
      const args = ["run", "greedy", "--task", "toy", "--tasks-dir", tasksDir, "--model", "qwen3-8b"].concat([
        "--T",
        "5",
        "--N",
        "3",
        "--api-base",
        server.url,
        "--output",
        out,
      ]);
      const run = spawnCli(args, { cwd: root });
      const journal = `${out}.journal.jsonl`;
      await waitFor(() => journalCalls(journal).length >= 3, "first generation");
      run.child.kill("SIGINT");
      const r = await run.done;
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /resume with:\n\s+(npx )?evoalloc run greedy .*--resume/);
      for (const line of readFileSync(journal, "utf8")
        .split("\n")
        .filter((l) => l !== ""))
        JSON.parse(line);
      const done = journalCalls(journal).length;
      assert.ok(done < 15);
      const again = await runCli([...args, "--resume"], { cwd: root });
      assert.equal(again.code, 0, again.stderr);
      const res = GreedyRunSchema.parse(readRun(out));
      assert.equal(res.trajectory.length, 6);
    } finally {
      await server.close();
    }
  });

  it("refuses to overwrite a result or an interrupted run's journal without --force or --resume", async () => {
    const out = join(root, "exists.json");
    writeFileSync(out, "{}");
    const r = await runCli(
      ["run", "greedy", "--task", "toy", "--tasks-dir", tasksDir, "--model", "qwen3-8b"].concat([
        "--T",
        "1",
        "--N",
        "1",
        "--output",
        out,
        "--api-base",
        "http://127.0.0.1:9/v1",
      ]),
      { cwd: root },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exists/);
  });

  it("bad input exits 2 naming the flag or listing the known keys", async () => {
    const base = ["run", "greedy", "--task", "cp", "--model", "qwen3-8b", "--T", "2", "--N", "2"];
    const cases: [string[], RegExp][] = [
      [
        ["run", "greedy", "--task", "nope", "--model", "qwen3-8b", "--T", "2", "--N", "2"],
        /--task: .*known tasks: cp, ht, mmd/,
      ],
      [
        ["run", "greedy", "--task", "cp", "--model", "nope", "--T", "2", "--N", "2"],
        /--model: .*known: .*qwen3-8b/,
      ],
      [
        ["run", "greedy", "--task", "cp", "--model", "qwen3-8b", "--T", "0", "--N", "2"],
        /--T: must be an integer >= 1/,
      ],
      [[...base.slice(0, 8), "--N", "1.5"], /--N: must be an integer/],
      [[...base, "--temperature", "hot"], /--temperature: must be a number/],
      [[...base, "--api-base", "ftp://x"], /--api-base: /],
      [["run", "bandit", ...base.slice(2), "--algo", "nope"], /--algo: unknown policy "nope"/],
      [
        ["run", "bandit", ...base.slice(2), "--algo", "ucb", "--param", "ucb.zz=1"],
        /unknown parameter "ucb.zz"/,
      ],
      [["run", "bandit", ...base.slice(2), "--algo", "ucb", "--T-cap-per-arm", "0"], /--T-cap-per-arm: /],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args, { cwd: root });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  it("the launcher (bin/evoalloc.js) exits with main()'s code", async () => {
    const r = await spawnCli(
      ["run", "greedy", "--task", "nope", "--model", "qwen3-8b", "--T", "2", "--N", "2"],
      {
        cwd: root,
      },
    ).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--task: .*known tasks: cp, ht, mmd/);
    const ok = await spawnCli(["models", "--json"], { cwd: root }).done;
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(Array.isArray(JSON.parse(ok.stdout)));
  });
});

export type { LlmServer };
