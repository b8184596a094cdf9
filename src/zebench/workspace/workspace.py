"""Isolated per-run copies of a scenario's fixture with a git baseline to diff against."""

from __future__ import annotations

import secrets
import string
import tempfile
from contextlib import suppress
from pathlib import Path

from zebench._names import path_safe
from zebench._threads import background_thread
from zebench.errors import WorkspaceError
from zebench.packages import materialize_fixture
from zebench.scenarios.model import Scenario
from zebench.workspace.cache import BASELINE_REF, build_baseline, clone_template, get_template
from zebench.workspace.copy import remove_tree
from zebench.workspace.diff import DEFAULT_MAX_DIFF_BYTES, WorkspaceDiff, compute_diff, snapshot_tree

_ALPHABET = string.ascii_lowercase + string.digits


class Workspace:
    """One run's private copy of the fixture. ``baseline_ref`` is the commit the diff is taken against.

    ``baseline_index``, when known, is a git index of exactly that commit (kept outside the
    workspace, so the agent cannot change it); diffs start from a copy of it.
    """

    def __init__(self, path: Path, baseline_ref: str, baseline_index: Path | None = None) -> None:
        self.path = path
        self.baseline_ref = baseline_ref
        self.baseline_index = baseline_index
        self._private: Path | None = None  # outside the workspace: the index of the last diff

    def diff(self, max_bytes: int = DEFAULT_MAX_DIFF_BYTES) -> WorkspaceDiff:
        """Everything that changed since the baseline, untracked files included, capped at ``max_bytes``."""
        if not (self.path / ".git").is_dir():
            raise WorkspaceError(
                "the workspace's .git folder is gone, so no diff can be taken",
                file=self.path,
                hint="agents must not delete .git",
            )
        if self._private is None:
            self._private = Path(tempfile.mkdtemp(prefix="zebench-ws-index-"))
        return compute_diff(
            self.path,
            self.baseline_ref,
            max_bytes,
            baseline_index=self.baseline_index,
            index_dir=self._private,
        )

    def snapshot_tree(self) -> str | None:
        """The git tree of the workspace as the last :meth:`diff` saw it (None before any diff).

        Hidden tests and validation change the files afterwards; this tree is what the agent left.
        """
        return snapshot_tree(self.path, self._private) if self._private is not None else None

    def remove(self, *, background: bool = False) -> None:
        """Delete the workspace folder, read-only files included. Removing twice is fine.

        ``background`` hands the deletion to a thread, so a run's result does not wait for it; the
        process still finishes every pending deletion before it exits.
        """
        folders = [self.path, *([self._private] if self._private is not None else [])]
        if background:
            background_thread("workspace-remover").submit(_remove_all, folders)
        else:
            _remove_all(folders)

    def __repr__(self) -> str:
        return f"Workspace(path={str(self.path)!r}, baseline_ref={self.baseline_ref!r})"


def prepare_workspace(scenario: Scenario, root: Path) -> Workspace:
    """Create ``root/<suite>-<scenario>-<random>`` holding a copy of the fixture and a baseline commit.

    The fixture is only read. A fixture that is a git repository keeps its history in the copy; any
    other folder gets a fresh repository. The baseline commit records the tree as copied, and is
    ``BASELINE_REF`` in the workspace. A package fixture is fetched into the cache first (once).
    The same as :func:`reserve_workspace` then :func:`fill_workspace`.
    """
    return fill_workspace(scenario, reserve_workspace(scenario, root))


def reserve_workspace(scenario: Scenario, root: Path) -> Path:
    """Check the fixture folder and create the run's empty folder under ``root``; fill it with
    :func:`fill_workspace`. In between, a caller may start what needs the folder (its sandbox).

    A package fixture is fetched by :func:`fill_workspace`, once: it lives in the cache, so the
    root can never be inside it.
    """
    fixture = _checked(scenario.fixture_dir, scenario)
    root = root.expanduser().absolute()
    if fixture is not None and root.resolve().is_relative_to(fixture.resolve()):
        raise WorkspaceError(
            "the workspace root is inside the fixture, which would copy the fixture into itself",
            file=root,
            hint="choose a workspace root outside the scenario folder",
        )
    root.mkdir(parents=True, exist_ok=True)
    return _new_folder(root, f"{path_safe(scenario.suite)}-{path_safe(scenario.id)}")


def fill_workspace(scenario: Scenario, path: Path) -> Workspace:
    """Copy the fixture into the reserved, empty ``path`` with its baseline commit; on failure the
    folder is removed."""
    try:
        # The baseline is committed once per fixture content (see zebench.workspace.cache); each
        # run copies that prepared tree. Without a usable cache folder it is committed in place.
        fixture = _fixture(scenario)
        template = get_template(fixture)
        index: Path | None = None
        if template is not None:
            clone_template(template, path)
            baseline, index = template.sha, template.index
        else:
            baseline = build_baseline(fixture, path)
    except BaseException:
        remove_tree(path)
        raise
    return Workspace(path, baseline, index)


def _fixture(scenario: Scenario) -> Path | None:
    if scenario.package_fixture is not None:
        return _checked(materialize_fixture(scenario.package_fixture), scenario)
    return _checked(scenario.fixture_dir, scenario)


def _checked(fixture: Path | None, scenario: Scenario) -> Path | None:
    if fixture is not None and not fixture.is_dir():
        raise WorkspaceError(
            "the fixture folder does not exist",
            file=fixture,
            field="fixture",
            hint=f"create it or fix the fixture path in {scenario.config_file}",
        )
    return fixture


def _remove_all(folders: list[Path]) -> None:
    for folder in folders:
        with suppress(OSError):  # nothing depends on it: a left-over folder is only disk space
            remove_tree(folder)


def _new_folder(root: Path, prefix: str) -> Path:
    for _ in range(20):
        candidate = root / f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise WorkspaceError("could not create a unique workspace folder", file=root)


__all__ = ["BASELINE_REF", "Workspace", "fill_workspace", "prepare_workspace", "reserve_workspace"]
