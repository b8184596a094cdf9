"""Workspaces and baselines built once per fixture; each run copies the tree and borrows the baseline.

A template holds the files an agent starts from (with the agent's own ``.git``: the fixture's
history, or a fresh repository, with the baseline committed for the agent's convenience) and, apart
from them, the harness's bare repository with the baseline commit and the fixture's ignore rules.
Committing a baseline costs a dozen git processes; copying a prepared tree costs none. A template is keyed by a content hash of exactly what :func:`copy_fixture` would copy,
so an edited fixture gets a fresh template, and it is built in a private temporary folder and then
renamed into place: concurrent runs, threads or processes never see a half-built template, and a
lost race simply discards the loser's copy.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import threading
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from zebench.errors import WorkspaceError
from zebench.workspace.copy import EXCLUDED_DIRS, copy_fixture, remove_tree
from zebench.workspace.git import run_git
from zebench.workspace.harness_repo import HarnessRepo
from zebench.workspace.ignore import IgnoreRules
from zebench.workspace.snapshot import SnapshotLimits, take_snapshot

# Bump when the template layout or the baseline recipe changes, so old templates are not reused.
CACHE_VERSION = "2"
CACHE_ENV = "ZEBENCH_WORKSPACE_CACHE"  # overrides the folder; "off" disables the cache
BASELINE_REF = "refs/zebench/baseline"  # the baseline commit in the harness's repository

_SHA_FILE = "baseline-sha"
_TREE = "tree"
_HARNESS = "harness.git"
_RULES = "ignore-rules.json"
# The fixture is scenario input, not the agent's: its baseline is not held to a workspace's limits.
FIXTURE_LIMITS = SnapshotLimits(max_files=10**9, max_bytes=10**15, max_depth=10**4)
# Per process: file digests keyed by a full stat signature, so an unchanged fixture is read once.
_digests: dict[tuple[str, int, int, int, int], bytes] = {}
_digests_lock = threading.Lock()


@dataclass(frozen=True)
class Template:
    """A prepared workspace: ``tree`` holds the files and the agent's ``.git``; ``repo`` is the
    harness's bare repository, where ``sha`` is the baseline commit; ``rules`` the ignore rules."""

    tree: Path
    sha: str
    repo: Path
    rules: IgnoreRules


def cache_root() -> Path | None:
    """The per-user template folder, or None when disabled or not safely ours."""
    configured = os.environ.get(CACHE_ENV)
    if configured and configured.lower() == "off":
        return None
    root = Path(configured) if configured else Path(tempfile.gettempdir()) / f"zebench-ws-cache-{os.getuid()}"
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(root)
    except OSError:
        return None
    # Another user's (or a symlinked) folder could plant a poisoned template: do not use it.
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return None
    return root


def fixture_key(fixture: Path | None) -> str:
    """A hash of the files, links and modes that :func:`copy_fixture` copies from ``fixture``."""
    h = hashlib.sha256(f"zebench-template-{CACHE_VERSION}\0{sorted(EXCLUDED_DIRS)}\0".encode())
    if fixture is not None:
        _hash_tree(fixture, "", h, is_root=True)
    return h.hexdigest()[:32]


def _hash_tree(folder: Path, rel: str, h: hashlib._Hash, *, is_root: bool) -> None:
    # Mirrors copy._copy_tree's rules, so the key covers exactly what a copy would contain.
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = f"{rel}{entry.name}"
            if entry.is_symlink():
                if entry.name not in EXCLUDED_DIRS:
                    h.update(
                        b"L\0" + os.fsencode(name) + b"\0" + os.fsencode(os.readlink(entry.path)) + b"\0"
                    )
            elif entry.is_dir(follow_symlinks=False):
                if entry.name in EXCLUDED_DIRS or (entry.name == ".git" and not is_root):
                    continue
                h.update(b"D\0" + os.fsencode(name) + b"\0")
                _hash_tree(Path(entry.path), name + "/", h, is_root=False)
            elif entry.is_file(follow_symlinks=False) and entry.name != ".git":
                info = entry.stat(follow_symlinks=False)
                h.update(b"F\0" + os.fsencode(name) + f"\0{info.st_mode & 0o7777:o}\0".encode())
                h.update(_file_digest(entry.path, info))


