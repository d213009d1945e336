// A 1 MB gzip bomb (slow: inflates 256 MiB): one problem of its file, read without taking gigabytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { loadResults, MAX_JSON_BYTES } from "../src/log/read.ts";
import { runCli } from "./cli.ts";
import { syntheticTree as tree } from "./synthetic-tree.ts";

/** ~1 MB of gzip that inflates to 1 GiB: 16 members of 64 MiB of spaces inside a JSON string. */
function gzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(64 * 1024 ** 2, 0x20), { level: 9 });
  return Buffer.concat([
    gzipSync('{"final_fitness": 1, "pad": "'),
    ...Array(16).fill(member),
    gzipSync('"}'),
  ]);
}

describe("the log reader's caps", () => {
  it("a 1 MB gzip bomb is one problem, read without taking GBs", async () => {
    const bomb = gzipBomb();
    assert.ok(bomb.length < 2 * 1024 ** 2, `${bomb.length} bytes`);
    const dir = tree({ "bomb.json.gz": bomb });
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    const loaded = await loadResults([dir]);
    const grown = process.resourceUsage().maxRSS * 1024 - rssBefore;
    assert.equal(loaded.runs.length, 6);
    const p = loaded.problems.find((x) => x.file.endsWith("bomb.json.gz"));
    assert.ok(p, JSON.stringify(loaded.problems));
    assert.match(p.message, /larger than 256 MiB of JSON once decompressed/);
    // at most the cap (256 MiB) in flight, far from the 1 GiB (and its string) the old reader built
    assert.ok(
      grown < MAX_JSON_BYTES + 256 * 1024 ** 2,
      `peak RSS grew by ${(grown / 1024 ** 2).toFixed(0)} MiB`,
    );
    // validate names it and goes on
    const v = await runCli(["validate", dir, "--json", "--threads", "0"]);
    assert.equal(v.code, 1, v.stderr);
    const out = JSON.parse(v.stdout) as { valid: number; invalid: number };
    assert.deepEqual([out.valid, out.invalid], [6, 1]);
  });
});
