/**
 * What a child may store is capped (issue 11, item 6): error text and
 * metrics at 64 KiB each with a marker and the original size, so a run of
 * candidates returning megabytes stays writable and resumable; result files
 * are written as a stream (the same bytes as one JSON.stringify).
 * The end-to-end case, on the real sandbox: run-cap.slow.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringifyPythonJson } from "../src/log/json.ts";
import { jsonChunks } from "../src/log/write.ts";
import { CAP_BYTES, capMetrics, capText } from "../src/run/cap.ts";

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
