"""Delete a folder an agent wrote, without following links or entering other file systems."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from zebench.safefs.paths import is_mount, mounts_under

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_OPEN_DEPTH = 64  # deeper folders are moved up to the top before they are emptied


def remove_tree(path: Path) -> list[str]:
    """Delete ``path`` and everything under it; returns what was left behind (mount points).

    Hand-written rather than ``shutil.rmtree`` because the harness must also refuse to descend into a
    bind mount (rmtree would empty the host folder behind it), make read-only folders writable
    through descriptors only, and handle nesting of any depth with a bounded number of descriptors.
    A path that is a symlink or a file is unlinked, never followed. Removing twice is fine.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return []
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(path)
        return []
    parent_fd = os.open(path.parent, _DIR_FLAGS)
    try:
        left = _Remover(parent_fd, path.name, info.st_dev, str(path)).run()
        if not left:
            os.rmdir(path.name, dir_fd=parent_fd)
        return left
    finally:
        os.close(parent_fd)


class _Remover:
    """Empties one folder depth first; folders too deep to keep open are moved up and emptied later."""

    def __init__(self, parent_fd: int, name: str, dev: int, shown: str) -> None:
        self.top_fd = _open_writable(parent_fd, name)
        self.dev = dev
        self.shown = shown
        self.left: list[str] = []
        self.moved = 0
        self.mounts = mounts_under(Path(shown))

    def run(self) -> list[str]:
        try:
            pending: list[str] = []  # folders moved up to the top, still to be emptied
            self._empty(self.top_fd, pending, depth=0)
            while pending:
                name = pending.pop()
                if self._empty_child(self.top_fd, name, pending, depth=1):
                    os.rmdir(name, dir_fd=self.top_fd)
        finally:
            os.close(self.top_fd)
        return self.left

    def _empty(self, fd: int, pending: list[str], depth: int) -> bool:
        """Delete everything in the folder ``fd``; False if something had to be left (a mount)."""
        with os.scandir(fd) as entries:
            names = [entry.name for entry in entries]
        emptied = True
        for name in names:
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if info.st_dev != self.dev or is_mount(self.mounts, fd, name):
                self.left.append(f"{self.shown}: {name!r} is a mount point, not entered")
                emptied = False
            elif not stat.S_ISDIR(info.st_mode):
                os.unlink(name, dir_fd=fd)
            elif depth >= _MAX_OPEN_DEPTH:
                self.moved += 1
                moved = f".zebench-deep-{self.moved}-{secrets.token_hex(4)}"
                os.rename(name, moved, src_dir_fd=fd, dst_dir_fd=self.top_fd)
                pending.append(moved)
            elif self._empty_child(fd, name, pending, depth + 1):
                os.rmdir(name, dir_fd=fd)
            else:
                emptied = False
        return emptied

    def _empty_child(self, fd: int, name: str, pending: list[str], depth: int) -> bool:
        child = _open_writable(fd, name)
        try:
            return self._empty(child, pending, depth)
        finally:
            os.close(child)


def _open_writable(parent_fd: int, name: str) -> int:
    fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    mode = os.fstat(fd).st_mode
    if mode & 0o700 != 0o700:  # read-only folders (git objects, npm caches) must be emptied too
        os.fchmod(fd, stat.S_IMODE(mode) | 0o700)
    return fd
