"""Workspace-confined path helpers: globs with ``**`` and braces, and path containment checks."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

SKIPPED_DIRS = frozenset({".git", "node_modules"})


class PathEscapeError(ValueError):
    """A path given by a scenario points outside the workspace."""


def confined(workspace: Path, relative: str) -> Path:
    """``workspace / relative`` resolved, refusing anything (``..``, absolute, symlink) outside it."""
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
    """Relative POSIX paths of the files under ``workspace`` matching ``pattern``, sorted per folder.

    ``.git`` and ``node_modules`` are never walked: they are large and never the agent's work.
    """
    regex = glob_regex(pattern)
    root = str(workspace)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        rel_dir = os.path.relpath(dirpath, root)
        for filename in sorted(filenames):
            rel = filename if rel_dir == "." else f"{rel_dir}/{filename}".replace(os.sep, "/")
            if regex.match(rel):
                yield rel
