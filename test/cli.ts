/**
 * Running the CLI in tests, two ways:
 *
 * - `runCli(args)`: in this process, through `main()` from src/ (no build, no
 *   Node start-up: a few ms instead of about a second). Exit code, stdout and
 *   stderr as the binary would give them. Use it unless the process boundary
 *   is the point.
 * - `spawnCli(args)`: the built binary (`node bin/evoalloc.js`, needs
 *   `npm run build`) as a child process, for signals (kill -9, Ctrl-C), the
 *   launcher's own exit code, or a command that must not share this process.
 *   A file that uses it starts processes: it belongs to the slow set.
 *
 * Both clear the endpoint variables (`LLM_API_BASE`, `OPENAI_BASE_URL`), so a
 * developer's environment never sends a test's calls anywhere.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { main } from "../src/cli/main.ts";

export const ROOT = join(import.meta.dirname, "..");
export const BIN = join(ROOT, "bin", "evoalloc.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** working folder of the command (relative paths, default outputs); default: the project root */
  cwd?: string;
  /** environment variables set for the command ("" clears one) */
  env?: Record<string, string>;
}

const CLEARED = { LLM_API_BASE: "", OPENAI_BASE_URL: "" };

// One in-process command at a time: cwd, env and the stdout/stderr hooks are the process's.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `evoalloc ...args` in-process and resolves to its exit code and output.
 * While it runs, text written to process.stdout and process.stderr is captured
 * (binary chunks pass through: they are the test runner's own reports), the
 * working folder is `cwd` and `env` is set; all are put back afterwards.
 */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const next = queue.then(() => runNow(args, opts));
  queue = next.catch(() => undefined);
  return next;
}

async function runNow(args: string[], opts: CliOptions): Promise<CliResult> {
  const out = { stdout: "", stderr: "" };
  const streams = { stdout: process.stdout, stderr: process.stderr } as const;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const key of ["stdout", "stderr"] as const) {
    const original = writes[key];
    streams[key].write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== "string") return original.call(streams[key], chunk as Uint8Array, ...(rest as []));
      out[key] += chunk;
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    }) as typeof original;
  }
  const env = { ...CLEARED, ...opts.env };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const cwd = process.cwd();
  try {
    Object.assign(process.env, env);
    process.chdir(opts.cwd ?? ROOT);
    const code = await main(["node", "evoalloc", ...args]);
    return { code, ...out };
  } finally {
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    streams.stdout.write = writes.stdout;
    streams.stderr.write = writes.stderr;
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/evoalloc.js ...args` as a child process; `done` resolves when it has exited. */
export function spawnCli(
  args: string[],
  opts: CliOptions = {},
): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...CLEARED, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<Exit>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
