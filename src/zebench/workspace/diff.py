"""The agent's changes: an exact binary-safe patch, the changed files and the dependency changes."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import nullcontext
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.models import DependencyChange, FileChange
from zebench.workspace.deps import ManifestParseError, compare_manifests, is_manifest, parse_manifest
from zebench.workspace.git import run_git

DEFAULT_MAX_DIFF_BYTES = 2_000_000

_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "T": "typechange", "C": "added"}


class WorkspaceDiff(BaseModel):
    """What changed in a workspace since its baseline commit.

    ``patch`` applies with ``git apply`` to a copy of the fixture (unless ``truncated``).
    """

    model_config = ConfigDict(extra="forbid")

    patch: str
    truncated: bool = False
    changed_files: list[FileChange] = Field(default_factory=list)
    dependency_changes: list[DependencyChange] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # e.g. a manifest that no longer parses


def compute_diff(
    workspace: Path,
    baseline_ref: str,
    max_bytes: int = DEFAULT_MAX_DIFF_BYTES,
    *,
    baseline_index: Path | None = None,
    index_dir: Path | None = None,
) -> WorkspaceDiff:
    """Diff the baseline commit against the working tree of ``workspace``, untracked files included.

    The working tree is staged into a throwaway index (GIT_INDEX_FILE), so the workspace's own index,
    which the agent may have used, is never touched. ``baseline_index`` (an index of exactly
    ``baseline_ref``) saves the ``read-tree``; its stat data never matches the workspace's files
    (other inodes and ctimes), so git re-reads every file and the result is the same. With
    ``index_dir``, the staged index is kept there as ``index`` (see :func:`snapshot_tree`).
    """
    folder = (
        nullcontext(str(index_dir)) if index_dir else tempfile.TemporaryDirectory(prefix="zebench-index-")
    )
    with folder as tmp:
        index_env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        # The baseline's tree first: tracked files that now match an ignore rule stay tracked.
        if not _copy_index(baseline_index, Path(index_env["GIT_INDEX_FILE"])):
            run_git(workspace, ["read-tree", baseline_ref], env=index_env)
        run_git(workspace, ["add", "-A", "--", "."], env=index_env)
        base = ["diff", "--cached", "-M", "--no-ext-diff", "--no-textconv", "--no-color", "--full-index"]
        # One git process for the status, the counts and the patch (each used to be its own diff).
        combined = run_git(
            workspace, [*base, "-z", "--raw", "--numstat", "--binary", "-p", baseline_ref], env=index_env
        ).stdout
        split = _split_combined(combined)
        if split is None:  # an output shape this parser does not know: ask git for each part
            raw = run_git(workspace, [*base, "--binary", baseline_ref], env=index_env).stdout
            name_status = run_git(
                workspace, [*base, "--name-status", "-z", baseline_ref], env=index_env
            ).stdout
            numstat = run_git(workspace, [*base, "--numstat", "-z", baseline_ref], env=index_env).stdout
        else:
            name_status, numstat, raw = split
        changed = _parse_name_status(name_status, _binary_paths(numstat))
        patch_bytes = raw
        if not _is_utf8(raw):
            # Text files that are not UTF-8 are diffed as binary so the patch text stays exact.
            latin = _non_utf8_paths(workspace, baseline_ref, changed)
            if latin:
                attrs = Path(tmp) / "attributes"
                attrs.write_text("".join(f"{_attr_pattern(p)} binary\n" for p in latin), encoding="utf-8")
                patch_bytes = run_git(
                    workspace,
                    ["-c", f"core.attributesFile={attrs}", *base, "--binary", baseline_ref],
                    env=index_env,
                ).stdout
                changed = _parse_name_status(name_status, _binary_paths(numstat) | set(latin))
    patch, truncated = _cap(patch_bytes, max_bytes)
    deps, warnings = _dependency_changes(workspace, baseline_ref, changed)
    return WorkspaceDiff(
        patch=patch,
        truncated=truncated,
        changed_files=changed,
        dependency_changes=deps,
        warnings=warnings,
    )


def snapshot_tree(workspace: Path, index_dir: Path) -> str | None:
    """The git tree of the index :func:`compute_diff` kept in ``index_dir``: the workspace exactly
    as it was diffed (the agent's work), whatever happened to the files since. None if unavailable.

    Written on demand, not with every diff: only evaluators that judge the agent's own changes
    (integrity) need it, and a git process per run is a tenth of a short run's overhead.
    """
    index = index_dir / "index"
    if not index.is_file():
        return None
    proc = run_git(workspace, ["write-tree"], env={"GIT_INDEX_FILE": str(index)}, check=False)
    sha = proc.stdout.decode().strip()
    return sha if proc.returncode == 0 and sha else None


def _copy_index(source: Path | None, target: Path) -> bool:
    if source is None:
        return False
    try:
        shutil.copyfile(source, target)
    except OSError:  # the template was cleaned away meanwhile: read-tree does the same
        return False
    return True


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


def _non_utf8_paths(workspace: Path, ref: str, changed: list[FileChange]) -> list[str]:
    found: list[str] = []
    for change in changed:
        if change.binary:
            continue
        now = workspace / change.path
        texts: list[bytes] = []
        if change.change != "deleted" and now.is_file() and not now.is_symlink():
            texts.append(now.read_bytes())
        old = _show(workspace, ref, change.old_path or change.path)
        if old is not None:
            texts.append(old)
        if any(not _is_utf8(t) for t in texts):
            found.append(change.path)
            if change.old_path:
                found.append(change.old_path)
    return found


def _attr_pattern(path: str) -> str:
    """A gitattributes pattern matching exactly ``path`` (glob characters escaped, quoted if needed)."""
    escaped = "".join("\\" + c if c in "*?[]\\" else c for c in path)
    pattern = "/" + escaped
    if any(c in pattern for c in ' "\t') or not pattern.isascii():
        inner = pattern.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
        return f'"{inner}"'
    return pattern


def _show(workspace: Path, ref: str, path: str) -> bytes | None:
    proc = run_git(workspace, ["show", f"{ref}:{path}"], check=False)
    return proc.stdout if proc.returncode == 0 else None


def _dependency_changes(
    workspace: Path, ref: str, changed: list[FileChange]
) -> tuple[list[DependencyChange], list[str]]:
    changes: list[DependencyChange] = []
    warnings: list[str] = []
    for change in changed:
        if not is_manifest(change.path):
            continue
        old = None if change.change == "added" else _show(workspace, ref, change.old_path or change.path)
        now_path = workspace / change.path
        new = (
            now_path.read_bytes()
            if change.change != "deleted" and now_path.is_file() and not now_path.is_symlink()
            else None
        )
        try:
            before = parse_manifest(change.path, old.decode("utf-8")) if old is not None else {}
            after = parse_manifest(change.path, new.decode("utf-8")) if new is not None else {}
        except (ManifestParseError, UnicodeDecodeError) as exc:
            warnings.append(f"{change.path}: dependency changes not computed: {exc}")
            continue
        changes.extend(compare_manifests(change.path, before, after))
    return changes, warnings


__all__ = ["DEFAULT_MAX_DIFF_BYTES", "WorkspaceDiff", "compute_diff", "snapshot_tree"]
