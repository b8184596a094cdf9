"""Package stores shared by a scenario's runs: pnpm's store and metadata cache, npm's and pip's caches.

A sandbox's HOME is private and empty, so without these every run's install downloads every
package again (the original's update-deps suite: ~10 s of a ~13 s validation). Each scenario whose
validation installs packages gets a shared folder in zebench's cache (``stores/<scenario key>``),
and each phase's sandbox works on a **private copy** of it, bound read-write at
:data:`STORE_INSIDE` with the tools pointed there (:data:`STORE_ENV`). Nothing a run's commands
write reaches the shared folder or another run: an agent (or the package scripts its edits pull
in) cannot plant anything for the next run.

Only the control fills the shared folder (:meth:`PackageStores.publish`, called by the warmup
after it validated the pristine fixture: the scenario author's code, not an agent's). Publishing
reads the copy through :mod:`zebench.safefs`: regular, singly linked files only, no links, FIFOs
or devices, bounded in count and size. A read-only bind of the shared folder would save the copy,
but pnpm and pip write into their store on every install (pip disables a read-only cache
outright), and this host's bubblewrap (0.8) has no overlay mounts to make a read-only store look
writable.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path

from zebench._threads import background_thread
from zebench.safefs import UnsafeFileError, WalkLimits, WalkReport, remove_tree, walk_files
from zebench.safefs.read import check_plain, open_plain, read_fd

STORE_INSIDE = "/run/zebench/stores"
STORE_ENV = {
    "npm_config_store_dir": f"{STORE_INSIDE}/pnpm-store",  # pnpm's content-addressed store
    "npm_config_cache_dir": f"{STORE_INSIDE}/pnpm-cache",  # pnpm's package metadata
    "npm_config_cache": f"{STORE_INSIDE}/npm",
    "PIP_CACHE_DIR": f"{STORE_INSIDE}/pip",
}
PUBLISH_LIMITS = WalkLimits(max_files=300_000, max_bytes=4 * 1024**3, max_depth=64)
_FILE_CAP = 512 * 1024**2


class PackageStores:
    """The shared stores of one scenario (``shared``), copied into each phase's sandbox."""

    def __init__(self, shared: Path) -> None:
        self.shared = shared

    @classmethod
    def for_scenario(cls, suite: str, scenario_id: str) -> PackageStores:
        from zebench.packages import cache_dir

        key = hashlib.sha256(f"{suite}\0{scenario_id}".encode()).hexdigest()[:16]
        return cls(cache_dir() / "stores" / key)

    def private_copy(self) -> Path:
        """A fresh folder only this user can enter, holding a copy of the shared stores."""
        copy = Path(tempfile.mkdtemp(prefix="zebench-stores-"))
        if self.shared.is_dir():
            # cp, not shutil.copytree: several times faster on tens of thousands of small files.
            # The source holds only what publish() wrote: plain files and folders.
            subprocess.run(["cp", "-a", f"{self.shared}/.", str(copy)], capture_output=True, check=False)
        for inside in STORE_ENV.values():  # each tool finds its folder there
            (copy / Path(inside).name).mkdir(exist_ok=True)
        return copy

    def publish(self, copy: Path) -> bool:
        """Make ``copy`` (a phase's stores, after the control's install) the shared stores.

        Returns False, leaving the shared stores as they were, when the copy crosses
        :data:`PUBLISH_LIMITS`.
        """
        self.shared.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".publish-", dir=self.shared.parent))
        try:
            if not _copy_plain_files(copy, staging):
                return False
            old = self.shared.with_name(f"{self.shared.name}.old-{os.getpid()}")
            with suppress(FileNotFoundError):
                self.shared.rename(old)
            staging.rename(self.shared)
            remove_tree(old)
            return True
        finally:
            if staging.exists():
                remove_tree(staging)


def _copy_plain_files(source: Path, dest: Path) -> bool:
    """Copy the regular, singly linked files of ``source`` (sandbox-written) into ``dest``."""
    report = WalkReport()
    root_dev = os.stat(source).st_dev
    for entry in walk_files(source, report, limits=PUBLISH_LIMITS):
        if entry.is_symlink:
            continue
        try:
            check_plain(source, entry.rel, entry.info, root_dev)
            fd = open_plain(entry.dir_fd, entry.name, entry.info, source, entry.rel)
        except (UnsafeFileError, OSError):
            continue
        try:
            data = read_fd(fd, _FILE_CAP + 1)
        finally:
            os.close(fd)
        if len(data) > _FILE_CAP:
            continue
        target = dest / entry.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as out:
            out.write(data)
        os.chmod(target, 0o755 if entry.info.st_mode & 0o100 else 0o644)
    return report.over_limit is None


def remove_copy(copy: Path | None) -> None:
    """Delete a phase's copy (written by its sandbox: deleted without following anything), on the
    thread that deletes workspaces, so a run does not wait for it."""
    if copy is not None:
        background_thread("workspace-remover").submit(_remove_quietly, copy)


def _remove_quietly(copy: Path) -> None:
    with suppress(OSError):
        remove_tree(copy)


__all__ = ["STORE_ENV", "STORE_INSIDE", "PackageStores", "remove_copy"]
