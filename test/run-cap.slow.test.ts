/**
 * What a child may store is capped (issue 11, item 6): error text and
 * metrics at 64 KiB each with a marker and the original size, so a run of
 * candidates returning megabytes stays writable and resumable; result files
 * are written as a stream (the same bytes as one JSON.stringify).
 * The end-to-end case runs the built CLI on the real sandbox.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stringifyPythonJson } from "../src/log/json.ts";
import { GreedyRunSchema } from "../src/log/schema.ts";
import { jsonChunks } from "../src/log/write.ts";
import { CAP_BYTES, capMetrics, capText } from "../src/run/cap.ts";
import { runCli } from "./cli.ts";
import { startLlmServer } from "./run-llm-server.ts";
import { readRun, toyAnswer, writeToyTask } from "./run-toy.ts";

describe("caps on what a child stores", () => {
  it("capText keeps head and tail around a marker with the original size; short text is untouched", () => {
    assert.equal(capText("short"), "short");
    const long = `${"a".repeat(100_000)}Traceback end: ValueError: boom`;
    const c = capText(long);
    assert.ok(Buffer.byteLength(c) <= CAP_BYTES + 100);
    assert.match(c, /…\[evoalloc: truncated, 100031 bytes in all\]…/);
    assert.ok(c.endsWith("ValueError: boom"));
    // multi-byte characters cut at the edges do not garble the rest
    const wide = capText("é".repeat(50_000), 1000);
    assert.doesNotMatch(wide, /\uFFFD/);
  });

  it("capMetrics keeps the entries that fit, names the dropped ones and the original size", () => {
    const small = { combined_score: 0.5, x: 1 };
    assert.equal(capMetrics(small), small);
    assert.equal(capMetrics(null), null);
    const big = { combined_score: 0.5, blob: "x".repeat(200_000), n: 3 };
    const c = capMetrics(big)!;
    assert.equal(c.combined_score, 0.5);
    assert.equal(c.n, 3);
    assert.equal(c.blob, undefined);
    const note = c.evoalloc_truncated as { original_bytes: number; dropped: string[] };
    assert.deepEqual(note.dropped, ["blob"]);
    assert.ok(note.original_bytes > 200_000);
    assert.ok(Buffer.byteLength(JSON.stringify(c)) <= CAP_BYTES);
  });

  it("jsonChunks gives exactly stringifyPythonJson's text, indented or not", () => {
    const v = {
      a: [1, { b: Number.NaN, c: [], d: {} }, null],
      s: "line\nbreak",
      u: undefined,
      deep: { a: { b: { c: { d: { e: { f: [1, { g: [Number.POSITIVE_INFINITY] }] } } } } } },
      arr: [undefined, () => 1, "x"],
    };
    for (const indent of [undefined, 2])
      assert.equal([...jsonChunks(v, indent ?? 0, "")].join(""), stringifyPythonJson(v, indent));
  });
});

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
