"""Resource limits for sandboxed commands: rlimits in the child, plus v1 cgroups where writable.

rlimits are per process and inherited, so they bound each process of a command (memory, CPU time,
file size, open files). They cannot bound the *number* of processes when the harness runs as root
(RLIMIT_NPROC is not enforced for root) nor the memory of a whole process tree, so a pids and a
memory cgroup (v1, ``/sys/fs/cgroup/{pids,memory}``) are added when this process may create them.
Cgroup v2-only hosts get the rlimits alone; see docs/security.md.
"""

from __future__ import annotations

import contextlib
import functools
import os
import resource
import shlex
import shutil
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-command resource limits. ``None`` leaves a limit unset.

    ``address_space_mb`` (RLIMIT_AS) is deliberately far above ``memory_mb``: runtimes such as node
    and Go reserve gigabytes of virtual memory they never touch, so the real memory bound is the
    memory cgroup; RLIMIT_AS only stops runaway allocations where no cgroup is available.
    """

    memory_mb: int | None = 4096  # memory cgroup limit (resident memory of the whole command)
    address_space_mb: int | None = 16384  # RLIMIT_AS, per process
    cpu_s: int | None = 1800  # RLIMIT_CPU, per process
    file_size_mb: int | None = 2048  # RLIMIT_FSIZE: the largest file a command may write
    open_files: int | None = 4096  # RLIMIT_NOFILE
    processes: int | None = 512  # pids cgroup pids.max, and RLIMIT_NPROC as a fallback


def rlimit_values(limits: Limits) -> list[tuple[int, int]]:
    """The (resource, value) pairs to apply, each clamped to the current hard limit.

    Computed in the parent, so the child after ``fork`` only makes system calls.
    """
    wanted: list[tuple[int, int | None]] = [
        (resource.RLIMIT_AS, limits.address_space_mb * _MB if limits.address_space_mb else None),
        (resource.RLIMIT_CPU, limits.cpu_s),
        (resource.RLIMIT_FSIZE, limits.file_size_mb * _MB if limits.file_size_mb else None),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_CORE, 0),  # a core dump of a 4 GB process would fill the disk
    ]
    values: list[tuple[int, int]] = []
    for res, value in wanted:
        if value is None:
            continue
        _soft, hard = resource.getrlimit(res)
        # Without CAP_SYS_RESOURCE a limit can only be lowered, never raised above the hard limit.
        values.append((res, value if hard == resource.RLIM_INFINITY else min(value, hard)))
    return values


def _own_cgroup(controller: str) -> str:
    """This process's cgroup path in a v1 hierarchy (``/`` when unknown)."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _id, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return path
    except (OSError, ValueError):
        pass
    return "/"


@dataclass
class CgroupSet:
    """The per-command cgroups: created before the command, filled by its child, removed after it."""

    directories: list[Path] = field(default_factory=list)
    proc_fds: list[int] = field(default_factory=list)  # opened only for the preexec_fn fallback
    skipped: list[str] = field(default_factory=list)  # why a controller is not used, for diagnostics

    @classmethod
    def create(cls, limits: Limits, root: Path = CGROUP_ROOT) -> CgroupSet:
        """Create a pids and a memory cgroup below this process's own ones, where writable."""
        group = cls()
        # The owner's pid in the name lets a later run sweep groups a killed harness left behind,
        # and lets a test look only at the groups its own process made.
        name = f"zebench-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        wanted = [
            ("pids", "pids.max", limits.processes),
            ("memory", "memory.limit_in_bytes", limits.memory_mb * _MB if limits.memory_mb else None),
        ]
        for controller, limit_file, value in wanted:
            if value is None:
                continue
            # Nest under our own cgroup so the command stays inside whatever limits the harness has.
            parent = root / controller / _own_cgroup(controller).lstrip("/")
            _sweep_orphans(parent)
            directory = parent / name
            try:
                directory.mkdir()
            except OSError as exc:
                group.skipped.append(f"{controller}: {exc.strerror or exc}")
                continue
            try:
                (directory / limit_file).write_text(str(value))
            except OSError as exc:
                group.skipped.append(f"{controller}: {exc.strerror or exc}")
                _rmdir(directory)
                continue
            group.directories.append(directory)
        return group

    def open_proc_fds(self) -> list[int]:
        """Descriptors of each group's ``cgroup.procs``, for a child to join by writing to them."""
        for directory in self.directories:
            with contextlib.suppress(OSError):
                self.proc_fds.append(os.open(directory / "cgroup.procs", os.O_WRONLY))
        return list(self.proc_fds)

    def close(self) -> None:
        """Kill anything still in the groups (a daemon that escaped the process group) and remove them."""
        for fd in self.proc_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.proc_fds = []
        for directory in self.directories:
            deadline = time.monotonic() + 3.0
            while directory.exists():
                for pid in _members(directory):
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
                if _rmdir(directory) or time.monotonic() > deadline:
                    break
                time.sleep(0.02)  # killed processes leave the group asynchronously
        self.directories = []