def _file_digest(path: str, info: os.stat_result) -> bytes:
    key = (path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    with _digests_lock:
        known = _digests.get(key)
    if known is not None:
        return known
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").digest()
    with _digests_lock:
        _digests[key] = digest
    return digest


def get_template(fixture: Path | None) -> Template | None:
    """The template for ``fixture``, built on first use; None when caching is unavailable."""
    root = cache_root()
    if root is None:
        return None
    entry = root / fixture_key(fixture)
    found = _read(entry)
    if found is not None:
        return found
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        tree = staging / _TREE
        tree.mkdir()
        build_agent_tree(fixture, tree)
        pack_objects(tree)
        (tree / ".git" / "COMMIT_EDITMSG").unlink(missing_ok=True)  # one file less to copy per run
        rules = IgnoreRules()
        sha = commit_baseline(tree, HarnessRepo.create(staging / _HARNESS), rules)
        (staging / _RULES).write_text(rules.to_json(), encoding="utf-8")
        (staging / _SHA_FILE).write_text(sha + "\n", encoding="utf-8")  # last: marks it complete
        # Atomic: readers see no template or a complete one. Losing the race (the folder now
        # exists) is fine: the winner's template is identical.
        with suppress(OSError):
            os.rename(staging, entry)
    finally:
        if staging.exists():
            remove_tree(staging)
    return _read(entry)


def _read(entry: Path) -> Template | None:
    try:
        sha = (entry / _SHA_FILE).read_text(encoding="utf-8").strip()
        rules = _rules(str(entry / _RULES))
    except (OSError, ValueError):
        return None
    return Template(entry / _TREE, sha, entry / _HARNESS, rules) if sha else None


@lru_cache(maxsize=64)
def _rules(path: str) -> IgnoreRules:
    return IgnoreRules.from_json(Path(path).read_text(encoding="utf-8"))


def commit_baseline(tree: Path, repo: HarnessRepo, rules: IgnoreRules) -> str:
    """Snapshot the pristine ``tree`` as the baseline commit of ``repo``, learning its ignore rules."""
    snapshot = take_snapshot(tree, repo, BASELINE_REF, rules=rules, limits=FIXTURE_LIMITS, learn_rules=True)
    assert snapshot.commit is not None  # FIXTURE_LIMITS are never crossed
    return snapshot.commit


def build_agent_tree(fixture: Path | None, path: Path) -> None:
    """Copy ``fixture`` into the empty folder ``path`` and give the agent a repository to work in.

    The agent's ``.git`` is the fixture's own (its history) or a fresh one, with the copied tree
    committed so the agent starts from a clean ``git status``. This runs before any agent, on the
    scenario's own files; the harness never runs git on this repository again.
    """
    if fixture is not None:
        copy_fixture(fixture, path)
    git_dir = path / ".git"
    if not git_dir.is_dir():
        # No template: sample hooks are never run (hooks are disabled) and would be copied per run.
        run_git(git_dir, ["init", "-q", "--template="], work_tree=path)
    for key, value in (
        ("user.name", "zebench"),
        ("user.email", "zebench@localhost"),
        ("commit.gpgsign", "false"),
    ):
        run_git(git_dir, ["config", "--local", key, value], work_tree=path)
    info = git_dir / "info"
    info.mkdir(exist_ok=True)
    exclude = info / "exclude"
    existing = exclude.read_text(encoding="utf-8") if exclude.is_file() else ""
    lines = "".join(f"{name}/\n" for name in sorted(EXCLUDED_DIRS))
    exclude.write_text(
        existing
        + ("\n" if existing and not existing.endswith("\n") else "")
        + "# zebench: dependency, build and cache folders\n"
        + lines,
        encoding="utf-8",
    )
    run_git(git_dir, ["add", "-A", "--", "."], work_tree=path)
    run_git(
        git_dir, ["commit", "-q", "--no-verify", "--allow-empty", "-m", "zebench baseline"], work_tree=path
    )


def pack_objects(path: Path) -> None:
    """Pack a template's objects: two files copy far faster than one loose file per blob."""
    run_git(path / ".git", ["repack", "-a", "-d", "-q", "-n"])  # -n: no info/refs nor objects/info/packs


def clone_template(template: Template, dst: Path) -> None:
    """Copy the template tree (``.git`` included) into the existing empty folder ``dst``."""
    try:
        _clone(template.tree, dst)
    except OSError as exc:
        raise WorkspaceError(f"could not copy the prepared workspace into {dst}: {exc}", file=dst) from exc


def _clone(src: Path, dst: Path) -> None:
    # Plain syscalls instead of shutil.copy2: about 2.5x faster on small files. Modes and
    # timestamps are kept as copy2 keeps them (extended attributes are not, fixtures have none).
    with os.scandir(src) as entries:
        for entry in entries:
            target = os.path.join(dst, entry.name)
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
            elif entry.is_dir(follow_symlinks=False):
                os.mkdir(target)  # folder modes as copy_fixture makes them
                _clone(Path(entry.path), Path(target))
            else:
                _copy_file(entry.path, target, entry.stat(follow_symlinks=False))


def _copy_file(src: str, dst: str, info: os.stat_result) -> None:
    source = os.open(src, os.O_RDONLY | os.O_CLOEXEC)
    try:
        target = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            _copy_bytes(source, target, info.st_size)
            os.fchmod(target, stat.S_IMODE(info.st_mode))
            os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
        finally:
            os.close(target)
    finally:
        os.close(source)


def _copy_bytes(source: int, target: int, size: int) -> None:
    offset = 0
    try:
        while offset < size:
            sent = os.sendfile(target, source, offset, size - offset)
            if sent == 0:
                break  # the file shrank while being copied
            offset += sent
    except OSError:
        os.lseek(source, offset, os.SEEK_SET)  # sendfile unsupported here: plain reads from where it stopped
        os.lseek(target, offset, os.SEEK_SET)
        while chunk := os.read(source, 1 << 20):
            view = memoryview(chunk)
            while view:
                view = view[os.write(target, view) :]
