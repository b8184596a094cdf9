"""CPU time (user + system) of a command and of every process it starts, sandboxes included.

Other work on the machine cannot inflate a command's CPU time the way it inflates wall time, so
this is the figure the overhead benchmarks compare. It is read from a cgroup made for the one
command where this host allows it: cgroup v1 ``cpuacct`` (``cpuacct.usage_user``/``usage_sys``,
nanoseconds) or cgroup v2 ``cpu.stat`` (``user_usec``/``system_usec``). The command joins the
group before it execs, so everything it starts is born inside, including processes that leave its
process tree (a sandbox's init, a daemonised helper), and the group is read once every process in
it has exited. Elsewhere the figure is ``getrusage(RUSAGE_CHILDREN)`` around the command, which
counts only descendants that were waited for, and so misses what runs in bubblewrap's pid
namespace (its init is never reaped by its parent): there it undercounts a sandboxed harness.
:attr:`Measurement.source` says which was used. :class:`OwnGroup` puts this process itself in
such a group, for in-process measurements.
zebench's own per-command cgroups are pids and memory groups, so they never move a process out
of the ``cpuacct`` group.

CPU time is not immune to load either: on a busy machine caches and shared cores make the same
work cost more cycles (+10-25 % at load 10 on this project's 2-core machine), so compare figures
taken in one run, interleaved.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
_DRAIN_S = 10.0  # how long stragglers (a sandbox closing after its harness exited) may take


@dataclass(frozen=True)
class Measurement:
    """Wall and CPU seconds of one command, with where the CPU figure came from."""

    wall: float
    user: float
    system: float
    source: str  # "cgroup v1 cpuacct", "cgroup v2 cpu.stat" or "rusage (waited-for children)"

    @property
    def cpu(self) -> float:
        return self.user + self.system


class _Group:
    """One cgroup for one command: created, joined by the command, read, removed."""

    def __init__(self, directory: Path, version: int) -> None:
        self.directory = directory
        self.version = version

    @classmethod
    def create(cls) -> _Group | None:
        name = f"zebench-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        for version, parent in ((1, _v1_parent()), (2, _v2_parent())):
            if parent is None:
                continue
            directory = parent / name
            try:
                directory.mkdir()
            except OSError:
                continue
            return cls(directory, version)
        return None

    @property
    def source(self) -> str:
        return "cgroup v1 cpuacct" if self.version == 1 else "cgroup v2 cpu.stat"

    def prefix(self) -> list[str]:
        """An argv prefix that moves the command into this group before it execs."""
        procs = self.directory / "cgroup.procs"
        return ["/bin/sh", "-c", f"echo $$ > '{procs}' && exec \"$@\"", "cpu-meter"]

    def drain(self) -> None:
        """Wait until every process of the group has exited (bounded)."""
        deadline = time.monotonic() + _DRAIN_S
        while time.monotonic() < deadline:
            try:
                if not (self.directory / "cgroup.procs").read_text().split():
                    return
            except OSError:
                return
            time.sleep(0.01)

    def read(self) -> tuple[float, float]:
        """(user, system) seconds used in the group."""
        if self.version == 1:
            user = int((self.directory / "cpuacct.usage_user").read_text()) / 1e9
            system = int((self.directory / "cpuacct.usage_sys").read_text()) / 1e9
            return user, system
        stat = dict(line.split() for line in (self.directory / "cpu.stat").read_text().splitlines())
        return int(stat["user_usec"]) / 1e6, int(stat["system_usec"]) / 1e6

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.directory.rmdir()


def _own(controller: str) -> str:
    """This process's cgroup in the v1 hierarchy of ``controller`` ("": the v2 hierarchy)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else []
        if controller in names or (not controller and not names):
            return path
    return "/"


def _v1_parent() -> Path | None:
    parent = CGROUP_ROOT / "cpuacct" / _own("cpuacct").lstrip("/")
    return parent if (parent / "cpuacct.usage_user").exists() else None


def _v2_parent() -> Path | None:
    for root in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        if (root / "cgroup.controllers").exists():
            parent = root / _own("").lstrip("/")
            with contextlib.suppress(OSError):
                if "cpu" in (parent / "cgroup.subtree_control").read_text().split():
                    return parent
    return None


class OwnGroup:
    """This process (and all it starts from now on) in a CPU cgroup of its own, for the ``with``
    block; :meth:`cpu` reads the seconds used in it so far. None of it without a writable cgroup
    hierarchy: then :meth:`cpu` raises, and the caller says the figure is not measured."""

    def __init__(self) -> None:
        self._group = _Group.create()
        self._parent: Path | None = None

    @property
    def available(self) -> bool:
        return self._group is not None

    def __enter__(self) -> OwnGroup:
        if self._group is not None:
            self._parent = self._group.directory.parent
            (self._group.directory / "cgroup.procs").write_text(str(os.getpid()))
        return self

    def cpu(self) -> float:
        if self._group is None:
            raise RuntimeError("no writable CPU cgroup on this host")
        user, system = self._group.read()
        return user + system

    def __exit__(self, *exc: object) -> None:
        if self._group is None or self._parent is None:
            return
        (self._parent / "cgroup.procs").write_text(str(os.getpid()))
        self._group.drain()
        self._group.remove()


def cpu_source() -> str:
    """What :func:`measure` will read on this host (a line for the benchmark's header)."""
    group = _Group.create()
    if group is None:
        return "rusage (waited-for children)"
    group.remove()
    return group.source


def measure(
    argv: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    ok_codes: tuple[int, ...] = (0,),
) -> tuple[Measurement, subprocess.CompletedProcess[str]]:
    """Run ``argv`` and return its wall time, its CPU time (all its processes) and its output."""
    group = _Group.create()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [*(group.prefix() if group else []), *argv],
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if group is not None:
            group.drain()
            user, system = group.read()
        else:
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    finally:
        if group is not None:
            group.remove()
    if proc.returncode not in ok_codes:
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    source = group.source if group else "rusage (waited-for children)"
    return Measurement(wall, user, system, source), proc
