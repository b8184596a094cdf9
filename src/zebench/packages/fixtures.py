"""A package fixture as a folder: the verified archive unpacked, its setup patch applied, cached."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from zebench._names import path_safe
from zebench.errors import ScenarioError
from zebench.packages.archive import unpack
from zebench.packages.cache import CACHE_VERSION, cache_path
from zebench.packages.registry import fetch_archive
from zebench.scenarios.model import PackageFixture
from zebench.steps import NO_STEPS, StepReporter


def fixture_key(fixture: PackageFixture) -> str:
    """A key for the unpacked tree: the archive's pin plus the exact bytes of the setup patch."""
    h = hashlib.sha256(f"zebench-fixture-{CACHE_VERSION}\0{fixture.registry}\0{fixture.digest}\0".encode())
    if fixture.patch is not None:
        h.update(fixture.patch.read_bytes())
    return h.hexdigest()[:24]


def materialize_fixture(fixture: PackageFixture, steps: StepReporter = NO_STEPS) -> Path:
    """The folder holding the package's files with the setup patch applied; built once, then reused.

    Built in a private folder and renamed into place, so a concurrent builder never sees half a
    tree; the loser of a race discards its copy. The download and the unpacking are reported to
    ``steps`` when they happen.
    """
    root = cache_path("fixtures")
    final = root / f"{path_safe(fixture.name)}-{path_safe(fixture.version)}-{fixture_key(fixture)}"
    if final.is_dir():
        return final
    archive = fetch_archive(fixture, steps)
    with (
        tempfile.TemporaryDirectory(prefix="build-", dir=root) as tmp,
        steps.step(f"unpack {fixture.requirement}" + (" and apply its setup patch" if fixture.patch else "")),
    ):
        tree = Path(tmp) / "tree"
        unpack(archive, tree)
        if fixture.patch is not None:
            _apply(fixture.patch, tree, fixture)
        try:
            tree.rename(final)
        except OSError:
            if not final.is_dir():
                raise
            shutil.rmtree(tree, ignore_errors=True)  # another process won the race
    return final


def _apply(patch: Path, tree: Path, fixture: PackageFixture) -> None:
    # git apply works outside a repository too, and refuses paths that leave the tree.
    proc = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", str(patch)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        detail = next((line for line in proc.stderr.splitlines() if line.strip()), f"exit {proc.returncode}")
        raise ScenarioError(
            f"the setup patch does not apply to {fixture.requirement}: {detail}",
            file=patch,
            hint="regenerate it against the unpacked package (git diff in a fresh copy)",
        )
