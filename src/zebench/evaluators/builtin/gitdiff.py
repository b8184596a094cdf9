"""Read what changed in a workspace since its baseline commit, line by line, untracked files included.

The evaluators need exact evidence (file, line, text) and must not trust the run's stored diff,
which may be truncated, so they ask git directly.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

ChangeKind = Literal["added", "modified", "deleted", "renamed"]
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_MAX_UNTRACKED_BYTES = 1024 * 1024
_GIT_TIMEOUT_S = 120


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
    """git failed inside the workspace (no repository, unknown baseline commit...)."""


def git(workspace: Path, *args: str) -> str:
    """Run a read-only git command in the workspace and return its stdout.

    Run directly rather than through the scenario's CommandRunner: this is the harness inspecting
    the workspace, and a sandboxing runner need not have git.
    """
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")},
        # The user's git config (noprefix, external diff tools, colours) must not change the output.
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",  # never touch the index, so the workspace stays as the agent left it
    }
    proc = subprocess.run(
        ["git", "-c", "core.quotePath=false", "-c", "safe.directory=*", *args],
        cwd=workspace,
        env=env,
        capture_output=True,
        timeout=_GIT_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode("utf-8", errors="replace")


def baseline_text(workspace: Path, ref: str, path: str) -> str | None:
    """A file's content at a commit or tree (the baseline, the agent's snapshot), or None if absent."""
    try:
        return git(workspace, "show", f"{ref}:{path}")
    except GitError:
        return None


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


def workspace_changes(workspace: Path, ref: str, tree: str | None = None) -> list[FileDiff]:
    """Every file changed since ``ref``: tracked edits, commits, deletions, and untracked new files.

    With ``tree`` (a snapshot of the workspace, untracked files included), the changes between
    ``ref`` and that tree instead of the live working tree.
    """
    patch = git(
        workspace,
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "-M",
        "-U0",
        ref,
        *([tree] if tree else []),
        "--",
    )
    files = parse_unified_diff(patch)
    if tree:
        return files
    untracked = git(workspace, "ls-files", "--others", "--exclude-standard", "-z")
    for rel in filter(None, untracked.split("\0")):
        if "node_modules/" in rel or rel.startswith("node_modules"):
            continue
        path = workspace / rel
        diff = FileDiff(path=rel, change="added")
        try:
            data = path.read_bytes() if path.stat().st_size <= _MAX_UNTRACKED_BYTES else b""
        except OSError:
            data = b""
        if b"\0" in data:
            diff.binary = True
        else:
            text = data.decode("utf-8", errors="replace")
            diff.added = [Line(number=n, text=t) for n, t in enumerate(text.splitlines(), start=1)]
        files.append(diff)
    return files
