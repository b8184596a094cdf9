"""The agent's changes: a patch of its text changes, the changed files and the dependency changes.

Computed between two commits of the harness's private repository (the baseline and the snapshot of
what the agent left, see :mod:`zebench.workspace.snapshot`): git never reads the workspace here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.models import DependencyChange, FileChange
from zebench.workspace.deps import ManifestParseError, compare_manifests, is_manifest, parse_manifest
from zebench.workspace.harness_repo import HarnessRepo

DEFAULT_MAX_DIFF_BYTES = 2_000_000

_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "T": "typechange", "C": "added"}
_BASE = ["diff", "-M", "--no-ext-diff", "--no-textconv", "--no-color", "--full-index", "--no-relative"]


class OmittedFile(BaseModel):
    """A file whose content is not in the patch, and why: binary, over the size limit, unreadable."""

    model_config = ConfigDict(extra="forbid")

    path: str
    reason: str


class WorkspaceDiff(BaseModel):
    """What changed in a workspace since its baseline commit.

    ``patch`` applies with ``git apply`` to a copy of the fixture for every text change (unless
    ``truncated``); binary and oversized files are named in ``omitted`` instead of carried in it.
    ``over_limit`` says why no diff was taken at all (the workspace crossed its limits).
    """

    model_config = ConfigDict(extra="forbid")

    patch: str
    truncated: bool = False
    changed_files: list[FileChange] = Field(default_factory=list)
    dependency_changes: list[DependencyChange] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # e.g. a manifest that no longer parses
    omitted: list[OmittedFile] = Field(default_factory=list)
    over_limit: str | None = None


def compute_diff(
    repo: HarnessRepo,
    baseline: str,
    snapshot: str,
    max_bytes: int = DEFAULT_MAX_DIFF_BYTES,
    *,
    omitted: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> WorkspaceDiff:
    """Diff the commit ``baseline`` against ``snapshot`` in ``repo``, capped at ``max_bytes``.

    ``omitted``: files the snapshot left out or did not compare, named in the result.
    """
    # One git process for the status, the counts and the patch.
    combined = repo.git(*_BASE, "-z", "--raw", "--numstat", "-p", baseline, snapshot)
    split = _split_combined(combined)
    if split is None:  # an output shape this parser does not know: ask git for each part
        raw = repo.git(*_BASE, baseline, snapshot)
        name_status = repo.git(*_BASE, "--name-status", "-z", baseline, snapshot)
        numstat = repo.git(*_BASE, "--numstat", "-z", baseline, snapshot)
    else:
        name_status, numstat, raw = split
    binary = _binary_paths(numstat)
    changed = _parse_name_status(name_status, binary)
    patch_bytes = raw
    if not _is_utf8(raw):
        # Text files that are not UTF-8 are diffed as binary, so the patch text stays exact.
        latin = _non_utf8_paths(repo, baseline, snapshot, changed)
        if latin:
            repo.set_binary_paths(latin)
            patch_bytes = repo.git(*_BASE, baseline, snapshot)
            binary |= set(latin)
            changed = _parse_name_status(name_status, binary)
    patch, truncated = _cap(patch_bytes, max_bytes)
    deps, warnings = _dependency_changes(repo, baseline, snapshot, changed)
    named = [OmittedFile(path=p, reason=why) for p, why in omitted]
    named += [
        OmittedFile(path=c.path, reason="binary: named, not carried in the patch")
        for c in changed
        if c.binary
    ]
    return WorkspaceDiff(
        patch=patch,
        truncated=truncated,
        changed_files=changed,
        dependency_changes=deps,
        warnings=warnings,
        omitted=named,
    )


def _split_combined(data: bytes) -> tuple[bytes, bytes, bytes] | None:
    """Split ``diff -z --raw --numstat -p`` output into name-status, numstat and patch bytes.

    Git prints one raw record per file pair (``:modes shas STATUS\0path\0[path\0]``), then one
    numstat record per pair, then a NUL and the patch. Returns None if the shape is unexpected.
    """
    if not data:
        return b"", b"", b""
    name_status = bytearray()
    pos = 0
    pairs = 0
    while data.startswith(b":", pos):
        end = data.find(b"\0", pos)
        if end < 0:
            return None
        status = data[pos:end].rsplit(b" ", 1)[-1]
        paths = 2 if status[:1] in (b"R", b"C") else 1
        name_status += status + b"\0"
        pos = end + 1
        for _ in range(paths):
            end = data.find(b"\0", pos)
            if end < 0:
                return None
            name_status += data[pos : end + 1]
            pos = end + 1
        pairs += 1
    numstat_start = pos
    for _ in range(pairs):
        end = data.find(b"\0", pos)
        if end < 0:
            return None
        fields = 3 if data[pos:end].endswith(b"\t") else 1  # a rename: old and new paths follow
        for _ in range(fields - 1):
            end = data.find(b"\0", end + 1)
            if end < 0:
                return None
        pos = end + 1
    numstat = data[numstat_start:pos]
    rest = data[pos:]
    if not rest:
        return bytes(name_status), numstat, b""
    if not rest.startswith(b"\0diff --git "):
        return None
    return bytes(name_status), numstat, rest[1:]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _cap(data: bytes, max_bytes: int) -> tuple[str, bool]:
    if len(data) <= max_bytes:
        return data.decode("utf-8", errors="replace"), False
    cut = data.rfind(b"\n", 0, max_bytes) + 1 or max_bytes
    head = data[:cut].decode("utf-8", errors="ignore")
    marker = f"\n# zebench: patch truncated: showing {cut} of {len(data)} bytes; it will not apply\n"
    return head + marker, True


def _split_z(data: bytes) -> list[str]:
    parts = data.decode("utf-8", errors="surrogateescape").split("\0")
    return parts[:-1] if parts and parts[-1] == "" else parts


def _binary_paths(numstat: bytes) -> set[str]:
    """Paths whose --numstat counts are ``-``: git considers them binary."""
    parts = _split_z(numstat)
    binary: set[str] = set()
    i = 0
    while i < len(parts):
        added, deleted, path = parts[i].split("\t", 2)
        if path == "":  # a rename: the old and new paths follow as separate fields
            path = parts[i + 2]
            i += 3
        else:
            i += 1
        if added == "-" and deleted == "-":
            binary.add(path)
    return binary


def _parse_name_status(data: bytes, binary: set[str]) -> list[FileChange]:
    parts = _split_z(data)
    changes: list[FileChange] = []
    i = 0
    while i < len(parts):
        code = parts[i][:1]
        if code in ("R", "C"):
            old, new = parts[i + 1], parts[i + 2]
            i += 3
        else:
            old, new = None, parts[i + 1]
            i += 2
        change = _STATUS.get(code, "modified")
        changes.append(
            FileChange(
                path=new,
                change=change,  # type: ignore[arg-type]
                old_path=old if code == "R" else None,
                binary=new in binary,
            )
        )
    return changes


def _non_utf8_paths(repo: HarnessRepo, baseline: str, snapshot: str, changed: list[FileChange]) -> list[str]:
    found: list[str] = []
    for change in changed:
        if change.binary:
            continue
        texts = [
            repo.show(snapshot, change.path) if change.change != "deleted" else None,
            repo.show(baseline, change.old_path or change.path) if change.change != "added" else None,
        ]
        if any(t is not None and not _is_utf8(t) for t in texts):
            found.append(change.path)
            if change.old_path:
                found.append(change.old_path)
    return found


def _dependency_changes(
    repo: HarnessRepo, baseline: str, snapshot: str, changed: list[FileChange]
) -> tuple[list[DependencyChange], list[str]]:
    changes: list[DependencyChange] = []
    warnings: list[str] = []
    for change in changed:
        if not is_manifest(change.path):
            continue
        old = None if change.change == "added" else repo.show(baseline, change.old_path or change.path)
        new = None if change.change == "deleted" else repo.show(snapshot, change.path)
        try:
            before = parse_manifest(change.path, old.decode("utf-8")) if old is not None else {}
            after = parse_manifest(change.path, new.decode("utf-8")) if new is not None else {}
        except (ManifestParseError, UnicodeDecodeError) as exc:
            warnings.append(f"{change.path}: dependency changes not computed: {exc}")
            continue
        changes.extend(compare_manifests(change.path, before, after))
    return changes, warnings


__all__ = ["DEFAULT_MAX_DIFF_BYTES", "OmittedFile", "WorkspaceDiff", "compute_diff"]
