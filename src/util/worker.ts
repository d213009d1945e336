/**
 * Starting a worker thread on a sibling module, from the build (`.js`) or
 * from source (`.ts`, tests and tsx). On Node 20 a worker does not inherit
 * tsx's loader hooks, and `--import tsx` in its execArgv does not take, so a
 * `.ts` module is reached through a two-line bootstrap that registers tsx
 * inside the worker first. Messages posted meanwhile wait in the port.
 */
import { Worker } from "node:worker_threads";

/** `new URL("./name.js" | "./name.ts", base)`, matching how `base` itself runs. */
export function siblingUrl(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith(".ts") ? ".ts" : ".js"}`, base);
}

export function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith(".ts")) return new Worker(url);
  // tsx is resolved here, not in the worker: an eval'd worker resolves from the working folder, which
  // need not be the project's (a command run in-process from another folder)
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const code = `import(${tsx}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}
