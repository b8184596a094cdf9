"""Read-only access to the user's own git repository: commits, their diffs and their trees.

The repository being mined is trusted input (it is the user's), but zebench still runs git with
the same neutral configuration it uses in workspaces, so the user's pager, external diff drivers
or hooks never change what is read.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zebench.errors import ZebenchError
from zebench.workspace.git import _SAFE_CONFIG, first_error_line

GIT_TIMEOUT_S = 300.0
FIELD_SEP = "\x1f"
RECORD_SEP = "\x1e"
# One record per commit: id, parents, date, subject, body, then (after the last separator) the
# name-status lines git appends; the trailing separator keeps a body from passing for file lines.
_FORMAT = RECORD_SEP + FIELD_SEP.join(["%H", "%P", "%cI", "%s", "%b", ""])
# Every file exported as stored: no keyword substitution, no export-ignore, no eol or filter.
_AS_STORED = "* -export-subst -export-ignore -text -eol -filter -ident -working-tree-encoding\n"


class MiningError(ZebenchError):
    """The repository, a commit or a mining option cannot be used."""


@dataclass(frozen=True)
class FileChange:
    """One path a commit touched: ``status`` is git's letter (A, M, D, T), renames split in two."""

    status: str
    path: str


@dataclass(frozen=True)
class CommitInfo:
    """A non-merge commit: its id, its parent, its message and the files it changed."""

    sha: str
    parent: str
    date: str  # ISO 8601, the committer date
    subject: str
    body: str
    changes: tuple[FileChange, ...] = field(default_factory=tuple)

    @property
    def short(self) -> str:
        return self.sha[:10]

    @property
    def message(self) -> str:
        return f"{self.subject}\n\n{self.body}".strip()


