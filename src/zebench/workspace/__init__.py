"""Isolated copies of fixtures, the git baseline, diffs, reference solutions and hidden tests.

Each run owns one :class:`Workspace`: ``prepare_workspace`` copies the fixture (without dependency,
build and cache folders) and commits its baseline in the harness's own repository, outside the
workspace; ``Workspace.diff`` snapshots what the agent left (through :mod:`zebench.safefs`) and
reports everything it changed since then.
"""

from zebench.workspace.copy import EXCLUDED_DIRS, copy_fixture, remove_tree
from zebench.workspace.diff import DEFAULT_MAX_DIFF_BYTES, OmittedFile, WorkspaceDiff
from zebench.workspace.harness_repo import HarnessRepo
from zebench.workspace.snapshot import SnapshotLimits
from zebench.workspace.solution import apply_solution, copy_hidden_tests
from zebench.workspace.workspace import (
    BASELINE_REF,
    Workspace,
    fill_workspace,
    harness_folder,
    prepare_workspace,
    reserve_workspace,
)

__all__ = [
    "BASELINE_REF",
    "DEFAULT_MAX_DIFF_BYTES",
    "EXCLUDED_DIRS",
    "HarnessRepo",
    "OmittedFile",
    "SnapshotLimits",
    "Workspace",
    "WorkspaceDiff",
    "apply_solution",
    "copy_fixture",
    "copy_hidden_tests",
    "fill_workspace",
    "harness_folder",
    "prepare_workspace",
    "remove_tree",
    "reserve_workspace",
]
