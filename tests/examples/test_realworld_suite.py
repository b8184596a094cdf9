"""The bundled ``realworld`` suite is well formed, offline: every scenario pins a published package.

Proving the scenarios (download, oracle passes, echo fails) needs PyPI and npm, so CI does it in
``scripts/ci_real_suites.sh``; here every scenario must load and carry what that proof relies on.
"""

from __future__ import annotations

import re

import pytest

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
    assert {e.name for e in scenario.evaluators} == {"test", "integrity"}
