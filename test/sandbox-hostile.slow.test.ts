/**
 * Hostile candidates against the real sandbox (python3, the cp task's
 * evaluator): each scores 0 with an error text, candidates evaluated at the
 * same time are unaffected, nothing outside a candidate's temporary folder
 * changes, no process is left behind, and the pool works afterwards.
 * Slow-ish (~15 s): small time limits keep it short.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createEvaluator, type SandboxEvaluator } from "../src/run/sandbox/sandbox.ts";
import { loadTask } from "../src/run/tasks.ts";

const task = loadTask("cp");
const VALID = 0.9575727076748453 / 2.635;
const guard = mkdtempSync(join(tmpdir(), "evoalloc-guard-"));
const marker = `evoalloc-hostile-${process.pid}`;
let server: Server;
let port = 0;
let connections = 0;
let ev: SandboxEvaluator;

/** Every file under `dir` with its content hash: what must not change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    out[p] = e.isFile() ? createHash("sha256").update(readFileSync(p)).digest("hex") : "dir";
  }
  return out;
}

/** Live (non-zombie) processes under the uids that worker `pids` give their candidates (1.5e9 + 3 pid + 0..2). */
function candidateProcesses(pids: number[]): number {
  const uids = new Set(pids.flatMap((p) => [0, 1, 2].map((k) => 1_500_000_000 + 3 * p + k)));
  const rows = execFileSync("ps", ["-eo", "uid=,stat="], { encoding: "utf8" }).split("\n");
  return rows.filter((row) => {
    const [uid, stat] = row.trim().split(/\s+/);
    return uids.has(Number(uid)) && !stat?.startsWith("Z");
  }).length;
}

