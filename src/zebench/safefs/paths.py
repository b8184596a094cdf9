"""Resolve a relative path inside a folder one component at a time, never leaving the folder."""

from __future__ import annotations

import os
import stat
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from zebench.safefs.errors import UnsafeFileError

MAX_SYMLINK_HOPS = 40  # the kernel's own limit (MAXSYMLINKS)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Resolved:
    """The last component of a resolved path: its folder's descriptor, its name and its lstat.

    ``dir_fd`` stays open until the :class:`~contextlib.ExitStack` given to :func:`resolve` closes.
    ``info`` is None when nothing exists under ``name``.
    """

    dir_fd: int
    name: str
    info: os.stat_result | None
    root_dev: int


def open_root(root: Path, stack: ExitStack) -> tuple[int, os.stat_result]:
    """Open the folder itself (not through a symlink) and return its descriptor and stat."""
    fd = os.open(root, _DIR_FLAGS)
    stack.callback(os.close, fd)
    return fd, os.fstat(fd)


def split_relative(root: Path, rel: str | os.PathLike[str]) -> list[str]:
    """The components of ``rel``; absolute paths and NUL bytes are refused."""
    text = os.fspath(rel)
    if "\0" in text:
        raise UnsafeFileError(root, text.replace("\0", "\\0"), "the path holds a NUL byte")
    path = PurePosixPath(text)
    if path.is_absolute():
        raise UnsafeFileError(root, text, "the path is absolute")
    return [part for part in path.parts if part not in ("", ".")]


def resolve(root: Path, rel: str | os.PathLike[str], stack: ExitStack) -> Resolved:
    """Walk ``rel`` from ``root`` as the kernel would, but refuse to leave ``root``.

    Symlinks are followed only while they stay inside ``root`` (an absolute target counts when it
    names a path under ``root``); folders on another device (bind mounts) are refused. Intermediate
    folders are opened with ``O_NOFOLLOW``, so what was checked is what is used.
    """
    root_fd, root_info = open_root(root, stack)
    mounts = mounts_under(root)
    todo = split_relative(root, rel)
    todo.reverse()  # a stack: the next component is last
    chain: list[int] = []  # descriptors of the folders below root on the current path
    hops = 0
    shown = os.fspath(rel)
    while todo:
        name = todo.pop()
        current = chain[-1] if chain else root_fd
        if name == "..":
            if not chain:
                raise UnsafeFileError(root, shown, "the path leaves the folder")
            chain.pop()
            continue
        try:
            info = os.stat(name, dir_fd=current, follow_symlinks=False)
        except FileNotFoundError:
            if todo:
                raise
            return Resolved(current, name, None, root_info.st_dev)
        if stat.S_ISLNK(info.st_mode):
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                raise UnsafeFileError(root, shown, "too many levels of symbolic links")
            target = os.readlink(name, dir_fd=current)
            parts = _link_parts(root, shown, target)
            if target.startswith("/"):
                chain.clear()
            todo.extend(reversed(parts))
            continue
        if not todo:
            if is_mount(mounts, current, name):
                raise UnsafeFileError(root, shown, f"{name} is a mount point")
            return Resolved(current, name, info, root_info.st_dev)
        if not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(f"{shown}: {name} is not a folder")
        if info.st_dev != root_info.st_dev or is_mount(mounts, current, name):
            raise UnsafeFileError(root, shown, f"{name} is a mount point")
        fd = os.open(name, _DIR_FLAGS, dir_fd=current)
        stack.callback(os.close, fd)
        chain.append(fd)
    return Resolved(root_fd, ".", root_info, root_info.st_dev)


def _link_parts(root: Path, shown: str, target: str) -> list[str]:
    if "\0" in target or not target:
        raise UnsafeFileError(root, shown, "a symlink on the path is empty or malformed")
    if not target.startswith("/"):
        return [part for part in PurePosixPath(target).parts if part not in ("", ".")]
    inside = PurePosixPath(os.path.normpath(target))
    base = PurePosixPath(os.path.normpath(os.path.abspath(root)))
    if inside != base and base not in inside.parents:
        raise UnsafeFileError(root, shown, f"a symlink on the path points outside the folder ({target})")
    return list(inside.relative_to(base).parts)


def kind_of(mode: int) -> str:
    """A word for a file type, for messages."""
    for test, word in (
        (stat.S_ISREG, "a file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symlink"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return word
    return "an unknown file type"


def mounts_under(root: Path) -> frozenset[str]:
    """Mount points strictly inside ``root``, from ``/proc/self/mountinfo``.

    A bind mount of the same file system has the same ``st_dev`` as its parent, so only the mount
    table tells it apart. Empty (and free to check) in the usual case of no mounts at all.
    """
    base = os.path.realpath(root)
    try:
        with open("/proc/self/mountinfo", "rb") as handle:
            table = handle.read()
    except OSError:
        return frozenset()
    found: set[str] = set()
    for line in table.splitlines():
        fields = line.split(b" ")
        if len(fields) < 5:
            continue
        point = _unescape_mount(fields[4])
        if point.startswith(base + "/"):
            found.add(point)
    return frozenset(found)


def is_mount(mounts: frozenset[str], dir_fd: int, name: str) -> bool:
    """Whether ``name`` in the open folder ``dir_fd`` is one of ``mounts``."""
    if not mounts:
        return False
    return os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name) in mounts


def _unescape_mount(raw: bytes) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo octal.
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i : i + 1] == b"\\" and i + 3 < len(raw) and raw[i + 1 : i + 4].isdigit():
            out.append(int(raw[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return os.fsdecode(bytes(out))
