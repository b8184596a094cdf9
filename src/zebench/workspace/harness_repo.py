"""The harness's own git repository for one run: bare, private, outside the workspace.

It holds the baseline commit (the pristine fixture) and the snapshot commit of what the agent
left, both written by :mod:`zebench.workspace.snapshot` from files read through
:mod:`zebench.safefs`. Diffs and the integrity checks compare those two commits here, with no work
tree at all, so nothing the agent wrote (a ``.git`` folder, ``.gitattributes``, hooks, filters,
``core.worktree``, ``gitdir:`` files) is ever read or run by the harness's git. A run's repository
borrows the objects of its fixture's cached template through ``objects/info/alternates``, so
creating one writes five small files and starts no process.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from zebench.workspace.git import run_git

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
# Highest-precedence attributes: whatever attributes git might find (an in-tree .gitattributes in
# newer git's bare-repository mode), no filter, driver, conversion or encoding applies.
_ATTRIBUTES = "* !diff !merge !filter !text !eol !crlf !ident !working-tree-encoding !export-subst\n"
_CONFIG = f"""[core]
\trepositoryformatversion = 0
\tbare = true
\tfilemode = true
\tlogallrefupdates = false
[attr]
\ttree = {EMPTY_TREE}
"""


class HarnessRepo:
    """A bare repository the harness alone writes. ``git_dir`` is never inside a workspace."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir

    @classmethod
    def create(cls, git_dir: Path, *, borrow_from: Path | None = None) -> HarnessRepo:
        """Lay out an empty bare repository at ``git_dir`` by hand (no git process).

        ``borrow_from``: another harness repository whose objects this one may read.
        """
        for sub in ("objects/info", "objects/pack", "refs/heads", "refs/tags", "info"):
            (git_dir / sub).mkdir(parents=True, exist_ok=True)
        (git_dir / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
        (git_dir / "config").write_text(_CONFIG, encoding="utf-8")
        (git_dir / "info" / "attributes").write_text(_ATTRIBUTES, encoding="utf-8")
        if borrow_from is not None:
            (git_dir / "objects" / "info" / "alternates").write_text(
                f"{(borrow_from / 'objects').resolve()}\n", encoding="utf-8"
            )
        return cls(git_dir)

    def git(self, *args: str, check: bool = True, input_bytes: bytes | None = None) -> bytes:
        """Run git on this repository (no work tree) and return its stdout."""
        return run_git(self.git_dir, args, check=check, input_bytes=input_bytes).stdout

    def show(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at ``rev`` (a commit), or None when it has no such file."""
        proc = run_git(self.git_dir, ["cat-file", "blob", f"{rev}:{path}"], check=False)
        return proc.stdout if proc.returncode == 0 else None

    def set_binary_paths(self, paths: list[str]) -> None:
        """Diff ``paths`` as binary from now on (texts that are not UTF-8 keep an exact patch)."""
        lines = "".join(f"{_attr_pattern(p)} binary\n" for p in paths)
        (self.git_dir / "info" / "attributes").write_text(_ATTRIBUTES + lines, encoding="utf-8")

    def files(self, rev: str) -> dict[str, tuple[str, str]]:
        """Every path of ``rev``'s tree: ``path -> (mode, blob sha)``."""
        return dict(_ls_tree(str(self.git_dir.resolve()), rev))


@lru_cache(maxsize=64)
def _ls_tree(git_dir: str, rev: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    # Cached per process: a baseline never changes once written, and every run of a fixture asks.
    out = run_git(Path(git_dir), ["ls-tree", "-r", "-z", "--full-tree", rev]).stdout
    entries: list[tuple[str, tuple[str, str]]] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, sha = meta.decode().split(" ")
        entries.append((os.fsdecode(path), (mode, sha)))
    return tuple(entries)


def _attr_pattern(path: str) -> str:
    """A gitattributes pattern matching exactly ``path`` (glob characters escaped, quoted if needed)."""
    escaped = "".join("\\" + c if c in "*?[]\\" else c for c in path)
    pattern = "/" + escaped
    if any(c in pattern for c in ' "\t\n') or not pattern.isascii():
        inner = pattern.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
        return f'"{inner}"'
    return pattern
