/**
 * Caps on what a child stores, end to end (the units: run-cap.test.ts): a run
 * of candidates returning megabytes through the built CLI on the real sandbox.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GreedyRunSchema } from "../src/log/schema.ts";
import { CAP_BYTES } from "../src/run/cap.ts";
import { runCli } from "./cli.ts";
import { startLlmServer } from "./run-llm-server.ts";
import { readRun, toyAnswer, writeToyTask } from "./run-toy.ts";

describe("a run of candidates returning megabytes (slow: real sandbox)", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "evoalloc-run-cap-"));
    writeToyTask(root, "big", [
      "    if x < 0.1:",
      "        raise ValueError('e' * 2_000_000)",
      "    return {'combined_score': x, 'blob': 'm' * 2_000_000, 'x': x}",
    ]);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("every child's error and metrics are capped; the result and the journal stay small", async () => {
    const server = await startLlmServer((body) => toyAnswer(body));
    try {
      const out = join(root, "big.json");
      const r = await runCli(
        ["run", "greedy", "--task", "big", "--tasks-dir", join(root, "tasks"), "--model", "qwen3-8b"].concat([
          "--T",
          "2",
          "--N",
          "4",
          "--api-base",
          server.url,
          "--output",
          out,
        ]),
        { cwd: root },
      );
      assert.equal(r.code, 0, r.stderr);
      const run = GreedyRunSchema.parse(readRun(out));
      const children = run.trajectory.flatMap((g) => g.children);
      const failed = children.filter((c) => c.error);
      const scored = children.filter((c) => !c.error);
      assert.ok(failed.length > 0 && scored.length > 0, "both kinds of child occur");
      // (the sandbox may shorten a traceback itself; either way no more than the cap is kept)
      for (const c of failed) assert.ok(Buffer.byteLength(c.error!) <= CAP_BYTES + 100, "error capped");
      for (const c of scored) {
        const note = c.metrics!.evoalloc_truncated as { original_bytes: number; dropped: string[] };
        assert.deepEqual(note.dropped, ["blob"]);
        assert.ok(note.original_bytes > 2_000_000);
        assert.equal(c.metrics!.x, c.fitness);
      }
      assert.ok(statSync(out).size < 1_500_000, `${statSync(out).size} bytes`);
      assert.equal(JSON.parse(readFileSync(out, "utf8")).C, 8);
    } finally {
      await server.close();
    }
  });
});
