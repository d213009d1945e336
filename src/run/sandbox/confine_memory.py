"""A memory cap on a candidate's whole process tree: one memory cgroup per
candidate slot (root only), cgroup v1 or v2.

RLIMIT_AS caps each process's address space, so a candidate that forks k
children may use k times the cap. A process joins its slot's cgroup before it
drops root and runs the candidate; everything it forks stays in that cgroup,
whose limit (swap included, where the kernel accounts it) covers them all
together. Past it, the kernel's OOM killer kills a process of that cgroup
only; `oom_kills()` tells the worker so that it can say why.

Layout: <the worker's own memory cgroup>/evoalloc-<worker pid>-<slot>; v2 falls
back to the hierarchy's root when the worker's cgroup cannot hand the memory
controller down (it holds processes). Stale folders of dead workers are
removed on the way (a cgroup folder is removable only once empty).
"""

import os
import re


def _read(path):
    with open(path) as f:
        return f.read()


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _mounts():
    """(fstype, mount point, super options) of the cgroup mounts, from /proc/self/mountinfo."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, rfields = left.split(), right.split()
            if len(rfields) >= 3 and rfields[0] in ("cgroup", "cgroup2"):
                out.append((rfields[0], fields[4], fields[3], rfields[2].split(",")))
    return out


def _own_paths():
    """The worker's cgroup per hierarchy: {"memory": "/a/b"} for v1, {"": "/a/b"} for v2."""
    out = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            out[c] = path
    return out


def _join(mount_point, mount_root, path):
    rel = path[len(mount_root) :] if mount_root != "/" and path.startswith(mount_root) else path
    return os.path.join(mount_point, rel.lstrip("/"))


class MemoryCgroups:
    """Slot cgroups of one worker. `reason` says why there are none (then `version` is None)."""

    def __init__(self, limit_bytes):
        self.limit = int(limit_bytes)
        self.version = None
        self.parent = None
        self.reason = None
        self.slots = {}
        try:
            self._find()
        except OSError as exc:
            self.reason = f"memory cgroup: {exc}"

    def _find(self):
        if os.geteuid() != 0:
            self.reason = "memory cgroup: needs root"
            return
        own = _own_paths()
        mounts = _mounts()
        for fstype, point, root, opts in mounts:
            if fstype == "cgroup" and "memory" in opts and "memory" in own:
                self.version, self.parent = 1, _join(point, root, own["memory"])
                return
        for fstype, point, root, _ in mounts:
            if fstype != "cgroup2" or "" not in own:
                continue
            if "memory" not in _read(os.path.join(point, "cgroup.controllers")).split():
                continue
            for parent in (_join(point, root, own[""]), point):
                if self._v2_delegates(parent):
                    self.version, self.parent = 2, parent
                    return
            self.reason = "memory cgroup: cgroup v2 cannot hand the memory controller to a new cgroup here (its cgroup holds processes)"
            return
        self.reason = "memory cgroup: no memory controller is mounted (kernel or container without it)"

    @staticmethod
    def _v2_delegates(parent):
        try:
            if "memory" in _read(os.path.join(parent, "cgroup.subtree_control")).split():
                return True
            _write(os.path.join(parent, "cgroup.subtree_control"), "+memory")
            return True
        except OSError:
            return False

    def sweep_stale(self):
        """Removes empty evoalloc-<pid>-<slot> cgroups whose worker is gone."""
        if self.parent is None:
            return
        try:
            names = os.listdir(self.parent)
        except OSError:
            return
        for name in names:
            m = re.fullmatch(r"evoalloc-(\d+)-\d+", name)
            if not m or int(m.group(1)) == os.getpid():
                continue
            try:
                os.kill(int(m.group(1)), 0)
            except ProcessLookupError:
                try:
                    os.rmdir(os.path.join(self.parent, name))
                except OSError:
                    pass
            except PermissionError:
                pass

    def slot(self, key):
        """The cgroup folder of slot `key`, created with its limit on first use; None when unavailable."""
        if self.parent is None:
            return None
        if key in self.slots:
            return self.slots[key]
        path = os.path.join(self.parent, f"evoalloc-{os.getpid()}-{key}")
        try:
            os.makedirs(path, exist_ok=True)
            if self.version == 1:
                _write(os.path.join(path, "memory.limit_in_bytes"), self.limit)
                for name, value in (("memory.memsw.limit_in_bytes", self.limit), ("memory.swappiness", 0)):
                    if os.path.exists(os.path.join(path, name)):
                        try:
                            _write(os.path.join(path, name), value)
                        except OSError:
                            pass  # no swap accounting: the limit holds for RAM
            else:
                _write(os.path.join(path, "memory.max"), self.limit)
                if os.path.exists(os.path.join(path, "memory.swap.max")):
                    _write(os.path.join(path, "memory.swap.max"), 0)
        except OSError as exc:
            self.reason = f"memory cgroup: cannot create {path}: {exc}"
            self.parent = None
            self.version = None
            return None
        self.slots[key] = path
        return path

    def oom_kills(self, path):
        """How many processes the OOM killer has killed in cgroup `path` so far (0 when unknown)."""
        if path is None:
            return 0
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            for line in _read(os.path.join(path, name)).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def close(self):
        """Removes the slot cgroups (the worker's candidates are gone by then)."""
        for path in self.slots.values():
            try:
                os.rmdir(path)
            except OSError:
                pass
        self.slots = {}


def join(path):
    """Moves the calling process into cgroup `path` (before it drops root)."""
    _write(os.path.join(path, "cgroup.procs"), os.getpid())
