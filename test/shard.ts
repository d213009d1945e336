/**
 * One process of the fast set (./sets.ts writes a small entry per process
 * that calls `runFiles`): the files' tests run in this one process, each
 * file inside a suite named after it, so its tests and its top-level hooks
 * (before/after) stay the file's own. Each file's CPU time in ms (its hooks
 * and tests, worker threads included, not its import: CPU rather than wall
 * time, which a busy machine inflates unevenly) goes to `timesFile`, which
 * ./sets.ts uses to balance the next run's processes.
 */
import { AsyncResource } from "node:async_hooks";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "..");

export function runFiles(files: readonly string[], timesFile?: string): void {
  const times: Record<string, number> = {};
  if (timesFile) process.on("exit", () => writeFileSync(timesFile, JSON.stringify(times)));
  // One import at a time, each in its suite's async context: node:test gives a test the suite whose
  // context the test's module is evaluated in, and concurrent imports can evaluate a module in
  // another import's context (a chained promise carries the context of the promise it follows).
  let previous: Promise<unknown> = Promise.resolve();
  for (const f of files)
    describe(f, async () => {
      let start = process.cpuUsage();
      before(() => {
        start = process.cpuUsage();
      });
      after(() => {
        const used = process.cpuUsage(start);
        times[f] = Math.round((used.user + used.system) / 1000);
      });
      const suite = new AsyncResource("test-file");
      const url = pathToFileURL(join(ROOT, f)).href;
      const mine = previous.then(() => suite.runInAsyncScope(() => import(url)));
      previous = mine.catch(() => undefined);
      await mine;
    });
}