def _members(directory: Path) -> list[int]:
    try:
        return [int(line) for line in (directory / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _rmdir(directory: Path) -> bool:
    try:
        directory.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


_PRLIMIT_FLAGS = {
    resource.RLIMIT_AS: "as",
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_FSIZE: "fsize",
    resource.RLIMIT_NOFILE: "nofile",
    resource.RLIMIT_NPROC: "nproc",
    resource.RLIMIT_CORE: "core",
}


@functools.cache
def _prlimit() -> str | None:
    return shutil.which("prlimit")


def exec_wrapper(rlimits: list[tuple[int, int]], cgroups: list[Path]) -> list[str] | None:
    """An argv prefix that joins ``cgroups``, lowers the rlimits and then execs the command.

    Used instead of a ``preexec_fn``: a preexec_fn forces CPython to ``fork`` the whole harness and
    run Python in the child (15-20 ms for a busy harness), while a plain exec chain lets it
    ``vfork``. sh joins the groups (before anything of the command runs, so its children are born
    inside them) and util-linux's prlimit sets the limits. None when prlimit is not installed.
    """
    prlimit = _prlimit()
    if prlimit is None:
        return None
    joins = "".join(
        f"echo $$ > {shlex.quote(str(group / 'cgroup.procs'))} 2>/dev/null; " for group in cgroups
    )
    flags = [f"--{_PRLIMIT_FLAGS[res]}={value}" for res, value in rlimits if res in _PRLIMIT_FLAGS]
    return ["/bin/sh", "-c", joins + 'exec "$@"', "zebench-limits", prlimit, *flags, "--"]


def make_preexec(rlimits: list[tuple[int, int]], cgroup_fds: list[int]) -> Callable[[], None]:
    """The function the child runs between ``fork`` and ``exec``: join the cgroups, lower the rlimits.

    Only system calls on values prepared by the parent: after ``fork`` in a threaded program,
    anything that takes a lock (imports, logging, allocation-heavy code) could deadlock.
    """
    pid = b"0"  # in cgroup.procs, 0 means "the writing process"

    def preexec() -> None:
        for fd in cgroup_fds:
            with contextlib.suppress(OSError):
                os.write(fd, pid)
        for res, value in rlimits:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(res, (value, value))

    return preexec


def _sweep_orphans(parent: Path) -> None:
    """Remove empty ``zebench-<pid>-*`` groups whose owning process is gone (e.g. after kill -9)."""
    try:
        candidates = list(parent.glob("zebench-*-*"))
    except OSError:
        return
    for directory in candidates:
        owner = directory.name.split("-")[1]
        if not owner.isdigit() or Path(f"/proc/{owner}").exists():
            continue
        _rmdir(directory)  # fails harmlessly while a process is still inside
