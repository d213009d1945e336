/**
 * Loaded before every file of the fast set (see ./sets.ts): starting a child
 * process or listening on a port throws, naming the file's way out. Only in
 * the test runner's per-file processes (NODE_TEST_CONTEXT), never in the
 * runner itself, which starts those processes.
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

const why = (what: string): Error =>
  new Error(
    `test:fast: this test ${what}; the fast set starts no servers, sandboxes, python, node processes or ` +
      "Chromium: call the CLI in-process (runCli in test/cli.ts), or name the file *.slow.test.ts",
  );

if (process.env.NODE_TEST_CONTEXT !== undefined) {
  const cp = childProcess as unknown as Record<string, unknown>;
  for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"]) {
    cp[name] = (file: unknown) => {
      throw why(`starts a process (${name} ${String(file)})`);
    };
  }
  net.Server.prototype.listen = function listen(): never {
    throw why("listens on a port");
  };
  syncBuiltinESMExports();
}
