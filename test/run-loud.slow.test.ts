/**
 * Online runs fail loudly (issue 11, items 1–3 and 10), through the built CLI
 * against loopback OpenAI-compatible servers on the real sandbox: an
 * unreachable or refusing endpoint stops in the preflight naming the URL and
 * the cause; 401/403/404 mid-run stop the run at once; a streak of failed
 * calls stops it with its journal kept (the streak retracted, so a resume
 * asks those calls again); a run without any answer exits 1; the summary
 * counts attempts by status and warns past 10% failed calls; no endpoint
 * configured is a usage error; a task whose initial program does not
 * evaluate stops before any call; usage the endpoint reports is checked.
 * Slow-ish (each CLI start pre-forks Python workers).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GreedyRunSchema } from "../src/log/schema.ts";
import { runCli } from "./cli.ts";
import { startLlmServer } from "./run-llm-server.ts";
import { journalCalls, readRun, toyAnswer, writeToyTask } from "./run-toy.ts";

describe("online runs fail loudly (slow: real sandbox)", () => {
  let root: string;
  let tasksDir: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "evoalloc-run-loud-"));
    tasksDir = writeToyTask(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const args = (url: string | null, out: string, extra: string[] = []): string[] =>
    ["run", "greedy", "--task", "toy", "--tasks-dir", tasksDir, "--model", "qwen3-8b"]
      .concat(["--T", "4", "--N", "4", "--output", out, "--backoff", "0.01"])
      .concat(url === null ? [] : ["--api-base", url])
      .concat(extra);

  it("an unreachable endpoint, a refused key or an unknown model stops in the preflight: exit 1 naming URL and cause", async () => {
    const dead = await startLlmServer(() => ({ kind: "ok", content: "" }));
    const deadUrl = dead.url;
    await dead.close();
    const refusing = await startLlmServer(() => ({ kind: "status", status: 401 }), { models: 401 });
    const unknown = await startLlmServer(() => ({ kind: "status", status: 404 }), { models: null });
    try {
      const cases: [string, RegExp][] = [
        [deadUrl, new RegExp(`${deadUrl}/models: cannot connect: connection refused \\(ECONNREFUSED\\)`)],
        [
          "http://evoalloc-no-such-host.invalid/v1",
          /evoalloc-no-such-host\.invalid\/v1\/models: cannot connect: DNS/,
        ],
        [refusing.url, new RegExp(`${refusing.url}/models: HTTP 401, the API key was refused`)],
        [unknown.url, new RegExp(`${unknown.url}/chat/completions: HTTP 404, unknown model`)],
      ];
      for (const [url, re] of cases) {
        const out = join(root, "preflight.json");
        const r = await runCli(args(url, out), { cwd: root });
        assert.equal(r.code, 1, `${url}: ${r.stderr}`);
        assert.match(r.stderr, re);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.ok(!existsSync(out) && !existsSync(`${out}.journal.jsonl`), "nothing is written");
      }
      assert.equal(refusing.requests.length, 0, "no call after a refused preflight");
      assert.equal(unknown.requests.length, 1, "one 1-token request where GET /models is absent");
      assert.equal(unknown.requests[0]!.body.max_tokens, 1);
    } finally {
      await refusing.close();
      await unknown.close();
    }
  });

  it("without GET /models the 1-token request stands in; 401 mid-run stops at once with the journal kept", async () => {
    let calls = 0;
    const server = await startLlmServer(
      (body) => {
        if (body.max_tokens === 1) return { kind: "ok", content: "OK" };
        return ++calls > 6 ? { kind: "status", status: 401 } : toyAnswer(body);
      },
      { models: null },
    );
    try {
      const out = join(root, "midrun.json");
      const r = await runCli(args(server.url, out, ["--parallel-llm", "1"]), { cwd: root });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /HTTP 401.*the run stops/);
      assert.match(r.stderr, /resume with:\n\s+(npx )?evoalloc run greedy .*--resume/);
      assert.ok(!existsSync(out));
      assert.equal(journalCalls(`${out}.journal.jsonl`).length, 6, "the answered calls are kept");
      assert.equal(server.requests.length, 1 + 7, "the preflight, 6 answers, one 401: nothing after it");
    } finally {
      await server.close();
    }
  });

  it("a streak of failed calls stops the run (exit 1, journal kept without the streak); resume asks them again", async () => {
    let healthy = false;
    const server = await startLlmServer((body, n) =>
      healthy || n < 5 ? toyAnswer(body) : { kind: "status", status: 500 },
    );
    try {
      const out = join(root, "streak.json");
      const a = args(server.url, out, [
        "--parallel-llm",
        "1",
        "--retries",
        "1",
        "--max-consecutive-failures",
        "3",
      ]);
      const r = await runCli(a, { cwd: root });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /3 calls in a row got no answer \(last: error:InternalServerError/);
      assert.match(r.stderr, /resume with:/);
      const journal = `${out}.journal.jsonl`;
      const lines = readFileSync(journal, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const kept = new Set<string>();
      for (const l of lines) if (l.t === "call") kept.add(l.key);
      for (const l of lines) if (l.t === "drop") kept.delete(l.key);
      assert.equal(kept.size, 5, "the 5 answered calls stay, the 2 recorded failures are retracted");
      healthy = true;
      const again = await runCli([...a, "--resume"], { cwd: root });
      assert.equal(again.code, 0, again.stderr);
      const run = GreedyRunSchema.parse(readRun(out));
      const children = run.trajectory.flatMap((g) => g.children);
      assert.equal(children.length, 16);
      assert.ok(
        children.every((c) => c.attempts.at(-1)!.status === "ok"),
        "the retracted calls were asked again",
      );
    } finally {
      await server.close();
    }
  });

  it("a run in which no call got an answer exits 1; the summary counts attempts and warns past 10% failed", async () => {
    const server = await startLlmServer((body) =>
      body.max_tokens === 1 || body.seed === undefined
        ? toyAnswer(body)
        : { kind: "status", status: 503, headers: { "retry-after": "0" } },
    );
    const some = await startLlmServer((body, n) =>
      n % 4 === 3 ? { kind: "status", status: 500 } : toyAnswer(body),
    );
    try {
      const out = join(root, "nothing.json");
      const r = await runCli(
        args(server.url, out, ["--retries", "0", "--max-consecutive-failures", "0", "--T", "1", "--N", "3"]),
        { cwd: root },
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /no call of the run got an answer \(3 calls\)/);
      assert.ok(!existsSync(out));

      const out2 = join(root, "some.json");
      const s = await runCli(args(some.url, out2, ["--retries", "0", "--parallel-llm", "1", "--json"]), {
        cwd: root,
      });
      assert.equal(s.code, 0, s.stderr);
      const summary = JSON.parse(s.stdout) as Record<string, unknown>;
      assert.equal(summary.calls, 16);
      assert.equal(summary.failed_calls, 4);
      assert.deepEqual(summary.attempts, { ok: 12, "error:InternalServerError": 4 });
      assert.equal(summary.no_code, 0);
      assert.match(s.stderr, /warning: 4 of 16 calls failed \(25%\): error:InternalServerError ×4/);
    } finally {
      await server.close();
      await some.close();
    }
  });

  it("no endpoint configured: exit 2 naming --api-base and both variables", async () => {
    const r = await runCli(args(null, join(root, "noendpoint.json")), {
      cwd: root,
      env: {
        LLM_API_BASE: "",
        OPENAI_BASE_URL: "",
      },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /--api-base: model "qwen3-8b" has no endpoint: pass --api-base URL, or set LLM_API_BASE or OPENAI_BASE_URL/,
    );
  });

  it("an initial program that raises, times out or has no combined_score stops before any call (exit 1, traceback on stderr); a score of 0 runs", async () => {
    const server = await startLlmServer((body) => toyAnswer(body));
    const task = (name: string, evaluate: string[]): void => {
      const dir = join(root, "broken", name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "initial_program.py"), "X = 0.0\n\ndef score():\n    return X\n");
      writeFileSync(join(dir, "evaluator.py"), ["def evaluate(program_path):", ...evaluate, ""].join("\n"));
      writeFileSync(
        join(dir, "task.json"),
        JSON.stringify({ entry_function: "score", eval_timeout_s: 2, system_prompt: "Make X larger." }),
      );
    };
    task("raises", [
      "    return helper(program_path)",
      "def helper(p):",
      "    raise ValueError('broken evaluator')",
    ]);
    task("noscore", ["    return {'x': 1.0}"]);
    task("zero", ["    return {'combined_score': 0.0}"]);
    task("hangs", ["    import time", "    time.sleep(60)"]);
    try {
      const run = (key: string) =>
        runCli(
          ["run", "greedy", "--task", key, "--tasks-dir", join(root, "broken"), "--model", "qwen3-8b"].concat(
            ["--T", "1", "--N", "2", "--api-base", server.url, "--output", join(root, `init-${key}.json`)],
          ),
          { cwd: root },
        );
      const raises = await run("raises");
      assert.equal(raises.code, 1, raises.stderr);
      assert.match(raises.stderr, /Traceback[\s\S]*in helper[\s\S]*ValueError: broken evaluator/);
      assert.ok(!existsSync(join(root, "init-raises.json.journal.jsonl")), "no journal without a call");
      assert.match(raises.stderr, /rerun the command after fixing the cause/);
      assert.match(
        raises.stderr,
        /evoalloc: task raises: the initial program does not evaluate \(error: ValueError: broken evaluator\)/,
      );
      const noscore = await run("noscore");
      assert.equal(noscore.code, 1, noscore.stderr);
      assert.match(
        noscore.stderr,
        /task noscore: the initial program does not evaluate \(error: .*combined_score/,
      );
      const hangs = await run("hangs");
      assert.equal(hangs.code, 1, hangs.stderr);
      assert.match(hangs.stderr, /task hangs: the initial program does not evaluate \(timeout/);
      assert.equal(server.requests.length, 0, "no call before the initial program evaluates");
      const zero = await run("zero");
      assert.equal(zero.code, 0, zero.stderr);
    } finally {
      await server.close();
    }
  });

  it("usage that cannot be trusted is error:InvalidUsage (raw kept, no FLOPs); validate rejects it in files", async () => {
    const bad: Record<string, unknown>[] = [
      { prompt_tokens: -100, completion_tokens: 40, total_tokens: -60 },
      { prompt_tokens: 100, completion_tokens: "40", total_tokens: 140 },
      { prompt_tokens: 1e308, completion_tokens: 40, total_tokens: 1e308 },
      { prompt_tokens: 100, completion_tokens: 40, prompt_tokens_details: { cached_tokens: -16 } },
      { prompt_tokens: 100, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 101 } },
    ];
    const server = await startLlmServer((body, n) =>
      n < bad.length ? { ...toyAnswer(body), usage: bad[n] } : toyAnswer(body),
    );
    try {
      const out = join(root, "usage.json");
      const r = await runCli(args(server.url, out, ["--parallel-llm", "1", "--retries", "1", "--T", "2"]), {
        cwd: root,
      });
      assert.equal(r.code, 0, r.stderr);
      const run = GreedyRunSchema.parse(readRun(out));
      const attempts = run.trajectory.flatMap((g) => g.children.flatMap((c) => c.attempts));
      const invalid = attempts.filter((a) => a.status === "error:InvalidUsage");
      assert.equal(invalid.length, bad.length);
      invalid.forEach((a, i) => {
        assert.equal(a.usage, null);
        assert.deepEqual(a.raw_usage, bad[i]);
        assert.match(String(a.error), /^invalid usage: /);
      });
      assert.ok(run.flops.worst_case.total_flops > 0 && Number.isFinite(run.flops.worst_case.total_flops));
      const v = await runCli(["validate", out], { cwd: root });
      assert.equal(v.code, 0, v.stdout + v.stderr);

      // a file whose ok attempt carries negative usage is rejected
      const tampered = JSON.parse(readFileSync(out, "utf8"));
      const ok = tampered.trajectory[1].children.find((c: { attempts: { status: string }[] }) =>
        c.attempts.some((a) => a.status === "ok"),
      );
      const a = ok.attempts.find((x: { status: string }) => x.status === "ok");
      a.usage = { prompt_tokens: -5000, completion_tokens: 40, total_tokens: -4960 };
      const bent = join(root, "tampered.json");
      writeFileSync(bent, JSON.stringify(tampered));
      const t = await runCli(["validate", bent], { cwd: root });
      assert.equal(t.code, 1, t.stdout + t.stderr);
      assert.match(t.stdout + t.stderr, /usage.*prompt_tokens: is -5000, not a non-negative integer/);
    } finally {
      await server.close();
    }
  });
});
