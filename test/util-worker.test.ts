// startWorker (src/util/worker.ts): a `.ts` worker from its JavaScript twin when there is one, else through tsx.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Worker } from "node:worker_threads";
import { startWorker } from "../src/util/worker.ts";

const SCAN_WORKER = new URL("../src/log/scan-worker.ts", import.meta.url);
const SAMPLE = new URL("./fixtures/reference/cp/qwen3-8b/greedy_C64_T16_N4_seed45.json", import.meta.url)
  .pathname;
const tmp = mkdtempSync(join(tmpdir(), "evoalloc-worker-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Starts the scan worker with EVOALLOC_WORKER_JS set to `js` (unset if undefined), scans SAMPLE. */
async function scanWith(js: string | undefined): Promise<unknown> {
  const saved = process.env.EVOALLOC_WORKER_JS;
  let w: Worker;
  try {
    if (js === undefined) delete process.env.EVOALLOC_WORKER_JS;
    else process.env.EVOALLOC_WORKER_JS = js;
    w = startWorker(SCAN_WORKER);
  } finally {
    if (saved === undefined) delete process.env.EVOALLOC_WORKER_JS;
    else process.env.EVOALLOC_WORKER_JS = saved;
  }
  try {
    return await new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
      w.postMessage({ id: 7, file: SAMPLE });
    });
  } finally {
    await w.terminate();
  }
}

// the tsx path's answer, asked once: each tsx worker costs about 0.7 s of CPU
let tsxReply: Promise<unknown> | undefined;
const viaTsx = () => (tsxReply ??= scanWith(undefined));

describe("startWorker on a .ts module", () => {
  it("starts the .js twin in the folder named by EVOALLOC_WORKER_JS (path under src/), without the parent's preloads", async () => {
    const js = join(tmp, "fake");
    mkdirSync(join(js, "log"), { recursive: true });
    writeFileSync(
      join(js, "log", "scan-worker.js"),
      'const { parentPort } = require("node:worker_threads");\n' +
        "parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, from: 'twin', execArgv: process.execArgv }));\n",
    );
    assert.deepEqual(await scanWith(js), { id: 7, from: "twin", execArgv: [] });
  });

  it("registers tsx in the worker when no folder is named, or the folder has no twin", async () => {
    for (const reply of [await viaTsx(), await scanWith(join(tmp, "empty"))] as {
      id: number;
      event: { kind: string; file: string };
    }[]) {
      assert.equal(reply.id, 7);
      assert.equal(reply.event.kind, "run", JSON.stringify(reply));
      assert.equal(reply.event.file, SAMPLE);
    }
  });

  it("the test runner's twin answers as the source does", {
    skip: process.env.EVOALLOC_WORKER_JS === undefined && "only under test/sets.ts",
  }, async () => {
    assert.deepEqual(await scanWith(process.env.EVOALLOC_WORKER_JS), await viaTsx());
  });
});
