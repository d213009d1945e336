/**
 * The sandbox pool: fresh vs prefork, worker death and restart, cancellation,
 * close, odd evaluator answers (NaN, no combined_score, not a dict), a broken
 * evaluator, bad options, and the worker found from dist/. Real python3.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { createEvaluator, EvalAbortedError, SandboxError, toEvalResult } from "../src/run/sandbox/sandbox.ts";
import { candidateEnv } from "../src/run/sandbox/sandbox-worker.ts";
import { loadTask } from "../src/run/tasks.ts";

const cp = loadTask("cp");
const VALID = 0.9575727076748453 / 2.635;
const tmp = mkdtempSync(join(tmpdir(), "evoalloc-pool-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A task whose evaluator returns whatever dict the candidate leaves in `result`. */
function echoTask(
  evaluator = "def evaluate(path):\n    ns = {}\n    exec(open(path).read(), ns)\n    return ns['result']\n",
) {
  const dir = join(tmp, `echo${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "evaluator.py"), evaluator);
  return { evaluatorPath: join(dir, "evaluator.py"), evalTimeoutS: 10 };
}

describe("sandbox pool", () => {
  it("fresh mode evaluates like prefork, with the same limits", async () => {
    const ev = await createEvaluator(cp, { isolation: "fresh", parallel: 2, timeoutS: 5 });
    try {
      const [ok, exit, loop] = await Promise.all([
        ev.evaluate(cp.initialProgram),
        ev.evaluate("import os\nos._exit(1)"),
        ev.evaluate("while True: pass"),
      ]);
      assert.equal(ok.fitness, VALID);
      assert.match(exit.error ?? "", /exited with status 1/);
      assert.equal(loop.status, "timeout");
      assert.deepEqual(ev.workerPids(), []);
    } finally {
      await ev.close();
    }
  });

  it("restarts a worker killed while evaluating, and retries that candidate", async () => {
    const ev = await createEvaluator(cp, { parallel: 1, timeoutS: 20 });
    try {
      const [pid] = ev.workerPids();
      const slow = ev.evaluate(`import time\ntime.sleep(1.0)\n${cp.initialProgram}`);
      await new Promise((r) => setTimeout(r, 300));
      process.kill(pid!, "SIGKILL");
      const r = await slow;
      assert.equal(r.fitness, VALID, r.error ?? "");
      assert.notDeepEqual(ev.workerPids(), [pid]);
      const [pid2] = ev.workerPids();
      process.kill(pid2!, "SIGKILL"); // idle death: noticed at the next candidate
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await ev.evaluate(cp.initialProgram)).fitness, VALID);
    } finally {
      await ev.close();
    }
  });

  it("cancels running, queued and already-aborted evaluations, then keeps working", async () => {
    const ev = await createEvaluator(cp, { parallel: 1, timeoutS: 30 });
    try {
      const running = new AbortController();
      const queued = new AbortController();
      const p1 = ev.evaluate("while True: pass", running.signal);
      const p2 = ev.evaluate(cp.initialProgram, queued.signal);
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(ev.evaluate(cp.initialProgram, pre.signal), EvalAbortedError);
      queued.abort();
      await assert.rejects(p2, (e: Error) => e.name === "AbortError");
      setTimeout(() => running.abort(), 200);
      await assert.rejects(p1, EvalAbortedError);
      assert.equal((await ev.evaluate(cp.initialProgram)).fitness, VALID);
    } finally {
      await ev.close();
    }
  });

  it("rejects pending work on close, and anything after", async () => {
    const ev = await createEvaluator(cp, { parallel: 1, timeoutS: 30 });
    const busy = ev.evaluate("while True: pass");
    const waiting = ev.evaluate(cp.initialProgram);
    const checks = Promise.all([
      assert.rejects(busy, EvalAbortedError),
      assert.rejects(waiting, EvalAbortedError),
    ]);
    await new Promise((r) => setTimeout(r, 200));
    await ev.close();
    await checks;
    await assert.rejects(ev.evaluate(cp.initialProgram), SandboxError);
  });

  it("turns NaN, missing or non-numeric combined_score, an error key and a non-dict into fitness 0", async () => {
    const ev = await createEvaluator(echoTask(), { parallel: 2, preload: ["numpy"] });
    try {
      const cases: [string, RegExp | null, number][] = [
        ["result = {'combined_score': 0.5, 'extra': [1, 2]}", null, 0.5],
        ["result = {'combined_score': float('nan')}", /combined_score is NaN/, 0],
        ["result = {'combined_score': float('inf')}", /combined_score is Infinity/, 0],
        ["result = {'score': 1.0}", /no combined_score/, 0],
        ["result = {'combined_score': '0.9'}", /combined_score is 0\.9/, 0],
        ["result = {'combined_score': 0.7, 'error': 'bad geometry'}", /bad geometry/, 0],
        ["result = [0.5]", /not a dict/, 0],
        [
          "import numpy as np\nresult = {'combined_score': np.float64(0.25), 'v': np.arange(3), 'b': np.bool_(True)}",
          null,
          0.25,
        ],
      ];
      const results = await Promise.all(cases.map(([code]) => ev.evaluate(code)));
      cases.forEach(([code, err, fitness], i) => {
        const r = results[i]!;
        assert.equal(r.fitness, fitness, code);
        if (err) {
          assert.equal(r.status, "error", code);
          assert.match(r.error ?? "", err, code);
        } else assert.equal(r.error, null, code);
      });
      assert.deepEqual(results[7]!.metrics, { combined_score: 0.25, v: [0, 1, 2], b: true });
      assert.equal(results[1]!.metrics!.combined_score, "NaN");
    } finally {
      await ev.close();
    }
  });

  it("refuses to start when the evaluator does not load, or python is missing", async () => {
    await assert.rejects(
      createEvaluator(echoTask("def evaluate(:\n"), { parallel: 1, preload: [] }),
      (e: Error) => {
        return e instanceof SandboxError && /cannot load the evaluator .*SyntaxError/s.test(e.message);
      },
    );
    await assert.rejects(
      createEvaluator(echoTask("x = 1\n"), { parallel: 1, preload: [] }),
      /defines no evaluate/,
    );
    await assert.rejects(
      createEvaluator(cp, { parallel: 1, python: join(tmp, "no-python") }),
      (e: Error) => e instanceof SandboxError && /cannot start/.test(e.message),
    );
  });

  it("keeps credentials out of the candidates' environment", async () => {
    assert.deepEqual(
      candidateEnv({
        PATH: "/bin",
        LLM_API_KEY: "k",
        OPENAI_BASE_URL: "u",
        HF_HOME: "h",
        MY_TOKEN: "t",
        LANG: "C",
        DATABASE_URL: "postgres://u:p@h/db",
        OMP_NUM_THREADS: "4",
      }),
      {
        PATH: "/bin",
        LANG: "C",
        OMP_NUM_THREADS: "4",
        OPENBLAS_NUM_THREADS: "1",
        MKL_NUM_THREADS: "1",
        PYTHONDONTWRITEBYTECODE: "1",
      },
    );
    process.env.EVOALLOC_TEST_API_KEY = "sk-secret";
    try {
      const ev = await createEvaluator(echoTask(), { parallel: 1, preload: [] });
      try {
        const r = await ev.evaluate("import os\nresult = {'combined_score': 1.0, 'env': sorted(os.environ)}");
        assert.equal(r.fitness, 1);
        const names = r.metrics!.env as string[];
        assert.ok(names.includes("PATH") && !names.includes("EVOALLOC_TEST_API_KEY"), names.join(","));
      } finally {
        await ev.close();
      }
    } finally {
      delete process.env.EVOALLOC_TEST_API_KEY;
    }
  });

  it("validates its options", async () => {
    await assert.rejects(createEvaluator(cp, { parallel: 0 }), RangeError);
    await assert.rejects(createEvaluator(cp, { timeoutS: 0 }), RangeError);
    await assert.rejects(createEvaluator(cp, { memoryBytes: 1000 }), RangeError);
    await assert.rejects(createEvaluator(cp, { isolation: "docker" as "fresh" }), RangeError);
  });

  it("adds the stderr tail to a crash's error text", () => {
    const r = toEvalResult({
      id: 1,
      status: "error",
      metrics: null,
      error: "the candidate process was killed by SIGSEGV (segmentation fault)",
      duration_s: 0.1,
      stdout_bytes: 0,
      stderr_bytes: 5,
      stderr_tail: "boom\n",
      stdout_tail: "",
    });
    assert.equal(r.fitness, 0);
    assert.match(r.error ?? "", /SIGSEGV.*\nstderr: boom/s);
  });

  it("finds the worker script from the built dist/ too", async () => {
    const dist = join(import.meta.dirname, "..", "dist", "run", "sandbox", "sandbox-worker.js");
    assert.ok(existsSync(dist), "run npm run build first (npm test does)");
    const mod = (await import(pathToFileURL(dist).href)) as { workerScriptPath(): string };
    assert.ok(existsSync(mod.workerScriptPath()), mod.workerScriptPath());
  });
});
