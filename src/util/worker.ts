/**
 * Starting a worker thread on a sibling module, from the build (`.js`) or
 * from source (`.ts`, tests and tsx). On Node 20 a worker does not inherit
 * tsx's loader hooks, and `--import tsx` in its execArgv does not take, so a
 * `.ts` module is reached through a two-line bootstrap that registers tsx
 * inside the worker first. Messages posted meanwhile wait in the port.
 *
 * That bootstrap costs about 0.6 s of CPU per worker, so test runs name in
 * `EVOALLOC_WORKER_JS` a folder holding src/ transpiled to JavaScript, laid
 * out like dist/ (test/sets.ts makes it); a `.ts` worker whose `.js` twin is
 * there starts from the twin.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** `new URL("./name.js" | "./name.ts", base)`, matching how `base` itself runs. */
export function siblingUrl(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith(".ts") ? ".ts" : ".js"}`, base);
}

/** A worker thread on `url`; `workerData` reaches it as `worker_threads.workerData`. */
export function startWorker(url: URL, workerData?: unknown): Worker {
  if (!url.pathname.endsWith(".ts")) return new Worker(url, { workerData });
  const twin = javaScriptTwin(url);
  // plain JS: without the parent's preloads (tsx, a test guard), which the worker would load again
  if (twin) return new Worker(twin, { execArgv: [], workerData });
  // tsx is resolved here, not in the worker: an eval'd worker resolves from the working folder, which
  // need not be the project's (a command run in-process from another folder)
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const code = `import(${tsx}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** The `.js` twin of a `.ts` module of src/ in the folder named by `EVOALLOC_WORKER_JS`, if there is one. */
function javaScriptTwin(url: URL): URL | undefined {
  const dir = process.env.EVOALLOC_WORKER_JS;
  if (!dir) return undefined;
  const src = fileURLToPath(new URL("..", import.meta.url));
  const file = join(dir, relative(src, fileURLToPath(url)).replace(/\.ts$/, ".js"));
  return existsSync(file) ? pathToFileURL(file) : undefined;
}
