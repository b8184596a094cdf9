"""Workspace-confined path helpers: globs with ``**`` and braces, and path containment checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from zebench.safefs.walk import WalkReport, walk_files

SKIPPED_DIRS = frozenset({".git", "node_modules"})


class PathEscapeError(ValueError):
    """A path given by a scenario points outside the workspace."""


def check_inside(relative: str) -> str:
    """A scenario's path, refused when it is absolute or climbs out with ``..``.

    A symlink the agent planted is not the scenario's error: :mod:`zebench.safefs` refuses to follow
    it when the file is read.
    """
    parts = relative.replace("\\", "/").split("/")
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else (0 if part in ("", ".") else 1)
        if depth < 0:
            break
    if relative.startswith(("/", "~")) or depth < 0:
        raise PathEscapeError(f"path {relative!r} is outside the workspace")
    return relative


def confined(workspace: Path, relative: str) -> Path:
    """``workspace / relative`` resolved, refusing anything (``..``, absolute, symlink) outside it.

    Only for paths handed to the sandboxed command runner; the harness reads files through
    :mod:`zebench.safefs`.
    """
    root = workspace.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise PathEscapeError(f"path {relative!r} is outside the workspace")
    return target


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A compiled regex for a globby-style pattern over ``/``-separated relative paths.

    ``**`` spans folders, ``*`` and ``?`` stay inside one, ``[...]`` and ``{a,b}`` work as in globby.
    """
    pattern = pattern.removeprefix("./")
    out: list[str] = []
    i = 0
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def iter_matching_files(workspace: Path, pattern: str) -> Iterator[str]:
    """Relative POSIX paths of the files under ``workspace`` matching ``pattern``, in sorted order.

    The workspace is the agent's: walked through :func:`zebench.safefs.walk_files`, so no link is
    followed and nothing but files and symlinks is listed. ``.git`` and ``node_modules`` are never
    walked: they are large and never the agent's work.
    """
    regex = glob_regex(pattern)
    report = WalkReport()
    for entry in walk_files(workspace, report, keep_dir=lambda _rel, name: name not in SKIPPED_DIRS):
        if regex.match(entry.rel):
            yield entry.rel
