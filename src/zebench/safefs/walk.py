"""Walk an agent-written folder without following anything out of it, within limits."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from zebench.safefs.paths import is_mount, kind_of, mounts_under

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class WalkLimits:
    """How much of a folder a walk takes before it stops: files (and symlinks), bytes, nesting."""

    max_files: int = 100_000
    max_bytes: int = 1024**3
    max_depth: int = 200


@dataclass(frozen=True)
class WalkEntry:
    """A plain file or symlink found by :func:`walk_files`; never followed.

    ``dir_fd`` is the open folder holding ``name``; it is valid only until the walk moves on.
    ``rel`` is the POSIX path from the walk's root (undecodable bytes kept as surrogate escapes).
    """

    rel: str
    name: str
    dir_fd: int
    info: os.stat_result

    @property
    def is_symlink(self) -> bool:
        return stat.S_ISLNK(self.info.st_mode)


@dataclass
class WalkReport:
    """What a walk saw besides its entries: totals, what it left out and why, and whether it stopped."""

    files: int = 0
    bytes: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rel, why): FIFOs, devices, mounts
    over_limit: str | None = None  # why the walk stopped early, e.g. "over 100000 files"


def walk_files(
    root: Path,
    report: WalkReport,
    *,
    limits: WalkLimits | None = None,
    keep_dir: Callable[[str, str], bool] | None = None,
    keep_file: Callable[[str], bool] | None = None,
) -> Iterator[WalkEntry]:
    """Yield every plain file and symlink under ``root``, folders in sorted order, depth first.

    Folders on another device (bind mounts) and FIFOs, sockets and devices are never opened; they
    are listed in ``report.skipped``. ``keep_dir(rel, name)`` prunes folders, ``keep_file(rel)``
    filters files before they count against ``limits``. The walk stops, with
    ``report.over_limit`` set, at the first limit crossed.
    """
    limits = limits or WalkLimits()
    root_fd = os.open(root, _DIR_FLAGS)
    root_dev = os.fstat(root_fd).st_dev
    mounts = mounts_under(root)
    # Each frame: (fd, rel prefix, sorted names left to visit). Bounded by max_depth, so bounded fds.
    frames: list[tuple[int, str, list[str]]] = [(root_fd, "", _names(root_fd))]
    try:
        while frames:
            fd, prefix, names = frames[-1]
            if not names:
                os.close(frames.pop()[0])
                continue
            name = names.pop()
            rel = prefix + name
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            mode = info.st_mode
            if stat.S_ISDIR(mode):
                if keep_dir is not None and not keep_dir(rel, name):
                    continue
                if info.st_dev != root_dev or is_mount(mounts, fd, name):
                    report.skipped.append((rel, "another file system (a mount point)"))
                    continue
                if len(frames) >= limits.max_depth:
                    report.over_limit = f"folders nested deeper than {limits.max_depth} levels"
                    return
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                frames.append((child, rel + "/", _names(child)))
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                report.skipped.append((rel, kind_of(mode)))
                continue
            if is_mount(mounts, fd, name):
                report.skipped.append((rel, "a mount point"))
                continue
            if keep_file is not None and not keep_file(rel):
                continue
            report.files += 1
            report.bytes += info.st_size if stat.S_ISREG(mode) else 0
            if report.files > limits.max_files:
                report.over_limit = f"more than {limits.max_files} files"
                return
            if report.bytes > limits.max_bytes:
                report.over_limit = f"more than {limits.max_bytes} bytes in files"
                return
            yield WalkEntry(rel, name, fd, info)
    finally:
        for frame in frames:
            os.close(frame[0])


def _names(fd: int) -> list[str]:
    # Reverse-sorted so that popping from the end visits names in order.
    with os.scandir(fd) as entries:
        return sorted((entry.name for entry in entries), reverse=True)
