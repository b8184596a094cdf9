"""Confine agent-supplied paths to the workspace, symlinks included."""

from __future__ import annotations

import os
from pathlib import Path

from zebench.errors import WorkspaceError


class PathEscapeError(WorkspaceError):
    """An agent-supplied path points outside the workspace or into ``.git``."""


def resolve_in_workspace(workspace: Path, user_path: str, *, for_write: bool = False) -> Path:
    """The real path ``user_path`` (relative to ``workspace``) designates, if it stays inside.

    Symlinks are resolved in every component, including the existing ancestor of a file that does
    not exist yet, so neither a link nor a dangling link can lead outside. Absolute paths, ``~``,
    NUL bytes and anything inside ``.git/`` are refused with :class:`PathEscapeError`.
    ``for_write`` also refuses the workspace root itself.
    """
    if not isinstance(user_path, str) or user_path.strip() == "":
        raise PathEscapeError(
            "the path is empty", file=repr(user_path), hint="give a path relative to the workspace"
        )
    if "\0" in user_path:
        raise PathEscapeError("the path contains a NUL byte", file=repr(user_path), hint="remove it")
    if user_path.startswith("~"):
        raise PathEscapeError(
            "home-relative paths are not allowed",
            file=user_path,
            hint="give a path relative to the workspace",
        )
    if os.path.isabs(user_path):
        raise PathEscapeError(
            "absolute paths are not allowed", file=user_path, hint="give a path relative to the workspace"
        )
    root = Path(os.path.realpath(workspace))
    # realpath resolves every existing component (dangling links too, as far as they go), so the
    # result is where the OS would actually read or create the file.
    resolved = os.path.realpath(root / user_path)
    # Non-strict realpath gives up at a symlink loop and joins the rest lexically, so a path like
    # ``loop/../out/passwd`` could look inside while the OS follows ``out`` elsewhere. A result that
    # is not a fixed point of realpath was not fully resolved: refuse it.
    if os.path.realpath(resolved) != resolved:
        raise PathEscapeError(
            "the path goes through a symlink loop",
            file=user_path,
            hint="remove the looping link or use a path without it",
        )
    target = Path(resolved)
    if not target.is_relative_to(root):
        raise PathEscapeError(
            "the path leads outside the workspace",
            file=user_path,
            hint="only files in the workspace are reachable",
        )
    rel = target.relative_to(root)
    if rel.parts and rel.parts[0].lower() == ".git":
        raise PathEscapeError(
            "the .git folder is off limits",
            file=user_path,
            hint="use run_command with git to inspect history",
        )
    if for_write and target == root:
        raise PathEscapeError(
            "the workspace root is a folder, not a file", file=user_path, hint="name a file"
        )
    return target