class SourceRepo:
    """A local git repository (a working copy or a bare clone) that scenarios are mined from."""

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser().resolve()
        if not self.path.exists():
            raise MiningError("the repository does not exist", file=self.path, hint="pass a local git clone")
        proc = self._git(["rev-parse", "--git-dir"], check=False)
        if proc.returncode != 0:
            raise MiningError(
                "not a git repository", file=self.path, hint="pass a local clone (git clone URL DIR)"
            )

    def _git(
        self,
        args: Sequence[str],
        *,
        check: bool = True,
        timeout_s: float = GIT_TIMEOUT_S,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        argv = ["git"]
        for item in _SAFE_CONFIG:
            argv += ["-c", item]
        argv += ["-c", "diff.noprefix=false", "-C", str(self.path), *args]
        proc = subprocess.run(
            argv,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout_s,
            check=False,
            env={**os.environ, **env} if env else None,
        )
        if check and proc.returncode != 0:
            raise MiningError(f"git {args[0]} failed: {first_error_line(proc.stderr)}", file=self.path)
        return proc

    def resolve(self, rev: str) -> str:
        """The full commit id ``rev`` names; an unknown revision is bad input."""
        proc = self._git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], check=False)
        if proc.returncode != 0:
            raise MiningError(
                f"no commit '{rev}' in the repository", file=self.path, hint="pass a commit id, tag or branch"
            )
        return proc.stdout.decode().strip()

    def commits(
        self, *, rev: str = "HEAD", since: str | None = None, paths: Sequence[str] = ()
    ) -> list[CommitInfo]:
        """Non-merge commits reachable from ``rev`` with one parent, newest first, with their changes."""
        args = ["log", "--no-merges", "--no-renames", "--name-status", f"--format={_FORMAT}"]
        if since:
            args.append(f"--since={since}")
        args += [rev, "--", *paths] if paths else [rev]
        out = self._git(args).stdout.decode("utf-8", errors="replace")
        return [c for c in (_parse_record(r) for r in out.split(RECORD_SEP) if r.strip()) if c is not None]

    def commit(self, rev: str) -> CommitInfo:
        """One commit by id; a merge or root commit is bad input (it has no single parent)."""
        sha = self.resolve(rev)
        out = self._git(["show", "--no-renames", "--name-status", f"--format={_FORMAT}", sha]).stdout.decode(
            "utf-8", errors="replace"
        )
        parsed = _parse_record(out.split(RECORD_SEP, 1)[-1])
        if parsed is None:
            raise MiningError(
                f"commit {sha[:10]} has no single parent (a root or merge commit)",
                file=self.path,
                hint="pick a commit with exactly one parent",
            )
        return parsed

    def diff(self, parent: str, sha: str, paths: Sequence[str]) -> str:
        """The ``git diff`` of ``paths`` between two commits, binary-safe, as ``git apply`` takes it."""
        if not paths:
            return ""
        args = [
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--binary",
            "--full-index",
            "--no-renames",
            "--no-color",
            parent,
            sha,
            "--",
            *paths,
        ]
        return self._git(args).stdout.decode("utf-8", errors="surrogateescape")

    def show_file(self, sha: str, path: str, max_bytes: int = 1_000_000) -> bytes | None:
        """The bytes of ``path`` at commit ``sha``, or None where it does not exist there (or is too big)."""
        size = self._git(["cat-file", "-s", f"{sha}:{path}"], check=False)
        if size.returncode != 0 or int(size.stdout.strip() or 0) > max_bytes:
            return None
        return self._git(["cat-file", "blob", f"{sha}:{path}"]).stdout

    def list_files(self, sha: str) -> list[str]:
        """Every file path in the tree of ``sha``."""
        out = self._git(["ls-tree", "-r", "-z", "--name-only", sha]).stdout.decode("utf-8", "replace")
        return [p for p in out.split("\0") if p]

    def export_tree(self, sha: str, dest: Path) -> None:
        """Write the tree of ``sha`` into the folder ``dest``, byte for byte as git stores it.

        ``git archive`` (no history, no .git) run in a throwaway repository that borrows this one's
        objects, so its ``info/attributes`` (which outrank the tree's .gitattributes) can switch off
        what archive would otherwise do to the files: ``export-subst`` (versioneer's _version.py),
        ``export-ignore``, end-of-line and filter conversion. The solution diff is between blobs,
        so it only applies to blobs. The archive is unpacked with tarfile's ``data`` filter, so
        nothing in it can land outside ``dest``; symlinks inside the tree are kept.
        """
        dest = dest.absolute()  # git runs with -C the repository
        dest.mkdir(parents=True, exist_ok=True)
        tar = dest.parent / f".{dest.name}.tar"
        objects = self._git(["rev-parse", "--path-format=absolute", "--git-path", "objects"])
        with tempfile.TemporaryDirectory(prefix="zebench-export-") as tmp:
            borrowed = Path(tmp) / "repo.git"
            self._git(["init", "-q", "--bare", str(borrowed)])
            (borrowed / "info").mkdir(exist_ok=True)
            (borrowed / "info" / "attributes").write_text(_AS_STORED, encoding="utf-8")
            env = {"GIT_ALTERNATE_OBJECT_DIRECTORIES": objects.stdout.decode().strip()}
            try:
                self._git(
                    ["--git-dir", str(borrowed), "archive", "--format=tar", f"--output={tar}", sha], env=env
                )
                with tarfile.open(tar) as archive:
                    archive.extractall(dest, filter="data")
            finally:
                tar.unlink(missing_ok=True)

    def remote_url(self) -> str | None:
        """The ``origin`` remote's URL, when it has one (it names the repository in exports)."""
        proc = self._git(["config", "--get", "remote.origin.url"], check=False)
        url = proc.stdout.decode().strip()
        return url or None


def _parse_record(record: str) -> CommitInfo | None:
    """One ``git log`` record: the fields of :data:`_FORMAT`, then the name-status lines."""
    fields = record.split(FIELD_SEP)
    if len(fields) < 6:
        return None
    sha, parents, date, subject, body, files = fields[:6]
    if len(parents.split()) != 1:
        return None
    changes: list[FileChange] = []
    for line in files.splitlines():
        status, tab, path = line.partition("\t")
        if tab and status:
            changes.append(FileChange(status=status[0], path=path))
    return CommitInfo(
        sha=sha.strip(),
        parent=parents.split()[0],
        date=date,
        subject=subject.strip(),
        body=body.strip(),
        changes=tuple(changes),
    )
