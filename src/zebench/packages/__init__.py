"""Published packages as scenario inputs: fixtures from PyPI or npm, and tool environments.

``materialize_fixture`` turns a pinned sdist or npm tarball into a cached folder (setup patch
applied) that workspaces copy; ``scenario_runtime`` builds the cached virtualenv or node_modules a
scenario's commands run with; ``prepare_scenario`` does both ahead of a batch (``zebench fetch``).
Downloads use pip and npm, are verified against the scenario's hash and are kept in
:func:`cache_dir`, so later runs need no network.
"""

from __future__ import annotations

from zebench.packages.cache import CACHE_ENV, cache_dir
from zebench.packages.environments import Runtime, prepare_environment, scenario_runtime
from zebench.packages.fixtures import materialize_fixture
from zebench.packages.prepare import PreparedScenario, needs_preparing, prepare_scenario
from zebench.packages.registry import FetchError, fetch_archive, pin_release

__all__ = [
    "CACHE_ENV",
    "FetchError",
    "PreparedScenario",
    "Runtime",
    "cache_dir",
    "fetch_archive",
    "materialize_fixture",
    "needs_preparing",
    "pin_release",
    "prepare_environment",
    "prepare_scenario",
    "scenario_runtime",
]
