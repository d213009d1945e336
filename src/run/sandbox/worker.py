#!/usr/bin/env python3
"""evoalloc sandbox worker: evaluates untrusted candidate programs for one task.

Started by src/run/sandbox/sandbox.ts with one argument, a JSON config:
  {"evaluator": path, "memory_bytes": int, "max_output_bytes": int, "nproc": int,
   "preload": [module names], "once": bool, "isolate": bool,
   "env_names": [the variables a candidate keeps, beside HOME and TMPDIR]}

It imports the preloaded modules (numpy, scipy ...) and the task's evaluator
once, then answers requests read as JSON lines on stdin:
  {"op": "eval", "id": n, "code": "...", "timeout_s": x}   one at a time
  {"op": "cancel", "id": n}                                  while n runs
with JSON lines on stdout ({"op": "ready", ...} first, then one
{"op": "result", "id": n, ...} per eval). With "once" it exits after one eval
(the fresh-interpreter mode).

When it runs as root, the worker first moves itself into a new network
namespace (no interface but a down loopback: no network) and a new mount
namespace (confine_view.py) showing only the system's folders, the Python
installation and the task's folder, all read-only, plus a private /tmp
(holding the candidates' folders) and a private /dev/shm; candidates inherit
both. Each candidate then runs in a forked child (forked and confined ahead,
while the previous candidate runs):
  own session and process group (killed whole on the wall-clock limit),
  own folder as cwd and HOME, stdin /dev/null, stdout/stderr to files capped
  by RLIMIT_FSIZE, RLIMIT_AS memory cap per process, RLIMIT_CORE 0,
  RLIMIT_CPU backstop, a seccomp filter refusing unix sockets
  (confine_seccomp.py, any user), and as root a memory cgroup per slot capping
  the whole process tree (confine_memory.py) and a uid of its own (no
  capabilities; RLIMIT_NPROC then bounds fork bombs, and every process left
  with that uid is killed afterwards). Its environment is the worker's, which
  Node gives an allow-list only (no credentials).
The result travels back on a pipe as JSON; the candidate's stdout is never
parsed. The candidate shares its process with the evaluator (the OpenEvolve
convention), so the sandbox protects the machine and the other candidates,
not the integrity of the score against a program written to cheat.
"""

import ctypes
import errno
import fcntl
import gc
import json
import math
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback

# The confinement pieces live next to this script; imported before the script's
# folder leaves sys.path (a candidate sees no more of the project than its task).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import confine_memory  # noqa: E402
from confine_seccomp import UnixSocketFilter  # noqa: E402
from confine_view import isolate_view, libc_call  # noqa: E402

sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_KEEPCAPS = 8
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
CAP_DAC_READ_SEARCH = 2
TMPFS_SIZE = "256m"
# Per-candidate uids: far above any account, three per worker process (3 * pid + 0/1/2),
# so concurrent workers (even of several evoalloc runs) never share one.
UID_BASE = 1_500_000_000
RESULT_CAP = 16 << 20
TAIL_BYTES = 2000

_libc = ctypes.CDLL(None, use_errno=True)
_stdin_buf = b""
_stdin_eof = False


def send(msg):
    data = (json.dumps(msg, allow_nan=False) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


def read_commands(block):
    """Reads whatever is available on stdin; returns the complete JSON lines."""
    global _stdin_buf, _stdin_eof
    if block:
        select.select([0], [], [])
    chunk = os.read(0, 1 << 20)
    if not chunk:
        _stdin_eof = True
    _stdin_buf += chunk
    *lines, _stdin_buf = _stdin_buf.split(b"\n")
    return [json.loads(line) for line in lines if line.strip()]


def capset(caps):
    """Sets permitted, effective and inheritable capabilities to `caps` (a list of numbers)."""
    mask = 0
    for cap in caps:
        mask |= 1 << cap

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    for i in range(2):
        word = (mask >> (32 * i)) & 0xFFFFFFFF
        data[i].effective = data[i].permitted = data[i].inheritable = word
    libc_call("capset", ctypes.byref(header), data)
    for cap in caps:  # ambient: kept across exec (a candidate's subprocess can still read the stdlib)
        _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0)


