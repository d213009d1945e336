/**
 * Hostile candidates against the host, in both isolation modes (real sandbox,
 * real python3): a world-writable unix socket at a host path, the host's
 * folders, credentials in the parent's environment and /etc/shadow, and
 * memory spread over several processes. Each case skips, saying why, only
 * where the kernel or the user lacks what the protection needs.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createEvaluator, type Isolation, type SandboxEvaluator } from "../src/run/sandbox/sandbox.ts";
import { packageRoot } from "../src/run/tasks.ts";

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-host-"));
const guard = join(tmp, "guard");
const taskDir = join(tmp, "task");
const socketPath = join(tmp, "x.sock");
const abstractName = `\0evoalloc-host-${process.pid}`;
const SECRETS = {
  DATABASE_URL: "postgres://evo:hunter2-db-9f3c@db.internal/prod",
  DB_PASS: "hunter2-pass-9f3c",
  GITHUB_PAT: "ghp_9f3cEvoallocHostileTestToken",
};
const MiB = 1024 ** 2;
let connections = 0;
const servers: Server[] = [];
const isRoot = process.getuid?.() === 0;

/** Why this machine cannot give a candidate a seccomp filter, or null. */
function seccompMissing(): string | null {
  if (!["x64", "arm64"].includes(process.arch)) return `no seccomp filter for ${process.arch} in the worker`;
  const status = readFileSync("/proc/self/status", "utf8");
  return /^Seccomp:/m.test(status)
    ? null
    : "the kernel has no seccomp (no Seccomp: line in /proc/self/status)";
}

/** Why this machine has no memory cgroup to give a candidate, or null. */
function memoryCgroupMissing(): string | null {
  if (!isRoot) return "memory cgroups need root";
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n");
  const v1 = mounts.some((l) => / - cgroup \S+ \S*\bmemory\b/.test(l));
  const v2 = mounts
    .filter((l) => / - cgroup2 /.test(l))
    .some((l) => {
      try {
        return readFileSync(join(l.split(" ")[4]!, "cgroup.controllers"), "utf8").includes("memory");
      } catch {
        return false;
      }
    });
  return v1 || v2 ? null : "no memory controller is mounted (cgroup v1 or v2)";
}

before(async () => {
  mkdirSync(guard);
  writeFileSync(join(guard, "keep.txt"), "precious\n");
  mkdirSync(taskDir);
  writeFileSync(join(taskDir, "data.txt"), "task data\n");
  writeFileSync(
    join(taskDir, "evaluator.py"),
    "import runpy\n\ndef evaluate(path):\n    return runpy.run_path(path)['result']\n",
  );
  for (const where of [socketPath, abstractName]) {
    const server = createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(where, r));
    servers.push(server);
  }
  chmodSync(socketPath, 0o777);
  Object.assign(process.env, SECRETS);
});

after(() => {
  for (const name of Object.keys(SECRETS)) delete process.env[name];
  for (const s of servers) s.close();
  rmSync(tmp, { recursive: true, force: true });
});

const task = { evaluatorPath: join(taskDir, "evaluator.py"), evalTimeoutS: 30 };

/** Runs `code` (which leaves a dict in `result`) and returns its metrics; fails on an evaluation error. */
async function probe(ev: SandboxEvaluator, code: string): Promise<Record<string, unknown>> {
  const r = await ev.evaluate(`${code}\nresult['combined_score'] = 1.0\n`);
  assert.equal(r.status, "ok", r.error ?? "");
  return r.metrics!;
}

