// A queue worker's output lock carries the job's id: a worker holding the same job takes over a lock left
// on another host (where no pid can be checked); any other lock from another host, or a live one here, stays.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { lockPath } from "../src/log/paths.ts";
import { lockOutput, OutputLockedError } from "../src/run/output-lock.ts";

const dir = mkdtempSync(join(tmpdir(), "lock-tag-"));
const holder = (output: string, h: Record<string, unknown>): void =>
  writeFileSync(lockPath(output), `${JSON.stringify({ since: "2026-01-01T00:00:00Z", ...h })}\n`);

describe("output lock tagged with a queue job", () => {
  it("takes over the same job's lock from another host", () => {
    const out = join(dir, "a.json");
    holder(out, { pid: 1, host: "elsewhere.invalid", tag: "run-1" });
    const lock = lockOutput(out, "run-1");
    const now = JSON.parse(readFileSync(lockPath(out), "utf8")) as { host: string; tag: string; pid: number };
    assert.deepEqual([now.host, now.tag, now.pid], [hostname(), "run-1", process.pid]);
    lock.release();
  });

  it("leaves another job's lock, an untagged one from another host, and a live one on this host", () => {
    const cases: [Record<string, unknown>, string | undefined][] = [
      [{ pid: 1, host: "elsewhere.invalid", tag: "run-2" }, "run-1"],
      [{ pid: 1, host: "elsewhere.invalid" }, "run-1"],
      [{ pid: 1, host: "elsewhere.invalid", tag: "run-1" }, undefined],
      // pid 1 is alive here: a live holder on this host keeps its lock, whatever its tag
      [{ pid: 1, host: hostname(), tag: "run-1" }, "run-1"],
    ];
    for (const [i, [h, tag]] of cases.entries()) {
      const out = join(dir, `b${i}.json`);
      holder(out, h);
      assert.throws(() => lockOutput(out, tag), OutputLockedError, JSON.stringify(h));
    }
  });
});
