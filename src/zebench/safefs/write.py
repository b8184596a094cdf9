"""Copy trusted files (hidden tests) into an agent-written folder without writing through its links."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Collection
from pathlib import Path

from zebench.safefs.paths import split_relative
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