for (const isolation of ["prefork", "fresh"] as Isolation[]) {
  describe(`the host stays out of a candidate's reach (${isolation})`, () => {
    let ev: SandboxEvaluator;
    before(async () => {
      ev = await createEvaluator(task, { isolation, parallel: 1, preload: [], memoryBytes: 256 * MiB });
    });
    after(async () => ev?.close());

    it("cannot connect to a host unix socket, at a path or abstract", async (t) => {
      const missing = seccompMissing();
      if (missing) return t.skip(missing);
      const before = connections;
      const m = await probe(
        ev,
        [
          "import socket",
          "result = {}",
          `for name, where in (('path', ${JSON.stringify(socketPath)}), ('abstract', ${JSON.stringify(abstractName)})):`,
          "    try:",
          "        s = socket.socket(socket.AF_UNIX)",
          "        s.connect(where)",
          "        result[name] = 'connected'",
          "    except OSError as e:",
          "        result[name] = repr(e)",
        ].join("\n"),
      );
      assert.notEqual(m.path, "connected", "reached the host's unix socket by its path");
      assert.notEqual(m.abstract, "connected", "reached the host's abstract unix socket");
      assert.equal(connections, before);
      assert.ok(ev.isolationApplied.includes("no_unix_sockets"), ev.isolationApplied.join(","));
    });

    it("sees no host folder but the system's, Python's and its task's", async (t) => {
      if (!isRoot) return t.skip("hiding host folders needs root (a mount namespace)");
      if (!ev.isolationApplied.includes("readonly_fs"))
        return t.skip("the OS refused a mount namespace (readonly_fs not applied)");
      const m = await probe(
        ev,
        [
          "import os, sys",
          "def ls(p):",
          "    try:",
          "        return sorted(os.listdir(p))",
          "    except OSError as e:",
          "        return repr(e)",
          `home = ${JSON.stringify(homedir())}`,
          "result = {",
          `    'guard': os.path.exists(${JSON.stringify(join(guard, "keep.txt"))}),`,
          `    'project': os.path.exists(${JSON.stringify(join(packageRoot(), "package.json"))}),`,
          "    'home': [n for n in ls(home) if not sys.prefix.startswith(os.path.join(home, n) + '/')],",
          "    'run': ls('/run'), 'var': ls('/var'),",
          `    'task': open(${JSON.stringify(join(taskDir, "data.txt"))}).read(),`,
          "    'prefix': os.path.isdir(sys.prefix),",
          "    'processes': [p for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()],",
          "}",
        ].join("\n"),
      );
      assert.equal(m.guard, false, "a host file under /tmp is visible");
      assert.equal(m.project, false, "the project folder is visible");
      assert.deepEqual(m.run, [], "/run is not empty");
      assert.deepEqual(m.var, [], "/var is not empty");
      assert.deepEqual(m.home, [], `${homedir()} shows more than the way to Python`);
      assert.equal(m.task, "task data\n");
      assert.equal(m.prefix, true);
      assert.deepEqual(m.processes, [], "other processes are visible in /proc");
      assert.ok(ev.isolationApplied.includes("host_hidden"), ev.isolationApplied.join(","));
    });

    it("gets no credential: an allow-listed environment, none in its memory, no /etc/shadow", async () => {
      const m = await probe(
        ev,
        [
          "import ctypes, os",
          // in halves: the whole value must never exist in this program's own memory
          `halves = ${JSON.stringify(Object.values(SECRETS).map((s) => [s.slice(0, 8), s.slice(8)]))}`,
          "found = []",
          "with open('/proc/self/maps') as f:",
          "    regions = [line.split() for line in f]",
          "for parts in regions:  # every readable and writable mapping: heap, stack (environ), data",
          "    if parts[1].startswith('rw'):",
          "        lo, hi = (int(x, 16) for x in parts[0].split('-'))",
          "        chunk = ctypes.string_at(lo, hi - lo)",
          "        for a, b in halves:",
          "            i = chunk.find(a.encode())",
          "            while i >= 0:",
          "                if chunk[i + len(a) : i + len(a) + len(b)] == b.encode():",
          "                    found.append(a + '...')",
          "                i = chunk.find(a.encode(), i + 1)",
          "try:",
          "    shadow = open('/etc/shadow').read()",
          "except OSError as e:",
          "    shadow = repr(e)",
          "result = {'env': dict(os.environ), 'in_memory': sorted(set(found)), 'shadow': shadow}",
        ].join("\n"),
      );
      const env = m.env as Record<string, string>;
      for (const name of Object.keys(SECRETS)) assert.ok(!(name in env), `${name} reached the candidate`);
      const unexpected = Object.keys(env).filter(
        (k) =>
          !/^(PATH|HOME|TMPDIR|LANG|LANGUAGE|LC_\w+|TZ|PYTHON\w+|PYENV_\w+|VIRTUAL_ENV|CONDA_PREFIX|LD_LIBRARY_PATH|\w+_NUM_THREADS|VECLIB_MAXIMUM_THREADS)$/.test(
            k,
          ),
      );
      assert.deepEqual(unexpected, [], "variables outside the allow-list");
      assert.ok(env.HOME !== homedir() && env.HOME?.includes("evoalloc-eval-"), `HOME is ${env.HOME}`);
      assert.deepEqual(m.in_memory, [], "a credential is in the candidate's memory");
      assert.doesNotMatch(String(m.shadow), /^root:/m, "/etc/shadow is readable");
    });

    it("caps the memory of its whole process tree, not of each process", async (t) => {
      const missing = memoryCgroupMissing();
      if (missing) return t.skip(missing);
      const note = ev.isolationNotes?.find((n) => n.startsWith("memory cgroup:"));
      if (note && !ev.isolationApplied.includes("memory_cgroup")) return t.skip(note);
      // Three children, one after another, each touching 150 MiB under a 256 MiB cap:
      // each fits its own RLIMIT_AS, not all three together.
      const m = await probe(
        ev,
        [
          "import os, select, time",
          "r, w = os.pipe()",
          "pids = []",
          "for i in range(3):",
          "    pid = os.fork()",
          "    if pid == 0:",
          "        try:",
          "            held = b'x' * (150 << 20)",
          "            os.write(w, b'1')",
          "            time.sleep(60)",
          "        finally:",
          "            os._exit(0)",
          "    pids.append(pid)",
          "    deadline = time.time() + 20",
          "    while time.time() < deadline:",
          "        if select.select([r], [], [], 0.05)[0]:",
          "            os.read(r, 1)",
          "            break",
          "        if os.waitpid(pid, os.WNOHANG)[0]:",
          "            pids.pop()",
          "            break",
          "time.sleep(0.5)",
          "alive = [p for p in pids if os.waitpid(p, os.WNOHANG)[0] == 0]",
          "for p in alive:",
          "    os.kill(p, 9)",
          "result = {'alive': len(alive)}",
        ].join("\n"),
      );
      assert.ok(
        (m.alive as number) <= 1,
        `${m.alive} children held 150 MiB each at once under a 256 MiB cap`,
      );
      assert.ok(ev.isolationApplied.includes("memory_cgroup"), ev.isolationApplied.join(","));
    });

    it("says 'out of memory' when its tree's cap killed the candidate itself", async (t) => {
      const missing = memoryCgroupMissing();
      if (missing) return t.skip(missing);
      const note = ev.isolationNotes?.find((n) => n.startsWith("memory cgroup:"));
      if (note && !ev.isolationApplied.includes("memory_cgroup")) return t.skip(note);
      // The candidate holds 200 MiB, its child adds 100 MiB (after dropping its copy of the
      // parent's): the kernel kills the largest process of the cgroup, the candidate.
      const r = await ev.evaluate(
        [
          "import os, time",
          "held = b'x' * (200 << 20)",
          "if os.fork() == 0:",
          "    del held",
          "    more = b'y' * (100 << 20)",
          "    time.sleep(60)",
          "    os._exit(0)",
          "time.sleep(60)",
          "result = {'combined_score': 1.0}",
        ].join("\n"),
      );
      assert.equal(r.status, "error");
      assert.match(r.error ?? "", /out of memory: .*memory limit \(268435456 bytes, memory cgroup\)/);
    });
  });
}
