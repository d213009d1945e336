"""What of the host's file system a candidate sees (root only, in the worker's
own mount namespace, set up once per worker; candidates inherit it).

  /usr /lib* /bin /sbin /etc /dev /sys          the host's, read-only
  /proc                                         a new instance with hidepid: a candidate sees its own
                                                process only (no other's command line, no worker)
  /tmp                                          a private tmpfs: the candidates' folders (0711, not listable)
  every other top-level folder                  an empty read-only tmpfs (/root, /home, /var, /run, /opt,
                                                /srv, /mnt, the project's and data folders ...)
  top-level files                               an empty file
  the Python installation, the task's folder,   bound back read-only at their own paths (and at their
  folders of the worker's loaded libraries      real paths, when a symbolic link leads there)
  /etc files and folders others cannot read     an empty file or an empty tmpfs (/etc/shadow, ...)

Nothing of a covered folder stays reachable (its mounts included), so the
host's unix sockets under /tmp, /run and /var are gone from view as well.
"""

import ctypes
import os
import stat

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
CLONE_NEWNS = 0x00020000

SYSTEM_DIRS = frozenset(["usr", "lib", "lib32", "lib64", "libx32", "bin", "sbin", "etc", "dev", "proc", "sys"])
EMPTY_FILE = ".empty"

_libc = ctypes.CDLL(None, use_errno=True)


def libc_call(name, *args):
    if getattr(_libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if isinstance(s, str) else s  # noqa: E731
    libc_call("mount", enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data))


def mount_points():
    """Mount points and their per-mount flags, from /proc/self/mountinfo."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            point = parts[4].encode().decode("unicode_escape")
            opts = parts[5].split(",")
            flags = 0
            for name, bit in (
                ("nosuid", MS_NOSUID),
                ("nodev", MS_NODEV),
                ("noexec", MS_NOEXEC),
                ("noatime", MS_NOATIME),
                ("nodiratime", MS_NODIRATIME),
                ("relatime", MS_RELATIME),
            ):
                if name in opts:
                    flags |= bit
            out.append((point, flags))
    return out


def under(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def minimal(paths):
    """The paths none of whose ancestors is in the set, sorted."""
    out = []
    for p in sorted(set(paths)):
        if not any(under(p, q) for q in out):
            out.append(p)
    return out


def mapped_folders():
    """Folders of the files this process has mapped (its shared libraries)."""
    found = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    found.add(os.path.dirname(parts[5].rstrip("\n").removesuffix(" (deleted)")))
    except OSError:
        pass
    return found


def kept_paths(extra):
    """What must stay visible: the interpreter's prefixes, every import path, the
    folders of loaded libraries and `extra` (the task's folder), each at its
    given and at its real path; those under the system folders need nothing."""
    import sys

    wanted = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    wanted += [p for p in sys.path if p]
    wanted += list(mapped_folders()) + list(extra)
    out = set()
    for p in wanted:
        for q in (os.path.abspath(p), os.path.realpath(p)):
            top = q.strip("/").split("/", 1)[0]
            if top and top not in SYSTEM_DIRS and os.path.exists(q):
                out.add(q)
    return minimal(out)


def make_mount_point(path, like_dir):
    """Creates `path` inside a covering tmpfs, parents 0755 (traversable, owned by root)."""
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    if like_dir:
        os.makedirs(path, mode=0o755, exist_ok=True)
    elif not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o444))


def readonly(point):
    mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def hide_unreadable(root, empty, failed):
    """Covers every file and folder under `root` that others may not read (it
    stays hidden from a candidate holding CAP_DAC_READ_SEARCH too)."""
    for folder, dirs, files in os.walk(root):
        for name in list(dirs) + files:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            try:
                if stat.S_ISDIR(st.st_mode) and (st.st_mode & 0o005) != 0o005:
                    dirs.remove(name)
                    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0755")
                elif stat.S_ISREG(st.st_mode) and not st.st_mode & 0o004:
                    mount(empty, path, None, MS_BIND)
                    readonly(path)
            except OSError:
                failed.append(path)


def isolate_view(applied, keep, scratch_size):
    """Moves the worker into its own mount namespace with the view drawn above.
    Returns the scratch folder (the private /tmp), or None when the OS does not
    allow a mount namespace. Adds to `applied`: tmpfs_workdir, private_shm,
    readonly_fs (or readonly_fs_partial) and host_hidden (or host_hidden_partial)."""
    keep = kept_paths(keep)
    try:
        libc_call("unshare", CLONE_NEWNS)
        mount(None, "/", None, MS_REC | MS_PRIVATE)
    except OSError:
        return None
    # Handles on what must stay visible, taken before anything is covered.
    handles = {p: os.open(p, os.O_PATH) for p in keep}
    failed = []
    for point, flags in mount_points():
        if point.startswith(("/proc", "/sys")) or point == "/dev/shm":
            continue
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError:
            failed.append(point)
    applied.append("readonly_fs" if not failed else "readonly_fs_partial")
    scratch = "/tmp"
    hidden_failed = []
    covers = []
    files = []
    for name in sorted(os.listdir("/")):
        path = "/" + name
        if name in SYSTEM_DIRS:
            continue
        st = os.lstat(path)
        if stat.S_ISDIR(st.st_mode):
            covers.append(path)
        elif not stat.S_ISLNK(st.st_mode):
            files.append(path)
    try:
        mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, f"size={scratch_size},mode=0711")
    except OSError:
        return None
    applied.append("tmpfs_workdir")
    empty = os.path.join(scratch, EMPTY_FILE)
    os.close(os.open(empty, os.O_WRONLY | os.O_CREAT, 0o444))
    for path in covers:
        if path == scratch:
            continue
        try:
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        except OSError:
            hidden_failed.append(path)
    for path in files:
        try:
            mount(empty, path, None, MS_BIND)
            readonly(path)
        except OSError:
            hidden_failed.append(path)
    for path in keep:
        if not any(under(path, c) for c in covers) or any(under(path, c) for c in hidden_failed):
            continue
        try:
            make_mount_point(path, stat.S_ISDIR(os.stat(f"/proc/self/fd/{handles[path]}").st_mode))
            mount(f"/proc/self/fd/{handles[path]}", path, None, MS_BIND | MS_REC)
            readonly(path)
        except OSError:
            hidden_failed.append(path)
    for fd in handles.values():
        os.close(fd)
    for path in covers:
        if path != scratch and path not in hidden_failed:
            try:
                readonly(path)
            except OSError:
                hidden_failed.append(path)
    hide_unreadable("/etc", empty, hidden_failed)
    applied.append("host_hidden" if not hidden_failed else "host_hidden_partial")
    for option in ("hidepid=invisible", "hidepid=2"):  # the first needs Linux 5.8
        try:
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, option)
            applied.append("proc_hidepid")
            break
        except OSError:
            pass
    try:
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
        applied.append("private_shm")
    except OSError:
        pass
    return scratch