def isolate_worker(applied, keep):
    """Once per worker (root only): a network namespace with no network, and a
    mount namespace showing the candidates only what they need, read-only
    (confine_view.py). Candidates forked later inherit both, so a candidate
    costs no namespace set-up. Returns the scratch folder (a private tmpfs),
    or None when the OS does not allow a mount namespace."""
    if os.geteuid() != 0:
        return None
    try:
        libc_call("unshare", CLONE_NEWNET)
        applied.append("netns")
    except OSError:
        pass
    return isolate_view(applied, keep, TMPFS_SIZE)


def drop_privileges(uid, read_cap, applied):
    """Switches to the candidate's own uid (root only), keeping at most CAP_DAC_READ_SEARCH."""
    if uid is None:
        return
    os.setgroups([])
    os.setgid(uid)
    if read_cap:
        _libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)
    os.setuid(uid)
    if read_cap:
        capset([CAP_DAC_READ_SEARCH])
        applied.append("read_anywhere")
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    applied.append("own_uid")


class Jail:
    """What confines every candidate of one worker, decided once at start-up."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.scratch = None  # the private tmpfs holding the candidates' folders (root), else None
        self.read_cap = False  # keep CAP_DAC_READ_SEARCH (the Python installation is root-only)
        self.unix_filter = None  # a confine_seccomp.UnixSocketFilter, where the kernel takes it
        self.memory = None  # a confine_memory.MemoryCgroups, where the OS allows one per slot

    def cgroup(self, uid):
        return self.memory.slot(uid) if self.memory is not None else None


def confine(jail, work, uid, cgroup, applied, notes=None):
    """Everything but the rlimits, in order; the caller is the forked child.
    With `notes` (the probe), an optional protection that fails is noted there
    instead of raising."""

    def optional(name, step):
        try:
            step()
            applied.append(name)
        except OSError as exc:
            if notes is None:
                raise
            notes.append(f"{name}: {exc}")

    if cgroup is not None:  # while still root: its children stay in it
        optional("memory_cgroup", lambda: confine_memory.join(cgroup))
    drop_privileges(uid, jail.read_cap, applied)
    os.chdir(work)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    if jail.unix_filter is not None:
        optional("no_unix_sockets", jail.unix_filter.install)


def set_limits(cfg, timeout_s, own_uid):
    mem = int(cfg["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    out = int(cfg["max_output_bytes"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (out, out))
    cpu = int(math.ceil(timeout_s)) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    if own_uid:
        n = int(cfg["nproc"])
        resource.setrlimit(resource.RLIMIT_NPROC, (n, n))


def plain(value, depth=0):
    """JSON-safe copy: numpy scalars/arrays to Python, non-finite floats to strings."""
    if depth > 20:
        return repr(value)[:200]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value[:10000]]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # numpy
        return plain(value.tolist(), depth + 1)
    if hasattr(value, "item"):
        try:
            return plain(value.item(), depth + 1)
        except Exception:
            pass
    return repr(value)[:1000]


def processes_of(uid):
    """Live (non-zombie) processes whose uid is `uid`, from /proc."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            with open(f"/proc/{name}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if state != "Z":
            found.append(int(name))
    return found


def sweep_uid(uid):
    """Kills every process left with `uid` (escaped fork-bomb children, daemons)."""
    for attempt in range(200):
        if not processes_of(uid):
            return
        pid = os.fork()
        if pid == 0:
            try:
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)  # every process of this uid at once (not this one)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.001 * min(attempt, 20))


def tail(path):
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            f.seek(max(0, size - TAIL_BYTES))
            return size, f.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""


