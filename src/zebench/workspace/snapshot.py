"""Snapshot a folder into the harness's repository, reading it only through :mod:`zebench.safefs`.

A snapshot is one commit holding every file of the folder that git would track: files already in
the baseline, and untracked files the fixture's ignore rules do not leave out. It is streamed into
``git fast-import`` (hand-built rather than ``git add``: git would follow the folder's own ``.git``,
attributes and filters, read FIFOs and load huge files whole; here every read is checked and
capped). The same code writes the baseline of the pristine fixture and the snapshot of what the
agent left, so both sides of a diff follow the same rules.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

from zebench.errors import WorkspaceError
from zebench.safefs import UnsafeFileError, WalkEntry, WalkLimits, WalkReport, read_bytes, walk_files
from zebench.safefs.paths import resolve
from zebench.safefs.read import open_plain, read_fd
from zebench.workspace.git import git_env
from zebench.workspace.harness_repo import HarnessRepo
from zebench.workspace.ignore import IgnoreRules, skipped_name

_GITIGNORE_CAP = 1024 * 1024


@dataclass(frozen=True)
class SnapshotLimits:
    """How big a workspace may be: files, bytes in all, bytes per file in the diff, folder depth."""

    max_files: int = 100_000
    max_bytes: int = 1024**3
    max_file_bytes: int = 10 * 1024**2
    max_depth: int = 200


@dataclass
class Snapshot:
    """A folder as committed: ``commit`` is None when the folder crossed a limit (``over_limit``)."""

    commit: str | None
    files: int = 0
    bytes: int = 0
    omitted: list[tuple[str, str]] = field(default_factory=list)  # (path, why), left out or not compared
    over_limit: str | None = None


def take_snapshot(
    root: Path,
    repo: HarnessRepo,
    ref: str,
    *,
    rules: IgnoreRules,
    tracked: dict[str, tuple[str, str]] | None = None,
    limits: SnapshotLimits | None = None,
    learn_rules: bool = False,
) -> Snapshot:
    """Commit the folder ``root`` as ``ref`` in ``repo``.

    ``tracked`` (the baseline's files) are kept whatever the ignore rules say; a tracked file that
    cannot be read safely keeps its baseline content and is named in ``omitted``. With
    ``learn_rules`` (the pristine fixture only) each folder's ``.gitignore`` is read into ``rules``.
    """
    limits = limits or SnapshotLimits()
    writer = _Writer(root, tracked or {}, rules, limits, learn_rules)
    proc = subprocess.Popen(
        ["git", "-c", "core.hooksPath=/dev/null", "fast-import", "--quiet", "--done", "--force"],
        cwd=repo.git_dir,
        env=git_env(repo.git_dir),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    try:
        snapshot = writer.write(proc.stdin, ref)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    if snapshot.over_limit is not None:
        proc.kill()  # the commit is never finished, so nothing is written
        proc.communicate()
        return snapshot
    out, err = proc.communicate()
    sha = out.decode("ascii", errors="replace").strip()
    if proc.returncode != 0 or len(sha) != 40:
        raise WorkspaceError(_fast_import_failure(err), file=repo.git_dir)
    snapshot.commit = sha
    return snapshot


def _fast_import_failure(stderr: bytes) -> str:
    """One line for a failed fast-import; a full disk is named as the OS names it everywhere else."""
    text = stderr.decode(errors="replace").strip()
    first = text.splitlines()[0] if text else "no message"
    # git words ENOSPC as "Out of diskspace"; users (and the other phases) read "No space left on device"
    if "Out of diskspace" in text or "No space left" in text:
        return f"No space left on device while storing the workspace snapshot ({first[:200]})"
    return f"git fast-import failed: {first[:300]}"


class _Writer:
    """Walks the folder and streams one fast-import commit of what it finds."""

    def __init__(
        self,
        root: Path,
        tracked: dict[str, tuple[str, str]],
        rules: IgnoreRules,
        limits: SnapshotLimits,
        learn_rules: bool,
    ) -> None:
        self.root = root
        self.tracked = tracked
        self.tracked_dirs = {
            path.rsplit("/", i)[0] for path in tracked for i in range(1, path.count("/") + 1)
        }
        self.rules = rules
        self.limits = limits
        self.learn_rules = learn_rules
        self.forced: set[str] = set()  # ignored folders entered only for their tracked files
        self.report = WalkReport()
        self.omitted: list[tuple[str, str]] = []

    def write(self, out: IO[bytes], ref: str) -> Snapshot:
        out.write(f"commit {ref}\nmark :1\ncommitter zebench <zebench@localhost> 0 +0000\ndata 0\n".encode())
        if self.learn_rules:
            self._learn("")
        walk_limits = WalkLimits(self.limits.max_files, self.limits.max_bytes, self.limits.max_depth)
        linked: list[WalkEntry] = []
        for entry in walk_files(
            self.root, self.report, limits=walk_limits, keep_dir=self._keep_dir, keep_file=self._keep_file
        ):
            if entry.is_symlink:
                target = os.readlink(entry.name, dir_fd=entry.dir_fd)  # recorded, never followed
                self._emit(out, "120000", entry.rel, os.fsencode(target))
            elif entry.info.st_nlink > 1:
                linked.append(entry)  # decided once every name of the file has been seen
            else:
                self._add_file(out, entry.rel, entry.info, partial(self._read_at, entry))
        snapshot = Snapshot(None, self.report.files, self.report.bytes, self.omitted, self.report.over_limit)
        if snapshot.over_limit is not None:
            return snapshot
        self._add_hard_links(out, linked)
        for rel, why in self.report.skipped:
            self.omitted.append((rel, why))
        out.write(b"\nget-mark :1\ndone\n")  # communicate() flushes and closes the stream
        return snapshot

    def _keep_dir(self, rel: str, name: str) -> bool:
        if skipped_name(name):
            return False
        if any(rel.startswith(d + "/") for d in self.forced):
            return rel in self.tracked_dirs
        if self.rules.ignored(rel, is_dir=True):
            if rel not in self.tracked_dirs:
                return False
            self.forced.add(rel)
        elif self.learn_rules:
            self._learn(rel)
        return True

    def _keep_file(self, rel: str) -> bool:
        if rel in self.tracked:
            return True
        name = rel.rsplit("/", 1)[-1]
        if name.lower() == ".git":
            return False  # a gitdir: pointer; never the agent's business to commit
        if self.forced and any(rel.startswith(d + "/") for d in self.forced):
            return False
        return not self.rules.ignored(rel, is_dir=False)

    def _learn(self, folder: str) -> None:
        rel = f"{folder}/.gitignore" if folder else ".gitignore"
        try:
            text = read_bytes(self.root, rel, max_bytes=_GITIGNORE_CAP).decode("utf-8", errors="replace")
        except (OSError, UnsafeFileError):
            return
        self.rules.add(folder, text)

    def _read_at(self, entry: WalkEntry) -> bytes:
        fd = open_plain(entry.dir_fd, entry.name, entry.info, self.root, entry.rel)
        try:
            return read_fd(fd, self.limits.max_file_bytes + 1)
        finally:
            os.close(fd)

    def _add_file(self, out: IO[bytes], rel: str, info: os.stat_result, read: Callable[[], bytes]) -> None:
        if info.st_size > self.limits.max_file_bytes:
            self._keep_baseline(out, rel, f"over the {self.limits.max_file_bytes}-byte limit per file")
            return
        try:
            data = read()
        except UnsafeFileError as exc:
            self._keep_baseline(out, rel, f"not read: {exc.why}")
            return
        except OSError as exc:
            self._keep_baseline(out, rel, f"not read: {exc.strerror or exc}")
            return
        if len(data) > self.limits.max_file_bytes:
            self._keep_baseline(out, rel, f"over the {self.limits.max_file_bytes}-byte limit per file")
            return
        self._emit(out, "100755" if info.st_mode & stat.S_IXUSR else "100644", rel, data)

    def _add_hard_links(self, out: IO[bytes], linked: list[WalkEntry]) -> None:
        # A hard link whose every name is inside the folder reaches nothing outside it: safe to read.
        names = Counter((e.info.st_dev, e.info.st_ino) for e in linked)
        for entry in linked:
            if names[(entry.info.st_dev, entry.info.st_ino)] == entry.info.st_nlink:
                self._add_file(out, entry.rel, entry.info, partial(self._read_linked, entry))
            else:
                self._keep_baseline(out, entry.rel, "hard-linked to a file outside the workspace")

    def _read_linked(self, entry: WalkEntry) -> bytes:
        with ExitStack() as stack:
            found = resolve(self.root, entry.rel, stack)
            if found.info is None or (found.info.st_dev, found.info.st_ino) != (
                entry.info.st_dev,
                entry.info.st_ino,
            ):
                raise UnsafeFileError(self.root, entry.rel, "changed while it was being read")
            fd = open_plain(found.dir_fd, found.name, found.info, self.root, entry.rel)
            try:
                return read_fd(fd, self.limits.max_file_bytes + 1)
            finally:
                os.close(fd)

    def _keep_baseline(self, out: IO[bytes], rel: str, why: str) -> None:
        """Name ``rel`` as not compared; a tracked file keeps its baseline content in the snapshot."""
        self.omitted.append((rel, why))
        known = self.tracked.get(rel)
        if known is not None:
            out.write(b"M " + known[0].encode() + b" " + known[1].encode() + b" " + _path(rel) + b"\n")

    @staticmethod
    def _emit(out: IO[bytes], mode: str, rel: str, data: bytes) -> None:
        out.write(b"M " + mode.encode() + b" inline " + _path(rel) + b"\ndata %d\n" % len(data))
        out.write(data)
        out.write(b"\n")


def _path(rel: str) -> bytes:
    """``rel`` as fast-import reads a path: raw bytes, or C-quoted when it needs quoting."""
    raw = os.fsencode(rel)
    if not raw.startswith(b'"') and b"\n" not in raw:
        return raw
    quoted = bytearray(b'"')
    for byte in raw:
        char = bytes([byte])
        if char in (b'"', b"\\"):
            quoted += b"\\" + char
        elif byte < 0x20 or byte == 0x7F:
            quoted += b"\\%03o" % byte
        else:
            quoted += char
    return bytes(quoted + b'"')
