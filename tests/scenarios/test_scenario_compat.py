"""The real ze-benchmarks suites load unchanged (skipped when the compat copy is absent)."""

from __future__ import annotations

from pathlib import Path

from zebench.scenarios import discover_suites, load_scenario, resolve_prompt


def test_update_deps_nx_scenario(compat_suites: Path) -> None:
    scenario = load_scenario("update-deps", "nx-pnpm-monorepo", compat_suites)
    assert scenario.format == "ze-benchmarks"
    assert scenario.tiers == ["L0", "L1", "L2", "L3", "Lx"]
    assert scenario.timeout_minutes == 40
    # Scenario paths are resolved: compare with the resolved copy (shared/ may be a symlink).
    assert (
        scenario.fixture_dir
        == (compat_suites / "update-deps/scenarios/nx-pnpm-monorepo/repo-fixture").resolve()
    )
    assert [c.kind for c in scenario.validation] == ["install", "lint", "typecheck", "test"]
    assert {t.name for t in scenario.targets.required} == {"typescript", "nx"}
    assert "should i update to react 19" in scenario.oracle_answers
    assert {e.name: e.weight for e in scenario.evaluators} == {
        "install": 1.0,  # install_success
        "lint": 1.0,
        "typecheck": 1.0,
        "test": 1.5,  # tests_nonregression
        "dependencies": 2.0,
        "integrity": 1.0,
        "llm_judge": 1.0,
    }
    assert len([w for w in scenario.warnings if "no evaluator produces" in w]) == 10
    assert not [w for w in scenario.warnings if "unknown key" in w]
    for tier in scenario.tiers:
        assert resolve_prompt(scenario, tier.lower()).text.strip()


def test_next_js_scenarios_have_l3(compat_suites: Path) -> None:
    for scenario_id in ("000-app-router-migration-simple", "031-ai-sdk-migration-simple"):
        scenario = load_scenario("next.js", scenario_id, compat_suites)
        assert scenario.tiers == ["L3"]
        assert resolve_prompt(scenario, "L3").path.name == "L3-migration.md"
        assert not [w for w in scenario.warnings if "unknown key" in w]

    first = load_scenario("next.js", "000-app-router-migration-simple", compat_suites)
    assert first.heuristic_checks is not None and first.heuristic_checks.count == 9
    assert "heuristic_checks" in [e.name for e in first.evaluators]
    judgeless = load_scenario("next.js", "031-ai-sdk-migration-simple", compat_suites)
    assert any("no categories" in w for w in judgeless.warnings)


def test_every_compat_scenario_loads(compat_suites: Path) -> None:
    for suite in discover_suites(compat_suites):
        if suite.bundled:
            continue
        for scenario_id in suite.scenario_ids:
            assert load_scenario(suite.name, scenario_id, compat_suites).id == scenario_id
