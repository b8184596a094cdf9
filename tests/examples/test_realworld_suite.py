"""The bundled ``realworld`` suite is well formed, offline: every scenario pins a published package.

Proving the scenarios (download, oracle passes, echo fails) needs PyPI and npm, so CI does it in
``scripts/ci_real_suites.sh``; here every scenario must load and carry what that proof relies on.
"""

from __future__ import annotations

import re

import pytest

from zebench.grading import LOCK_FILE, load_lock, scenario_digest
from zebench.scenarios import bundled_suites_dir, load_scenario, load_suite

SUITE = load_suite("realworld")
PROJECTS = {
    (s.package_fixture.registry, s.package_fixture.name)
    for s in (load_scenario("realworld", i) for i in SUITE.scenario_ids)
    if s.package_fixture is not None
}


def test_the_suite_is_bundled_with_enough_projects() -> None:
    assert SUITE.bundled and SUITE.directory == (bundled_suites_dir() / "realworld").resolve()
    assert len(SUITE.scenario_ids) >= 8
    assert len({name for registry, name in PROJECTS if registry == "pypi"}) >= 6
    assert any(registry == "npm" for registry, _ in PROJECTS)


@pytest.mark.parametrize("scenario_id", SUITE.scenario_ids)
def test_each_scenario_is_a_pinned_upstream_fix(scenario_id: str) -> None:
    scenario = load_scenario("realworld", scenario_id)
    assert scenario.warnings == []
    fixture = scenario.package_fixture
    assert fixture is not None and scenario.fixture_dir is None
    assert re.fullmatch(r"sha256:[0-9a-f]{64}|sha512-[A-Za-z0-9+/]{86}==", fixture.digest)
    assert scenario.source and ("github.com" in scenario.source or "CHANGELOG" in scenario.source)
    assert scenario.solution is not None and scenario.solution.kind == "patch"
    assert scenario.hidden_tests_dir is not None and any(scenario.hidden_tests_dir.rglob("*.*"))
    assert {"L0", "L1", "L2"} <= set(scenario.tiers)
    assert scenario.environment is not None and not scenario.environment.empty
    assert [c.kind for c in scenario.validation] == ["test"]
    assert not any(c.network for c in scenario.validation)  # the project's tests run offline
    assert {e.name for e in scenario.evaluators} == {"resolved", "integrity"}
    assert next(e for e in scenario.evaluators if e.name == "resolved").required


@pytest.mark.parametrize("scenario_id", SUITE.scenario_ids)
def test_each_scenario_is_locked_and_graded_by_resolution(scenario_id: str) -> None:
    """Every scenario has a tests.lock.json (written by zebench check --lock), current with its inputs."""
    scenario = load_scenario("realworld", scenario_id)
    assert scenario.tests_lock_file == scenario.directory / LOCK_FILE
    assert scenario.fail_to_pass and scenario.pass_to_pass
    assert not set(scenario.fail_to_pass) & set(scenario.pass_to_pass)
    assert scenario.tests_lock_digest == scenario_digest(scenario), "stale lock: run zebench check --lock"
    assert load_lock(scenario.directory / LOCK_FILE).repeats >= 3
    # The test command names every test, so the lists can be graded: pytest with -rA, tape's TAP.
    command = scenario.validation[0].command
    assert "-rA" in command or command.startswith("tape ")
