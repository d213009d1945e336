/**
 * A real redis-server for the queue tests: its own loopback port, its own
 * temporary folder, append-only file on (fsync every write, so a restart
 * loses nothing the test relies on). `restart` stops it (SIGKILL by default:
 * the harsh case) and starts it again on the same port and folder.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  /** `redis://[:password@]127.0.0.1:PORT`. */
  url: string;
  port: number;
  dir: string;
  /** Stops the server (signal: SIGKILL by default) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (its AOF is read back). */
  start(): Promise<void>;
  /** Stops and removes the folder. */
  close(): Promise<void>;
}

/** Whether redis-server is on PATH (the tests skip with a message when not; .ci/run installs it). */
export const haveRedis = (): boolean => spawnSync("redis-server", ["--version"]).status === 0;

/** A port that was free a moment ago (redis-server cannot pick its own: --port 0 disables TCP). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(opts: { password?: string } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "evoalloc-redis-"));
  let port = 0;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    const args = [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
      "--daemonize",
      "no",
      "--maxmemory-policy",
      "noeviction",
      ...(opts.password !== undefined ? ["--requirepass", opts.password] : []),
    ];
    const c = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    c.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    c.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    exited = new Promise((resolve) => c.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 30_000);
      const poll = setInterval(() => {
        if (/Ready to accept connections/.test(out)) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        } else if (c.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(deadline);
          reject(new Error(`redis-server exited (${c.exitCode}):\n${out}`));
        }
      }, 20);
    });
    child = c;
  };

  for (let tries = 0; ; tries++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      // another process took the port between freePort and the bind
      if (tries >= 4) throw err;
    }
  }
  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : "";
  const server: RedisServer = {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    dir,
    async stop(signal = "SIGKILL") {
      if (child === null) return;
      child.kill(signal);
      await exited;
      child = null;
    },
    async start() {
      if (child !== null) return;
      await launch();
    },
    async close() {
      await server.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
