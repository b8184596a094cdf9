"""Bounded reads of plain files inside an agent-written folder."""

from __future__ import annotations

import os
import stat
from contextlib import ExitStack
from pathlib import Path

from zebench.safefs.errors import FileTooLargeError, UnsafeFileError
from zebench.safefs.paths import kind_of, resolve

DEFAULT_READ_CAP = 4 * 1024 * 1024  # manifests, reports and sources an evaluator reads are far smaller
# O_NONBLOCK: should a FIFO be swapped in after the lstat check, opening it still returns at once.
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def check_plain(root: Path, rel: str, info: os.stat_result, root_dev: int) -> None:
    """Refuse anything but a plain, singly linked file on the folder's own file system."""
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFileError(root, rel, f"is {kind_of(info.st_mode)}, not a plain file")
    if info.st_dev != root_dev:
        raise UnsafeFileError(root, rel, "is on another file system (a bind mount)")
    if info.st_nlink > 1:
        # A hard link can name a file outside the folder; its other names cannot be checked.
        raise UnsafeFileError(root, rel, f"is hard-linked ({info.st_nlink} names)")


def open_plain(dir_fd: int, name: str, info: os.stat_result, root: Path, rel: str) -> int:
    """Open a file already checked with :func:`check_plain`, refusing if it changed in between."""
    fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            raise UnsafeFileError(root, rel, "changed while it was being opened")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_fd(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``fd``."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_bytes(root: Path, rel: str | os.PathLike[str], *, max_bytes: int = DEFAULT_READ_CAP) -> bytes:
    """The bytes of the plain file ``rel`` inside ``root``.

    Raises :class:`FileNotFoundError` when nothing is there, :class:`FileTooLargeError` over
    ``max_bytes``, and :class:`UnsafeFileError` for a symlink out of ``root``, a FIFO, socket,
    device or folder, a hard-linked file or one on another file system.
    """
    shown = os.fspath(rel)
    with ExitStack() as stack:
        found = resolve(root, rel, stack)
        if found.info is None:
            raise FileNotFoundError(f"{root}/{shown}")
        check_plain(root, shown, found.info, found.root_dev)
        if found.info.st_size > max_bytes:
            raise FileTooLargeError(root, shown, found.info.st_size, max_bytes)
        fd = open_plain(found.dir_fd, found.name, found.info, root, shown)
        try:
            data = read_fd(fd, max_bytes + 1)
        finally:
            os.close(fd)
    if len(data) > max_bytes:  # it grew after the stat
        raise FileTooLargeError(root, shown, len(data), max_bytes)
    return data


def read_text(
    root: Path,
    rel: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_READ_CAP,
    errors: str = "replace",
) -> str:
    """:func:`read_bytes` decoded as UTF-8 (``errors`` as for :meth:`bytes.decode`)."""
    return read_bytes(root, rel, max_bytes=max_bytes).decode("utf-8", errors=errors)


def regular_file_size(root: Path, rel: str | os.PathLike[str]) -> int | None:
    """The size of ``rel`` when it is a plain file :func:`read_bytes` would read; None otherwise.

    For existence checks (a heuristic's "file exists"): a symlink out, a FIFO or a missing file is
    simply not a file here.
    """
    try:
        with ExitStack() as stack:
            found = resolve(root, rel, stack)
            if found.info is None:
                return None
            check_plain(root, os.fspath(rel), found.info, found.root_dev)
            return found.info.st_size
    except (UnsafeFileError, OSError):
        return None