before(async () => {
  mkdirSync(join(guard, "sub"));
  writeFileSync(join(guard, "keep.txt"), "precious\n");
  writeFileSync(join(guard, "sub", "data.bin"), Buffer.alloc(1000, 7));
  server = createServer((s) => {
    connections += 1;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
  ev = await createEvaluator(task, { parallel: 3, timeoutS: 3, maxOutputBytes: 1 << 20 });
});

after(async () => {
  await ev?.close();
  server?.close();
  rmSync(guard, { recursive: true, force: true });
});

/** Cases that need a protection only root can set up (network/mount namespaces, own uid). */
const NEEDS: Record<string, string> = {
  "fork-bombs": "rlimit_nproc",
  "writes outside its folder": "readonly_fs",
  "deletes outside its folder": "readonly_fs",
  "creates files in /tmp, /var/tmp and /dev/shm": "readonly_fs",
  "opens a socket to the host": "netns",
  "resolves a host name": "netns",
  "kills its parent": "own_uid",
  "leaves a daemon in a new session": "own_uid",
};

const hostile: Record<string, { code: string; error: RegExp; status?: string }> = {
  "loops forever": { code: "while True:\n    pass", error: /timed out after 3 s/, status: "timeout" },
  "allocates 50 GB": { code: "x = bytearray(50 * 10**9)", error: /MemoryError/ },
  "allocates 50 GB with numpy": {
    code: "import numpy as np\nx = np.ones(50 * 10**9 // 8)",
    error: /MemoryError|Unable to allocate/,
  },
  "fork-bombs": {
    code: "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
    error: /timed out/,
    status: "timeout",
  },
  "prints gigabytes": {
    code: "import sys\nwhile True:\n    sys.stdout.write('x' * 1000000)",
    error: /output limit exceeded/,
  },
  "prints gigabytes to stderr, ignoring errors": {
    code: "import os\nwhile True:\n    try:\n        os.write(2, b'y' * 1000000)\n    except OSError:\n        break",
    error: /output limit exceeded/,
  },
  "calls sys.exit": { code: "import sys\nsys.exit(0)", error: /sys\.exit\(0\)/ },
  "calls os._exit": {
    code: "import os\nos._exit(0)",
    error: /exited with status 0 before returning a result/,
  },
  "segfaults through ctypes": { code: "import ctypes\nctypes.string_at(0)", error: /SIGSEGV/ },
  "deletes files in its working folder": {
    code: "import os, shutil\nfor f in os.listdir('.'):\n    os.remove(f)\nshutil.rmtree('..', ignore_errors=True)\nraise SystemExit('deleted')",
    error: /deleted/,
  },
  "writes outside its folder": {
    code: `open(${JSON.stringify(join(guard, "keep.txt"))}, "w").write("pwned")`,
    error: /Read-only file system|Permission denied|No such file/,
  },
  "deletes outside its folder": {
    code: `import shutil\nshutil.rmtree(${JSON.stringify(guard)})`,
    error: /Read-only file system|Permission denied|No such file/,
  },
  "creates files in /tmp, /var/tmp and /dev/shm": {
    code: `for d in ("/tmp", "/var/tmp", "/dev/shm", "/"):\n    try:\n        open(d + "/${marker}", "w").write("x")\n    except OSError as e:\n        print(e)\nraise RuntimeError("created what it could")`,
    error: /created what it could/,
  },
  "opens a socket to the host": {
    code: `import socket\nsocket.create_connection(("127.0.0.1", ${"PORT"}), timeout=2)`,
    error: /unreachable|refused|Errno/i,
  },
  "resolves a host name": {
    code: "import socket\nsocket.getaddrinfo('example.com', 80)",
    error: /gaierror|Errno|resolution/i,
  },
  "kills its parent": {
    code: "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    error: /PermissionError|Operation not permitted/,
  },
  "leaves a daemon in a new session": {
    code: "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(1000)\n    os._exit(0)\nraise RuntimeError('left a daemon')",
    error: /left a daemon/,
  },
  "closes its result pipe and hangs on": {
    code: "import os, time\nos.close(3)\ntime.sleep(30)",
    error: /closed the result pipe/,
  },
  "reads stdin": {
    code: "import sys\nx = sys.stdin.read()\nraise RuntimeError(f'stdin gave {len(x)} bytes')",
    error: /stdin gave 0 bytes/,
  },
};

describe("hostile candidates", () => {
  it("each scores 0 with an error text while valid candidates alongside score normally", async (t) => {
    const before = snapshot(guard);
    const entries = Object.entries(hostile).filter(([name]) => {
      const need = NEEDS[name];
      if (need && !ev.isolationApplied.includes(need)) {
        t.diagnostic(`skipped "${name}": the OS did not allow ${need} here (see README, Isolation)`);
        return false;
      }
      return true;
    });
    const results = await Promise.all([
      ...entries.map(([, h]) => ev.evaluate(h.code.replace("PORT", String(port)))),
      ...Array.from({ length: 6 }, () => ev.evaluate(task.initialProgram)),
    ]);
    entries.forEach(([name, h], i) => {
      const r = results[i]!;
      assert.equal(r.fitness, 0, name);
      assert.equal(r.status, h.status ?? "error", `${name}: ${r.error}`);
      assert.match(r.error ?? "", h.error, name);
    });
    for (const r of results.slice(entries.length)) {
      assert.equal(r.status, "ok", r.error ?? "");
      assert.equal(r.fitness, VALID);
    }
    assert.deepEqual(snapshot(guard), before, "a file outside the candidates' folders changed");
    for (const d of ["/tmp", "/var/tmp", "/dev/shm", "/"])
      assert.ok(!existsSync(join(d, marker)), `${d}/${marker} exists`);
    if (ev.isolationApplied.includes("netns"))
      assert.equal(connections, 0, "a candidate reached the host's loopback");
  });

  it("still evaluates afterwards, on the same workers", async () => {
    const pids = ev.workerPids();
    const r = await ev.evaluate(task.initialProgram);
    assert.equal(r.fitness, VALID);
    assert.deepEqual(ev.workerPids(), pids);
  });

  it("leaves no process behind once closed", async () => {
    const pids = ev.workerPids();
    assert.equal(pids.length, 3);
    await ev.close();
    assert.equal(candidateProcesses(pids), 0, "candidate processes were left running");
  });
});
