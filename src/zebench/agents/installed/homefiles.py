"""Reading what an agent wrote in its private HOME: hostile input, read bounded and without links.

Until ``zebench.safefs`` lands on main, every read of an agent-written file goes through the two
functions here, so swapping them for safefs is one change. Each path component is opened relative
to the one before with ``O_NOFOLLOW``: a symlink anywhere (to the harness's files, to /proc) is
refused, and so are FIFOs, devices and hard links (a link to a host file would share its inode).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path, PurePosixPath

from zebench.errors import WorkspaceError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
MAX_LISTED = 10_000  # entries looked at by one listing: an agent cannot make the harness walk forever


class UnsafeFileError(WorkspaceError):
    """An agent-written path is a link, a FIFO, a device or a hard link, or leaves its folder."""


def _parts(rel: str) -> list[str]:
    parts = [p for p in PurePosixPath(rel).parts if p not in ("", ".")]
    if not parts or any(p == ".." or p.startswith("/") for p in parts):
        raise UnsafeFileError(f"{rel!r} is not a path inside the agent's folder")
    return parts


def read_bytes(root: Path, rel: str, *, max_bytes: int) -> bytes:
    """Up to ``max_bytes`` of the regular file ``root/rel``; FileNotFoundError when it is missing."""
    parts = _parts(rel)
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            try:
                next_fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                _refuse_link(exc, rel)
                raise
            os.close(fd)
            fd = next_fd
        try:
            file_fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
        except OSError as exc:
            _refuse_link(exc, rel)
            raise
    finally:
        os.close(fd)
    with os.fdopen(file_fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            raise UnsafeFileError(f"{rel} in the agent's folder is not a plain file")
        return handle.read(max_bytes)


def _refuse_link(exc: OSError, rel: str) -> None:
    import errno

    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        raise UnsafeFileError(f"{rel} in the agent's folder goes through a link") from None


def read_text(root: Path, rel: str, *, max_bytes: int) -> str:
    """:func:`read_bytes` decoded as UTF-8 (bad bytes replaced)."""
    return read_bytes(root, rel, max_bytes=max_bytes).decode("utf-8", errors="replace")


def read_optional(root: Path, rel: str, *, max_bytes: int) -> str | None:
    """:func:`read_text`, or None when the file is missing or unsafe (an agent's file is optional)."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError, UnsafeFileError, IsADirectoryError):
        return read_text(root, rel, max_bytes=max_bytes)
    return None


def list_files(root: Path, rel: str = "", *, suffix: str = "") -> list[str]:
    """Regular files under ``root/rel`` (paths relative to ``root``, sorted), never through a link."""
    found: list[str] = []
    seen = 0
    start = root
    for part in _parts(rel) if rel else []:
        start = start / part
        if start.is_symlink() or not start.is_dir():
            return []
    stack = [start]
    while stack and seen < MAX_LISTED:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and entry.name.endswith(suffix):
                found.append(str(Path(entry.path).relative_to(root)))
    return sorted(found)
