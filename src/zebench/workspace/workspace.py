"""Isolated per-run copies of a scenario's fixture with a git baseline to diff against."""

from __future__ import annotations

import os
import secrets
import string
from contextlib import suppress
from pathlib import Path

from zebench._names import path_safe
from zebench._threads import background_thread
from zebench.errors import WorkspaceError
from zebench.packages import materialize_fixture
from zebench.safefs import remove_tree
from zebench.scenarios.model import Scenario, WorkspaceLimits
from zebench.workspace.cache import (
    BASELINE_REF,
    build_agent_tree,
    clone_template,
    commit_baseline,
    get_template,
)
from zebench.workspace.diff import DEFAULT_MAX_DIFF_BYTES, WorkspaceDiff, compute_diff
from zebench.workspace.harness_repo import HarnessRepo
from zebench.workspace.ignore import IgnoreRules
from zebench.workspace.snapshot import SnapshotLimits, take_snapshot

_ALPHABET = string.ascii_lowercase + string.digits


class Workspace:
    """One run's private copy of the fixture, and the harness's repository that judges it.

    ``path`` is the agent's folder. ``repo`` is a bare repository in a private folder outside it,
    where ``baseline_ref`` is the commit of the pristine copy; :meth:`diff` snapshots what the agent
    left into it and compares. The harness never runs git on anything inside ``path``.
    """

    def __init__(
        self,
        path: Path,
        private: Path,
        baseline_ref: str,
        rules: IgnoreRules,
        *,
        tracked_repo: HarnessRepo | None = None,
    ) -> None:
        self.path = path
        self.private = private
        self.repo = HarnessRepo(private / "harness.git")
        self.baseline_ref = baseline_ref
        self.rules = rules
        self.agent_commit: str | None = None
        self._tracked_repo = tracked_repo or self.repo  # the template's, whose listing is cached

    def diff(
        self, max_bytes: int = DEFAULT_MAX_DIFF_BYTES, *, limits: WorkspaceLimits | None = None
    ) -> WorkspaceDiff:
        """Everything that changed since the baseline, untracked files included, capped at ``max_bytes``.

        A workspace over ``limits`` gets no diff: the result says why in ``over_limit``.
        """
        snapshot = take_snapshot(
            self.path,
            self.repo,
            "refs/zebench/agent",
            rules=self.rules,
            tracked=self._tracked_repo.files(self.baseline_ref),
            limits=_snapshot_limits(limits or WorkspaceLimits()),
        )
        if snapshot.commit is None:
            return WorkspaceDiff(
                patch="",
                truncated=True,
                over_limit=snapshot.over_limit,
                warnings=[f"no diff: the workspace holds {snapshot.over_limit}"],
            )
        self.agent_commit = snapshot.commit
        return compute_diff(
            self.repo, self.baseline_ref, snapshot.commit, max_bytes, omitted=snapshot.omitted
        )

    def snapshot_tree(self) -> str | None:
        """The commit of the workspace as the last :meth:`diff` saw it (None before any diff).

        Hidden tests and validation change the files afterwards; this commit is what the agent left.
        """
        return self.agent_commit

    def remove(self, *, background: bool = False, keep_files: bool = False) -> None:
        """Delete the workspace folder and the harness's repository. Removing twice is fine.

        ``keep_files`` (``--keep-workspace``) keeps the agent's folder and removes only the
        harness's repository. ``background`` hands the deletion to a thread, so a run's result does
        not wait for it; the process still finishes every pending deletion before it exits.
        """
        folders = [self.private] if keep_files else [self.path, self.private]
        if background:
            background_thread("workspace-remover").submit(_remove_all, folders)
        else:
            _remove_all(folders)

    def __repr__(self) -> str:
        return f"Workspace(path={str(self.path)!r}, baseline_ref={self.baseline_ref!r})"


HARNESS_FOLDER = ".harness"  # beside the workspaces; workspace names never start with a dot


def harness_folder(workspace_path: Path) -> Path:
    """Where the harness keeps its own repository for the workspace at ``workspace_path``.

    A sibling of the workspaces (``<root>/.harness/<workspace name>``), so no sandbox, which binds
    only the workspace folder itself, can see it, and whoever removes a workspace by its stored
    path (``--resume`` after a kill -9) can remove this folder too.
    """
    return workspace_path.parent / HARNESS_FOLDER / workspace_path.name


def _snapshot_limits(limits: WorkspaceLimits) -> SnapshotLimits:
    return SnapshotLimits(max_files=limits.files, max_bytes=limits.bytes, max_file_bytes=limits.file_bytes)


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
    private = harness_folder(path)
    try:
        _make_harness_folder(private)
        # The baseline is committed once per fixture content (see zebench.workspace.cache); each
        # run copies that prepared tree and borrows its objects. Without a usable cache folder the
        # baseline is committed from the fresh copy, before any agent sees it.
        fixture = _fixture(scenario)
        template = get_template(fixture)
        if template is not None:
            clone_template(template, path)
            HarnessRepo.create(private / "harness.git", borrow_from=template.repo)
            return Workspace(
                path, private, template.sha, template.rules, tracked_repo=HarnessRepo(template.repo)
            )
        build_agent_tree(fixture, path)
        rules = IgnoreRules()
        baseline = commit_baseline(path, HarnessRepo.create(private / "harness.git"), rules)
        return Workspace(path, private, baseline, rules)
    except BaseException:
        _remove_all([path, private])
        raise


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
        if folder.parent.name == HARNESS_FOLDER:
            with suppress(OSError):  # still holds another run's repository: it stays
                folder.parent.rmdir()


def _make_harness_folder(private: Path) -> None:
    # Another run removes the shared .harness folder when it empties (``_remove_all``), at any
    # moment: between our mkdir of it and of the run's folder in it, or even inside pathlib's
    # ``mkdir(exist_ok=True)``, which re-raises FileExistsError when the folder it found is gone
    # by the time it checks. So the parent's mkdir ignores "exists", and a vanished parent is
    # made again.
    for attempt in range(5):
        with suppress(FileExistsError):
            os.mkdir(private.parent, 0o700)
        try:
            private.mkdir(mode=0o700)
            return
        except FileNotFoundError:
            if attempt == 4:
                raise


def _new_folder(root: Path, prefix: str) -> Path:
    for _ in range(20):
        candidate = root / f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise WorkspaceError("could not create a unique workspace folder", file=root)


__all__ = [
    "BASELINE_REF",
    "Workspace",
    "fill_workspace",
    "harness_folder",
    "prepare_workspace",
    "reserve_workspace",
]
