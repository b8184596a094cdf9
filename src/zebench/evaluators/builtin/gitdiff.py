"""Read what changed between the baseline and the agent's snapshot, line by line.

The evaluators need exact evidence (file, line, text) and must not trust the run's stored diff,
which may be truncated, so they ask git directly, in the harness's own repository: both sides are
commits there (see :mod:`zebench.workspace.snapshot`), and no git command reads the workspace.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from zebench.errors import WorkspaceError
from zebench.workspace.harness_repo import HarnessRepo

ChangeKind = Literal["added", "modified", "deleted", "renamed"]
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class Line(BaseModel):
    """One added or removed line: its number in the new (added) or old (removed) file."""

    number: int
    text: str


class FileDiff(BaseModel):
    """The changes to one file since the baseline."""

    path: str  # the new path; the old one for deletions
    old_path: str | None = None
    change: ChangeKind = "modified"
    binary: bool = False
    added: list[Line] = Field(default_factory=list)
    removed: list[Line] = Field(default_factory=list)


class GitError(RuntimeError):
    """git failed in the harness's repository (an unknown baseline commit...)."""


def git(repo: HarnessRepo, *args: str) -> str:
    """Run a read-only git command in the harness's repository and return its stdout."""
    try:
        return repo.git(*args).decode("utf-8", errors="replace")
    except WorkspaceError as exc:
        raise GitError(f"git {' '.join(args[:2])} failed: {exc.message}") from exc


def baseline_text(repo: HarnessRepo, ref: str, path: str) -> str | None:
    """A file's content at a commit (the baseline, the agent's snapshot), or None if absent."""
    data = repo.show(ref, path)
    return None if data is None else data.decode("utf-8", errors="replace")


def _unquote(path: str) -> str:
    path = path.rstrip("\t")
    if path.startswith('"') and path.endswith('"'):
        # git C-quotes names holding quotes, backslashes or control characters.
        escapes = {'\\"': '"', "\\\\": "\\", "\\t": "\t", "\\n": "\n"}
        path = re.sub(r'\\["\\tn]', lambda m: escapes[m.group(0)], path[1:-1])
    return path


def _strip_prefix(path: str) -> str | None:
    path = _unquote(path)
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


def parse_unified_diff(patch: str) -> list[FileDiff]:
    """Parse ``git diff -M -U0`` output into per-file added and removed lines with line numbers."""
    files: list[FileDiff] = []
    lines = patch.split("\n")
    i = 0
    current: FileDiff | None = None
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            rest = line[len("diff --git ") :]
            half = rest[2 : (len(rest) - 1) // 2] if len(rest) % 2 == 1 else rest[2:]
            current = FileDiff(path=half)
            files.append(current)
        elif current is None:
            pass
        elif line.startswith("deleted file mode"):
            current.change = "deleted"
        elif line.startswith("new file mode"):
            current.change = "added"
        elif line.startswith("rename from "):
            current.old_path = _unquote(line[len("rename from ") :])
            current.change = "renamed"
        elif line.startswith("rename to "):
            current.path = _unquote(line[len("rename to ") :])
        elif line.startswith("Binary files "):
            current.binary = True
        elif line.startswith("--- "):
            old = _strip_prefix(line[4:])
            if old is not None and current.change == "deleted":
                current.path = old
        elif line.startswith("+++ "):
            new = _strip_prefix(line[4:])
            if new is not None:
                current.path = new
        elif match := _HUNK.match(line):
            old_start, old_count, new_start, new_count = match.groups()
            n_old = 1 if old_count is None else int(old_count)
            n_new = 1 if new_count is None else int(new_count)
            old_no, new_no = int(old_start), int(new_start)
            # Consume exactly the announced lines, so content such as "--- x" is never read as a header.
            while (n_old or n_new) and i + 1 < len(lines):
                i += 1
                body = lines[i]
                if body.startswith("\\"):
                    continue
                if body.startswith("-") and n_old:
                    current.removed.append(Line(number=old_no, text=body[1:]))
                    old_no += 1
                    n_old -= 1
                elif body.startswith("+") and n_new:
                    current.added.append(Line(number=new_no, text=body[1:]))
                    new_no += 1
                    n_new -= 1
                else:
                    break
        i += 1
    return files


def workspace_changes(repo: HarnessRepo, ref: str, tree: str) -> list[FileDiff]:
    """Every file changed between the commit ``ref`` and the snapshot ``tree``, renames detected."""
    patch = git(
        repo,
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "-M",
        "-U0",
        ref,
        tree,
        "--",
    )
    return parse_unified_diff(patch)
