"""Copy fixtures and solution folders without dependency, build or cache folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from zebench.errors import WorkspaceError
from zebench.safefs import remove_tree as safe_remove_tree

# Folders that are reproducible from the sources (installs, builds, caches). They are never copied
# into a workspace and are written to .git/info/exclude so validation-created copies stay out of diffs.
EXCLUDED_DIRS: frozenset[str] = frozenset(
    {
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".pnpm-store",
        "dist",
        ".turbo",
        ".nx",
        ".next",
        ".pytest_cache",
        ".aider.tags.cache.v4",  # aider's repository-map cache
        ".mypy_cache",
        ".ruff_cache",
        ".tox",
        ".parcel-cache",
    }
)


def copy_fixture(src: Path, dst: Path, *, keep_root_git: bool = True) -> None:
    """Copy the tree ``src`` into ``dst`` (created if needed), overwriting what is there.

    Folders named in :data:`EXCLUDED_DIRS` are skipped at any depth; symlinks are recreated as
    symlinks and never followed; sockets and FIFOs are skipped. A ``.git`` *file* (a worktree or
    submodule pointer into another repository) is never copied, so git in the copy cannot reach the
    original. ``keep_root_git=False`` also skips the root ``.git`` folder (solution folders).
    """
    if not src.is_dir():
        raise WorkspaceError("folder does not exist", file=src, hint="check the scenario's paths")
    try:
        _copy_tree(src, dst, is_root=True, keep_root_git=keep_root_git)
    except OSError as exc:
        raise WorkspaceError(f"could not copy {src} to {dst}: {exc}", file=src) from exc


def _copy_tree(src: Path, dst: Path, *, is_root: bool, keep_root_git: bool) -> None:
    _make_dir(dst)
    with os.scandir(src) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            source = Path(entry.path)
            target = dst / entry.name
            if entry.is_symlink():
                if entry.name in EXCLUDED_DIRS:
                    continue  # pnpm-style symlinked node_modules
                _clear(target)
                os.symlink(os.readlink(source), target)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name in EXCLUDED_DIRS:
                    continue
                if entry.name == ".git" and not (is_root and keep_root_git):
                    continue
                _copy_tree(source, target, is_root=False, keep_root_git=keep_root_git)
            elif entry.is_file(follow_symlinks=False):
                if entry.name == ".git":
                    continue
                _clear(target)
                shutil.copy2(source, target, follow_symlinks=False)


def _make_dir(path: Path) -> None:
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        # Never write through a symlink that the copy would otherwise follow.
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)


def _clear(path: Path) -> None:
    """Remove whatever is at ``path`` so a file or link can be written there without following links."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        remove_tree(path)


def remove_tree(path: Path) -> None:
    """Delete a folder (read-only files included) without following links or entering mounts.

    See :func:`zebench.safefs.remove_tree`; kept here because the workspace's callers import it.
    """
    safe_remove_tree(path)
