"""Finding suites: the user's suites folder plus the suites bundled with zebench.

Bundled: ``examples`` (offline, nothing to install) and ``realworld`` (upstream bug fixes of
published packages, fetched once from PyPI and npm).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from zebench.errors import ScenarioError
from zebench.scenarios.loader import find_scenario_file, load_scenario_dir
from zebench.scenarios.model import Scenario, Suite

SUITES_DIR_ENV = "ZEBENCH_SUITES_DIR"
BUNDLED_SUITE = "examples"  # the quick-start suite
BUNDLED_SUITES = ("examples", "realworld")


def bundled_suites_dir() -> Path:
    """The ``suites/`` folder shipped inside the installed zebench package."""
    return Path(str(files("zebench") / "suites"))


def resolve_suites_dir(suites_dir: Path | None) -> Path | None:
    """The user's suites folder: the explicit argument, else $ZEBENCH_SUITES_DIR, else ./suites if it
    exists, else None (only the bundled suite is then available)."""
    if suites_dir is not None:
        return Path(suites_dir)
    from_env = os.environ.get(SUITES_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env)
    local = Path("suites")
    return local if local.is_dir() else None


def _scenario_ids(suite_dir: Path) -> list[str]:
    scenarios = suite_dir / "scenarios"
    return sorted(
        child.name
        for child in scenarios.iterdir()
        if child.is_dir() and not child.name.startswith(".") and find_scenario_file(child) is not None
    )


def _suites_in(directory: Path, *, bundled: bool) -> list[Suite]:
    if not directory.is_dir():
        return []
    suites: list[Suite] = []
    for child in sorted(directory.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and (child / "scenarios").is_dir():
            suites.append(
                Suite(
                    name=child.name,
                    directory=child.resolve(),
                    scenario_ids=_scenario_ids(child),
                    bundled=bundled,
                )
            )
    return suites


def discover_suites(suites_dir: Path | None = None) -> list[Suite]:
    """Every available suite, sorted by name: the user's suites, and the bundled ones unless a user
    suite of the same name shadows them."""
    root = resolve_suites_dir(suites_dir)
    user: list[Suite] = []
    if root is not None:
        if not root.is_dir():
            raise ScenarioError(
                "the suites folder does not exist",
                file=root,
                hint=f"create it, or pass an existing folder with --suites-dir or ${SUITES_DIR_ENV}",
            )
        user = _suites_in(root, bundled=False)
    names = {suite.name for suite in user}
    bundled = [
        suite
        for suite in _suites_in(bundled_suites_dir(), bundled=True)
        if suite.name in BUNDLED_SUITES and suite.name not in names
    ]
    return sorted([*user, *bundled], key=lambda suite: suite.name)


def load_suite(name: str, suites_dir: Path | None = None) -> Suite:
    """The suite called ``name``; a ScenarioError listing the available suites if there is none."""
    suites = discover_suites(suites_dir)
    for suite in suites:
        if suite.name == name:
            return suite
    available = ", ".join(suite.name for suite in suites) or "none"
    root = resolve_suites_dir(suites_dir)
    raise ScenarioError(
        f"no suite named '{name}' (available: {available})",
        file=root,
        hint="a suite is a folder with a scenarios/ subfolder; create one with 'zebench new suite'",
    )


def load_scenario(suite: str, scenario_id: str, suites_dir: Path | None = None) -> Scenario:
    """Load ``<suite>/<scenario_id>``; a ScenarioError listing the suite's scenarios if it has no such one."""
    found = load_suite(suite, suites_dir)
    if scenario_id not in found.scenario_ids:
        available = ", ".join(found.scenario_ids) or "none"
        raise ScenarioError(
            f"suite '{suite}' has no scenario '{scenario_id}' (available: {available})",
            file=found.directory / "scenarios",
            hint="a scenario is a folder under scenarios/ with a scenario.yaml",
        )
    return load_scenario_dir(found.directory / "scenarios" / scenario_id, found.name)
