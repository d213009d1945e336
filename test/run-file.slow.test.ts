/**
 * The one life cycle of a run's result file (src/run/run-file.ts), through
 * the built CLI on the real sandbox and a loopback endpoint: one writer per
 * output (a second process is refused naming the holder; a dead holder's lock
 * is taken over), stray temporary files of a killed write are removed, and a
 * bad output path is one line with exit 2, never a stack trace or a hang.
 * Slow-ish (each CLI start pre-forks Python workers).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GreedyRunSchema } from "../src/log/schema.ts";
import { runCli, spawnCli } from "./cli.ts";
import { startLlmServer } from "./run-llm-server.ts";
import { readRun, toyAnswer, waitFor, writeToyTask } from "./run-toy.ts";

describe("run output: lock, stray files, bad paths (slow: real sandbox)", () => {
  let root: string;
  let tasksDir: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "evoalloc-run-file-"));
    tasksDir = writeToyTask(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const args = (url: string, out: string, extra: string[] = []): string[] =>
    ["run", "greedy", "--task", "toy", "--tasks-dir", tasksDir, "--model", "qwen3-8b"]
      .concat(["--T", "3", "--N", "2", "--api-base", url, "--output", out])
      .concat(extra);

  it("a second writer of the same output is refused (exit 2, naming the holder); the first finishes", async () => {
    const server = await startLlmServer((body) => toyAnswer(body, 300));
    try {
      const out = join(root, "locked.json");
      const first = spawnCli(args(server.url, out), { cwd: root });
      await waitFor(() => existsSync(`${out}.journal.jsonl`), "the first run's journal");
      const second = await runCli(args(server.url, out, ["--resume"]), { cwd: root });
      assert.equal(second.code, 2, second.stderr);
      assert.match(second.stderr, new RegExp(`pid ${first.child.pid} on ${hostname()}`));
      assert.equal(second.stderr.trim().split("\n").length, 1, second.stderr);
      const a = await first.done;
      assert.equal(a.code, 0, a.stderr);
      // 6 calls of the first run, none of the refused one
      assert.equal(server.requests.filter((r) => r.body.max_tokens !== 1).length, 6);
      assert.ok(!existsSync(join(root, "locked.json.lock")), "the lock is released");
    } finally {
      await server.close();
    }
  });

  it("a lock left by a dead process is taken over; stray temporary files of a killed write are removed", async () => {
    const server = await startLlmServer((body) => toyAnswer(body));
    try {
      const out = join(root, "stale.json");
      const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
      const pid = Number(dead.stdout.toString());
      writeFileSync(join(root, "stale.json.lock"), JSON.stringify({ pid, host: hostname(), since: "then" }));
      const stray = join(root, `.stale.json.${pid}.0badc0de.tmp`);
      writeFileSync(stray, '{"half": ');
      const other = join(root, ".other.json.1.0badc0de.tmp");
      writeFileSync(other, "not ours");
      const r = await runCli(args(server.url, out), { cwd: root });
      assert.equal(r.code, 0, r.stderr);
      GreedyRunSchema.parse(readRun(out));
      assert.ok(!existsSync(stray), "the stray temporary file is removed");
      assert.ok(existsSync(other), "another output's temporary file is left alone");
      assert.deepEqual(
        readdirSync(root).filter((f) => f.startsWith("stale")),
        ["stale.json"],
      );
    } finally {
      await server.close();
    }
  });

  it("a bad --output is one line and exit 2, never a stack trace or a hang", async () => {
    const server = await startLlmServer((body) => toyAnswer(body));
    try {
      const file = join(root, "a-file");
      writeFileSync(file, "x");
      for (const out of ["/proc/nope/a.json", join(file, "a.json"), "/sys/a.json", root]) {
        const r = await runCli(args(server.url, out), { cwd: root });
        assert.equal(r.code, 2, `${out}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split("\n").length, 1, `${out}: ${r.stderr}`);
        assert.match(r.stderr, /^evoalloc: --output: /);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
      }
      assert.equal(server.requests.length, 0, "no call is made for an output that cannot be written");
      for (const cmd of [
        ["report", "--results", root, "--out", "/proc/nope", "--format", "svg"],
        [
          "run",
          "grid",
          "--config",
          join(import.meta.dirname, "..", "results", "grid.json"),
          "--output",
          "/proc/nope",
        ],
      ]) {
        const r = await runCli(cmd, { cwd: root });
        assert.equal(r.code, 2, `${cmd.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^evoalloc: --out(put)?: cannot create \/proc\/nope: ENOENT/);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      }
    } finally {
      await server.close();
    }
  });
});
