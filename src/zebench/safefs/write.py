"""Copy trusted files (hidden tests) into an agent-written folder without writing through its links."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Collection
from contextlib import ExitStack
from pathlib import Path

from zebench.safefs.errors import UnsafeFileError
from zebench.safefs.paths import kind_of, resolve, split_relative
from zebench.safefs.remove import remove_tree

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def copy_into(src: Path, root: Path, rel: str = "", *, skip: Collection[str] = ()) -> list[str]:
    """Copy the trusted tree ``src`` into ``root/rel``, replacing whatever is at each name.

    Whatever the agent put where a copied folder or file goes (a symlink, a FIFO, a file where a
    folder belongs) is removed first, and every file is created afresh with ``O_EXCL|O_NOFOLLOW``
    relative to an open folder, so the copy can never write outside ``root``. Names in ``skip`` are
    not copied, at any depth; nor is any ``.git``. Returns the copied files, relative to ``src``.
    """
    root_fd = os.open(root, _DIR_FLAGS)
    try:
        target = root_fd
        for part in split_relative(root, rel):
            target = _fresh_dir(target, part, root, close_parent=target != root_fd)
        copied: list[str] = []
        try:
            _copy(src, target, "", root, frozenset(skip) | {".git"}, copied)
        finally:
            if target != root_fd:
                os.close(target)
        return copied
    finally:
        os.close(root_fd)


def _copy(src: Path, dir_fd: int, prefix: str, root: Path, skip: frozenset[str], copied: list[str]) -> None:
    with os.scandir(src) as entries:
        listing = sorted(entries, key=lambda e: e.name)
    for entry in listing:
        if entry.name in skip:
            continue
        if entry.is_symlink():
            _clear(dir_fd, entry.name, root)
            os.symlink(os.readlink(entry.path), entry.name, dir_fd=dir_fd)
            copied.append(prefix + entry.name)
        elif entry.is_dir(follow_symlinks=False):
            child = _fresh_dir(dir_fd, entry.name, root, close_parent=False)
            try:
                _copy(Path(entry.path), child, f"{prefix}{entry.name}/", root, skip, copied)
            finally:
                os.close(child)
        elif entry.is_file(follow_symlinks=False):
            _clear(dir_fd, entry.name, root)
            _write_file(Path(entry.path), dir_fd, entry.name)
            copied.append(prefix + entry.name)


def _fresh_dir(parent_fd: int, name: str, root: Path, *, close_parent: bool) -> int:
    """An open folder ``name`` in ``parent_fd``: kept if it is a real folder here, else replaced."""
    try:
        try:
            info = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
        except FileNotFoundError:
            info = None
        parent_dev = os.fstat(parent_fd).st_dev
        if info is not None and not (stat.S_ISDIR(info.st_mode) and info.st_dev == parent_dev):
            _clear(parent_fd, name, root)
            info = None
        if info is None:
            os.mkdir(name, 0o755, dir_fd=parent_fd)
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    finally:
        if close_parent:
            os.close(parent_fd)


def _clear(parent_fd: int, name: str, root: Path) -> None:
    try:
        info = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        # A folder where a file goes: remove it by path from a descriptor-checked parent.
        remove_tree(Path(f"/proc/self/fd/{parent_fd}").resolve() / name)
    else:
        os.unlink(name, dir_fd=parent_fd)


def _write_file(src: Path, dir_fd: int, name: str) -> None:
    mode = stat.S_IMODE(os.stat(src).st_mode)
    fd = os.open(name, _NEW_FILE, mode & 0o777, dir_fd=dir_fd)
    with open(src, "rb") as source, os.fdopen(fd, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)


def write_bytes(root: Path, rel: str | os.PathLike[str], data: bytes) -> None:
    """Create or replace the plain file ``rel`` inside ``root`` with ``data``, making its folders.

    Links inside ``root`` are followed as the kernel would; a link out, a FIFO, a device or a folder
    at ``rel`` is refused (:class:`UnsafeFileError`), and the file is opened with ``O_NOFOLLOW`` and
    ``O_NONBLOCK`` relative to its checked folder, so a swap in between cannot redirect the write.
    """
    shown = os.fspath(rel)
    parts = split_relative(root, shown)
    if not parts:
        raise UnsafeFileError(root, shown, "is the folder itself, not a file")
    parent = "/".join(parts[:-1])
    if parent:
        _make_folders(root, parent)
    with ExitStack() as stack:
        found = resolve(root, shown, stack)
        if found.info is not None:
            if not stat.S_ISREG(found.info.st_mode):
                raise UnsafeFileError(root, shown, f"is {kind_of(found.info.st_mode)}, not a plain file")
            if found.info.st_nlink > 1:
                raise UnsafeFileError(root, shown, f"is hard-linked ({found.info.st_nlink} names)")
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        fd = os.open(found.name, flags, 0o644, dir_fd=found.dir_fd)
        with os.fdopen(fd, "wb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise UnsafeFileError(root, shown, "changed while it was being opened")
            handle.truncate(0)
            handle.write(data)


def _make_folders(root: Path, rel: str) -> None:
    """Create the folders of ``rel`` under ``root`` that do not exist yet, refusing to leave it."""
    try:
        with ExitStack() as stack:
            found = resolve(root, rel, stack)  # every existing component checked
            if found.info is None:
                os.mkdir(found.name, 0o755, dir_fd=found.dir_fd)
            elif not stat.S_ISDIR(found.info.st_mode):
                raise UnsafeFileError(root, rel, f"is {kind_of(found.info.st_mode)}, not a folder")
    except FileNotFoundError:
        head = rel.rpartition("/")[0]
        if not head:
            raise
        _make_folders(root, head)  # a missing parent first, then this folder
        _make_folders(root, rel)
