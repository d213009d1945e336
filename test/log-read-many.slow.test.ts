// A folder with 10,000 files (slow: seconds of CPU and disk): validate reads every one and stops at none.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "./cli.ts";
import { attempt, child, greedyRun } from "./log-fixtures.ts";

describe("a folder with 10,000 files", () => {
  it("validates every file, one line per bad one, without stopping", async () => {
    const dir = await mkdtemp(join(tmpdir(), "evoalloc-many-"));
    try {
      const good = JSON.stringify(greedyRun([[child(0, 0.3, [attempt({})])]]));
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 10_000; i++) {
        const sub = join(dir, `d${i % 10}`);
        if (i < 10) await mkdir(sub, { recursive: true });
        const text = i % 1000 === 7 ? "{broken" : i % 2 === 0 ? good : JSON.stringify({ config: i });
        writes.push(writeFile(join(sub, `f${i}.json`), text));
        if (writes.length >= 256) await Promise.all(writes.splice(0));
      }
      await Promise.all(writes);
      const r = await runCli(["validate", dir, "--json"]);
      assert.equal(r.code, 1);
      const report = JSON.parse(r.stdout) as {
        files: number;
        valid: number;
        invalid: number;
        skipped: string[];
      };
      assert.equal(report.files, 10_000);
      assert.equal(report.invalid, 10);
      assert.equal(report.skipped.length, 4990);
      assert.equal(report.valid, 5000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