def describe_status(status):
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        hint = {
            "SIGSEGV": " (segmentation fault)",
            "SIGBUS": " (bus error)",
            "SIGXCPU": " (CPU time limit)",
            "SIGXFSZ": " (file size limit)",
            "SIGKILL": " (possibly out of memory)",
        }.get(name, "")
        return f"the candidate process was killed by {name}{hint}"
    return f"the candidate process exited with status {os.WEXITSTATUS(status)} before returning a result"


def read_all(fd):
    data = bytearray()
    while chunk := os.read(fd, 1 << 16):
        data += chunk
    return bytes(data)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def spare_main(jail, evaluate, work, uid, cgroup, out_fd, err_fd, cmd_fd, result_fd):
    """In a forked child: confine itself, wait for its candidate, evaluate it, write the result. Never returns."""
    os.setsid()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    result_fd = fcntl.fcntl(result_fd, fcntl.F_DUPFD, 10)
    cmd_fd = fcntl.fcntl(cmd_fd, fcntl.F_DUPFD, 10)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    os.dup2(result_fd, 3)
    os.dup2(cmd_fd, 4)
    os.closerange(5, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    confine(jail, work, uid, cgroup, [])
    request = read_all(4)
    os.close(4)
    if not request:  # the worker stopped before handing over a candidate
        os._exit(0)
    req = json.loads(request)
    program = os.path.join(work, "program.py")
    with open(program, "w", encoding="utf-8") as f:
        f.write(req["code"])
    allowed = set(jail.cfg.get("env_names", os.environ))
    for name in [n for n in os.environ if n not in allowed]:
        del os.environ[name]
    os.environ["HOME"] = work
    os.environ["TMPDIR"] = work
    tempfile.tempdir = None
    set_limits(jail.cfg, float(req["timeout_s"]), uid is not None)
    me = os.getpid()
    try:
        result = {"metrics": as_metrics(evaluate(program))}
    except BaseException as exc:  # SystemExit, KeyboardInterrupt, MemoryError ... escape evaluators
        detail = str(exc)
        if isinstance(exc, SystemExit):
            detail = f"the candidate called sys.exit({exc.code!r})"
        result = {"exception": f"{type(exc).__name__}: {detail}", "traceback": traceback.format_exc(limit=-5)}
    if os.getpid() != me:  # a process the candidate forked returned here: it reports nothing
        os._exit(0)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    try:
        data = (json.dumps(plain(result), allow_nan=False) + "\n").encode()
    except BaseException as exc:
        data = (json.dumps({"exception": f"result not serialisable: {exc!r}"[:1000]}) + "\n").encode()
    write_all(3, data)
    os._exit(0)


class Child:
    """A forked, confined child: first a spare waiting for a candidate, then the candidate's process."""

    def __init__(self, jail, evaluate, uid):
        self.uid = uid
        self.private_shm = jail.scratch is not None
        self.memory = jail.memory
        self.cgroup = jail.cgroup(uid)
        self.oom_before = 0
        self.base = tempfile.mkdtemp(prefix="evoalloc-eval-", dir=jail.scratch)
        os.chmod(self.base, 0o711)
        work = os.path.join(self.base, "work")
        os.mkdir(work, 0o700)
        if uid is not None:
            os.chown(work, uid, uid)
        self.out_path = os.path.join(self.base, "stdout")
        self.err_path = os.path.join(self.base, "stderr")
        out_fd = os.open(self.out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err_fd = os.open(self.err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        cmd_r, self.cmd_w = os.pipe()
        self.result_r, result_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                spare_main(jail, evaluate, work, uid, self.cgroup, out_fd, err_fd, cmd_r, result_w)
            except BaseException:
                try:
                    os.write(2, traceback.format_exc().encode())
                except BaseException:
                    pass
            os._exit(70)
        for fd in (cmd_r, result_w, out_fd, err_fd):
            os.close(fd)
        self.pidfd = os.pidfd_open(self.pid)
        self.status = None  # wait status once reaped
        self.buf = bytearray()
        self.result_open = True

    def hand_over(self, req):
        """Gives the spare its candidate; False when the spare died meanwhile."""
        if self.cgroup is not None:
            self.oom_before = self.memory.oom_kills(self.cgroup)
        try:
            write_all(self.cmd_w, (json.dumps(req) + "\n").encode())
            return True
        except BrokenPipeError:
            return False
        finally:
            os.close(self.cmd_w)
            self.cmd_w = None

    def read_result(self):
        """Reads what the result pipe holds; True once a whole line (or EOF) arrived."""
        try:
            chunk = os.read(self.result_r, 1 << 16)
        except BlockingIOError:
            return False
        if not chunk:
            self.result_open = False
            return True
        if len(self.buf) < RESULT_CAP:
            self.buf += chunk
        return self.buf.endswith(b"\n")

    def drain(self):
        os.set_blocking(self.result_r, False)
        while self.result_open and len(self.buf) < RESULT_CAP:
            try:
                chunk = os.read(self.result_r, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            self.buf += chunk

    def reap(self, block):
        if self.status is None:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def out_of_memory(self):
        """Whether the kernel killed a process of this candidate for passing its cgroup's memory limit."""
        return self.cgroup is not None and self.memory.oom_kills(self.cgroup) > self.oom_before

    def kill(self):
        for kill in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: os.kill(self.pid, signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass

    def dispose(self):
        """After it exited: free its pipes and files (the worker kills what it left behind)."""
        for fd in (self.cmd_w, self.result_r, self.pidfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.cmd_w = self.result_r = self.pidfd = None
        shutil.rmtree(self.base, ignore_errors=True)
        if self.private_shm:  # this worker's own /dev/shm: nothing passes to the next candidate
            for name in os.listdir("/dev/shm"):
                path = os.path.join("/dev/shm", name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass


def response(cfg, child, req, t0, outcome):
    """The answer for one candidate; `outcome` is "done", "closed" (no result, still running), "timeout" or "cancelled"."""
    out_size, out_tail = tail(child.out_path)
    err_size, err_tail = tail(child.err_path)
    timeout_s = float(req["timeout_s"])
    resp = {
        "op": "result",
        "id": req["id"],
        "status": "error",
        "metrics": None,
        "error": None,
        "duration_s": time.monotonic() - t0,
        "stdout_bytes": out_size,
        "stderr_bytes": err_size,
        "stderr_tail": err_tail[-TAIL_BYTES:],
        "stdout_tail": out_tail[-TAIL_BYTES:],
    }
    result = None
    if child.buf.endswith(b"\n"):
        try:
            result = json.loads(child.buf)
        except ValueError:
            result = None
    limit = int(cfg["max_output_bytes"])
    if outcome == "cancelled":
        resp["error"] = "cancelled"
    elif outcome == "closed":
        resp["error"] = "the candidate closed the result pipe and kept running; it was killed"
    elif outcome == "timeout":
        resp["status"] = "timeout"
        resp["error"] = f"timed out after {timeout_s:g} s (wall clock); its process group was killed"
    elif result is None:
        child.reap(block=True)
        resp["error"] = describe_status(child.status)
        if child.out_of_memory():
            resp["error"] = (
                f"out of memory: the candidate's processes together passed the memory limit "
                f"({int(cfg['memory_bytes'])} bytes, memory cgroup); the kernel killed one ({resp['error']})"
            )
    elif "exception" in result:
        resp["error"] = result["exception"] + "\n" + result.get("traceback", "")
    elif out_size >= limit or err_size >= limit:
        resp["error"] = f"output limit exceeded: the candidate wrote {limit} bytes or more to stdout or stderr"
        resp["metrics"] = result.get("metrics")
    else:
        resp["status"] = "ok"
        resp["metrics"] = result.get("metrics")
    return resp


class Worker:
    """The event loop: one candidate at a time, the next one's child forked ahead.

    Three uids rotate (when the worker runs as root): the spare never shares a
    uid with the candidate running or with one being cleaned up, so that
    clean-up (kill every process of that uid) cannot touch it, and the next
    spare can be forked while a candidate runs.
    """

    def __init__(self, jail, evaluate, uids):
        self.jail, self.cfg, self.evaluate, self.uids = jail, jail.cfg, evaluate, uids
        self.spare = None
        self.running = None  # (child, req, t0)
        self.retiring = []
        self.served = 0

    def free_uid(self):
        busy = {c.uid for c in self.retiring}
        if self.running:
            busy.add(self.running[0].uid)
        if self.spare:
            busy.add(self.spare.uid)
        for uid in self.uids:
            if uid is None or uid not in busy:
                return uid, True
        return None, False

    def ensure_spare(self, block):
        if self.spare is not None or (self.cfg.get("once") and self.served):
            return
        uid, ok = self.free_uid()
        if not ok and block:
            for child in self.retiring:
                child.reap(block=True)
            self.clean_retiring()
            uid, ok = self.free_uid()
        if ok:
            self.spare = Child(self.jail, self.evaluate, uid)

    def orphans(self):
        """Live processes reparented to this worker (a child subreaper) that are not
        its spare or candidates: what candidates left behind, by pid -> uid. Reaps
        the zombies among them. None when /proc cannot tell."""
        known = {c.pid for c in self.retiring}
        if self.spare:
            known.add(self.spare.pid)
        if self.running:
            known.add(self.running[0].pid)
        me = os.getpid()
        try:
            with open(f"/proc/{me}/task/{me}/children") as f:
                pids = [int(tok) for tok in f.read().split()]
        except OSError:
            return None
        live = {}
        for pid in pids:
            if pid in known:
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                uid = os.stat(f"/proc/{pid}").st_uid
            except (OSError, IndexError):
                continue
            if state == "Z":
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            else:
                live[pid] = uid
        return live

    def clean_retiring(self):
        for child in [c for c in self.retiring if c.reap(block=False)]:
            self.retiring.remove(child)
            child.dispose()
            left = self.orphans()
            if child.uid is not None:
                # Processes that left the process group (daemons, fork bombs) are reparented here.
                if left is None or child.uid in left.values():
                    sweep_uid(child.uid)
                    self.orphans()
            elif left and self.running is None:
                for pid in left:  # no uid of its own: kill the leftovers one by one
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass

    def start(self, req):
        if self.running:
            send({"op": "result", "id": req["id"], "status": "error", "metrics": None, "error": "worker busy"})
            return
        t0 = time.monotonic()
        for _ in range(2):
            self.ensure_spare(block=True)
            child, self.spare = self.spare, None
            if child.hand_over(req):
                self.running = (child, req, t0)
                return
            child.kill()
            self.retiring.append(child)
        child.reap(block=True)
        send(
            {
                "op": "result",
                "id": req["id"],
                "status": "error",
                "metrics": None,
                "error": f"the sandbox could not start a child: {describe_status(child.status)}: {tail(child.err_path)[1]}",
                "duration_s": time.monotonic() - t0,
            }
        )

    def finish(self, outcome):
        child, req, t0 = self.running
        self.running = None
        if outcome == "done":
            child.drain()
            if not child.buf.endswith(b"\n"):  # no result: let its exit status arrive before killing
                select.select([child.pidfd], [], [], 1.0)
                if not child.reap(block=False):
                    outcome = "closed"
        child.kill()
        send(response(self.cfg, child, req, t0, outcome))
        self.served += 1
        self.retiring.append(child)

    def watched(self):
        watch = [c.pidfd for c in self.retiring if c.status is None]
        timeout = None
        if self.running:
            child, req, t0 = self.running
            watch += [child.pidfd] + ([child.result_r] if child.result_open else [])
            timeout = max(0.0, t0 + float(req["timeout_s"]) - time.monotonic())
        if not _stdin_eof:
            watch.append(0)
        return watch, timeout

    def loop(self):
        while True:
            if self.cfg.get("once") and self.served:
                break
            if _stdin_eof and self.running is None:
                break
            # Serve what is ready first; clean up and fork the next spare only when idle.
            watch, timeout = self.watched()
            ready, _, _ = select.select(watch, [], [], 0)
            urgent = [0]
            if self.running:
                urgent += [self.running[0].pidfd, self.running[0].result_r]
            if not any(fd in ready for fd in urgent):
                self.clean_retiring()
                self.ensure_spare(block=False)
                watch, timeout = self.watched()
                ready, _, _ = select.select(watch, [], [], timeout)
            if self.running:
                child, req, t0 = self.running
                if child.result_r in ready and child.read_result():
                    self.finish("done")
                elif child.pidfd in ready:
                    child.reap(block=True)
                    self.finish("done")
                elif time.monotonic() >= t0 + float(req["timeout_s"]):
                    self.finish("timeout")
            if 0 in ready:
                for cmd in read_commands(block=False):
                    if cmd.get("op") == "eval":
                        self.start(cmd)
                    elif cmd.get("op") == "cancel" and self.running and self.running[1]["id"] == cmd.get("id"):
                        self.finish("cancelled")
                if _stdin_eof and self.running:
                    self.finish("cancelled")

    def shutdown(self):
        """Kills the spare and anything running, then cleans up after them."""
        if self.running is not None:
            self.retiring.append(self.running[0])
            self.running = None
        if self.spare is not None:
            self.retiring.append(self.spare)
            self.spare = None
        for child in self.retiring:
            child.kill()
            child.reap(block=True)
        self.clean_retiring()


def probe(jail, uid, must_read):
    """Which protections apply here (and why the optional ones do not), and
    whether the confined candidate can read `must_read` (the Python library,
    numpy, the evaluator's folder): runs the confinement in a throwaway child."""
    base = tempfile.mkdtemp(prefix="evoalloc-probe-", dir=jail.scratch)
    os.chmod(base, 0o711)  # as a candidate's: its uid traverses it to its own folder
    work = os.path.join(base, "work")
    os.mkdir(work, 0o700)
    if uid is not None:
        os.chown(work, uid, uid)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            applied, notes = [], []
            confine(jail, work, uid, jail.cgroup(uid), applied, notes)
            if "no_unix_sockets" in applied:
                import socket

                try:
                    socket.socket(socket.AF_UNIX).close()
                    applied.remove("no_unix_sockets")
                    notes.append("no_unix_sockets: the seccomp filter was installed but did not refuse AF_UNIX")
                except PermissionError:
                    pass
            readable = True
            for path in must_read:
                try:
                    os.listdir(path)
                except OSError as exc:
                    readable = False
                    notes.append(f"read_anywhere: the candidate's uid cannot read {path} ({exc.strerror})")
            try:
                set_limits(jail.cfg, 1.0, uid is not None)
                applied += ["rlimit_as", "rlimit_fsize", "rlimit_core", "rlimit_cpu"]
                if uid is not None:
                    applied.append("rlimit_nproc")
            except (OSError, ValueError):
                pass
            os.write(w, json.dumps({"applied": applied, "notes": notes, "readable": readable}).encode())
        except BaseException as exc:
            os.write(w, json.dumps({"applied": [], "notes": [f"the probe failed: {exc!r}"], "readable": False}).encode())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    if uid is not None:
        sweep_uid(uid)
    shutil.rmtree(base, ignore_errors=True)
    try:
        return json.loads(data)
    except ValueError:
        return {"applied": [], "notes": ["the probe child failed"], "readable": False}


def as_metrics(value):
    """An evaluator's answer as a dict: a dict as it is, or the `metrics` dict of
    a result object (OpenEvolve's EvaluationResult; its artifacts are dropped)."""
    if not isinstance(value, dict) and isinstance(getattr(value, "metrics", None), dict):
        return value.metrics
    return value


def provide_openevolve_standin():
    """Evaluators written for OpenEvolve import `openevolve.evaluation_result`;
    where that package is not installed, evoalloc's own stand-in (src/run/sandbox/python)
    goes at the end of the import path, so an installed one always wins."""
    import importlib.util

    try:
        if importlib.util.find_spec("openevolve.evaluation_result") is not None:
            return
    except (ImportError, ValueError):
        pass
    standin = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python")
    if standin not in sys.path:
        sys.path.append(standin)


def load_evaluator(path):
    import importlib.util

    provide_openevolve_standin()
    directory = os.path.dirname(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location("evoalloc_task_evaluator", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    if not callable(getattr(module, "evaluate", None)):
        raise AttributeError(f"{path} defines no evaluate(program_path)")
    return module.evaluate


def main():
    cfg = json.loads(sys.argv[1])
    # Dies with its parent, cleaning up first (SystemExit runs the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # candidates' orphans come back here
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the Node parent decides when to stop
    preloaded = []
    for name in cfg.get("preload", []):
        try:
            __import__(name)
            preloaded.append(name)
        except Exception:
            pass
    try:
        evaluate = load_evaluator(cfg["evaluator"])
    except BaseException as exc:
        send({"op": "fatal", "error": f"cannot load the evaluator {cfg['evaluator']}: {type(exc).__name__}: {exc}"})
        return 1
    isolate = cfg.get("isolate", True)
    uid = UID_BASE + 3 * os.getpid() if os.geteuid() == 0 and isolate else None
    jail = Jail(cfg)
    applied, notes = [], []
    if isolate:
        task_dir = os.path.dirname(os.path.abspath(cfg["evaluator"]))
        jail.scratch = isolate_worker(applied, [task_dir])
        if "host_hidden" not in applied:
            notes.append("host_hidden: host folders stay visible (needs root and a mount namespace)")
        jail.unix_filter = UnixSocketFilter()
        if jail.unix_filter.reason:
            notes.append(f"no_unix_sockets: {jail.unix_filter.reason}")
            jail.unix_filter = None
        jail.memory = memory = confine_memory.MemoryCgroups(cfg["memory_bytes"])
        memory.sweep_stale()
        if uid is None or any(memory.slot(u) is None for u in (uid, uid + 1, uid + 2)):
            notes.append(memory.reason or "memory cgroup: needs a uid of its own per candidate (root)")
            memory.close()
            jail.memory = None
        must_read = [os.path.dirname(os.__file__), task_dir]
        must_read += [os.path.dirname(m.__file__) for m in map(sys.modules.get, preloaded) if getattr(m, "__file__", None)]
        found = probe(jail, uid, must_read)
        if uid is not None and not found["readable"]:
            # The interpreter lives where only root may read: keep read access only.
            notes += [n for n in found["notes"] if n.startswith("read_anywhere")]
            jail.read_cap = True
            found = probe(jail, uid, must_read)
        applied += found["applied"]
        notes += found["notes"]
        if "no_unix_sockets" not in applied:
            jail.unix_filter = None
        if "memory_cgroup" not in applied and jail.memory is not None:
            jail.memory.close()
            jail.memory = None
    if uid is not None and "own_uid" not in applied:
        uid = None
        if jail.memory is not None:
            jail.memory.close()
            jail.memory = None
    uids = [uid, uid + 1, uid + 2] if uid is not None else [None]
    # Children share the worker's pages copy-on-write; keep the collector from touching (copying) them all.
    gc.collect()
    gc.freeze()
    worker = Worker(jail, evaluate, uids)
    try:
        worker.ensure_spare(block=True)
        send({"op": "ready", "pid": os.getpid(), "isolation": applied, "notes": notes, "preloaded": preloaded})
        worker.loop()
    finally:
        worker.shutdown()
        if jail.memory is not None:
            jail.memory.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            sys.exit(0)
        raise
