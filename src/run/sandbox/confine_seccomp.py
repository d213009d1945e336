"""A seccomp filter that keeps a candidate away from the host's unix sockets.

A unix socket bound at a path (the system bus, an X server, a database's
socket, anything world-writable under /tmp or /run) is reachable from any
network namespace and through a read-only mount: connect() needs no write
access to the file system. The filter makes socket(AF_UNIX, ...) fail with
EACCES, so a candidate cannot connect to one even where it can see its path.
socketpair(AF_UNIX) stays allowed: the pair it creates joins nothing of the
host (multiprocessing uses it). It also refuses io_uring_setup (io_uring can
open and connect sockets without the socket system call) and every system
call of another ABI (i386 through int 0x80, x32), whose numbers the filter
does not check.

Classic BPF over `struct seccomp_data` {int nr; u32 arch; u64 ip; u64 args[6]},
installed with prctl(PR_SET_SECCOMP) after PR_SET_NO_NEW_PRIVS, which any
user may do: the filter applies without root. Costs one prctl per candidate.
"""

import ctypes
import errno
import platform

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JGE_K = 0x35
BPF_RET_K = 0x06
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000

# machine -> (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup, has an x32 ABI)
ARCHES = {
    "x86_64": (0xC000003E, 41, 425, True),
    "aarch64": (0xC00000B7, 198, 425, False),
}


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def program(machine=None):
    """The filter's instructions as (code, jt, jf, k) tuples, or None on an
    architecture this module does not know (the caller reports it)."""
    arch = ARCHES.get(machine or platform.machine())
    if arch is None:
        return None
    audit_arch, nr_socket, nr_io_uring_setup, x32 = arch
    deny = SECCOMP_RET_ERRNO | errno.EACCES
    nosys = SECCOMP_RET_ERRNO | errno.ENOSYS
    # Jump offsets count instructions after the jump; the three returns close the program.
    body = [
        (BPF_LD_W_ABS, 0, 0, 4),  # arch
        ("jne_nosys", audit_arch),
        (BPF_LD_W_ABS, 0, 0, 0),  # nr
    ]
    if x32:
        body.append(("jge_nosys", X32_SYSCALL_BIT))
    body += [
        ("jeq_nosys", nr_io_uring_setup),
        ("jne_allow", nr_socket),
        (BPF_LD_W_ABS, 0, 0, 16),  # args[0] (domain), low 32 bits: the kernel reads an int
        ("jeq_deny", AF_UNIX),
    ]
    tail = [(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW), (BPF_RET_K, 0, 0, deny), (BPF_RET_K, 0, 0, nosys)]
    n = len(body)
    out = []
    for i, ins in enumerate(body):
        to_allow, to_deny, to_nosys = n - i - 1, n - i, n - i + 1
        kind = ins[0]
        if kind == "jne_nosys":
            out.append((BPF_JEQ_K, 0, to_nosys, ins[1]))
        elif kind == "jge_nosys":
            out.append((BPF_JGE_K, to_nosys, 0, ins[1]))
        elif kind == "jeq_nosys":
            out.append((BPF_JEQ_K, to_nosys, 0, ins[1]))
        elif kind == "jne_allow":
            out.append((BPF_JEQ_K, 0, to_allow, ins[1]))
        elif kind == "jeq_deny":
            out.append((BPF_JEQ_K, to_deny, 0, ins[1]))
        else:
            out.append(ins)
    return out + tail


class UnixSocketFilter:
    """Built once in the worker; `install()` runs in each forked candidate."""

    def __init__(self, machine=None):
        self.instructions = program(machine)
        self.reason = None if self.instructions else f"no seccomp filter for the {platform.machine()} architecture"
        if self.instructions:
            self._filters = (SockFilter * len(self.instructions))(*[SockFilter(*i) for i in self.instructions])
            self._prog = SockFprog(len(self.instructions), self._filters)
        self._libc = ctypes.CDLL(None, use_errno=True)

    def install(self):
        """Applies the filter to this process and its future children; raises OSError when the kernel refuses."""
        if not self.instructions:
            raise OSError(errno.ENOSYS, self.reason)
        if self._libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl(PR_SET_NO_NEW_PRIVS): {errno.errorcode.get(err, err)}")
        if self._libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(self._prog), 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl(PR_SET_SECCOMP): {errno.errorcode.get(err, err)} (a kernel without CONFIG_SECCOMP_FILTER)")

