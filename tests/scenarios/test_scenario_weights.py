"""Evaluator derivation, default weights, overrides and legacy names."""

from __future__ import annotations

from zebench.scenarios import DEFAULT_WEIGHTS, load_scenario_dir


def _weights(scenario) -> dict[str, float]:
    return {e.name: e.weight for e in scenario.evaluators}


def test_derived_evaluators_use_the_default_table(make_scenario) -> None:
    directory = make_scenario(
        """\
        validation_commands: [npm install, npm run build, npx vitest, tsc --noEmit, eslint ., echo hi]
        targets: {required: [{name: nx, to: "~20"}]}
        heuristic_checks: {files: [{name: f, path: a}]}
        llm_judge: {enabled: true, categories: [a]}
        """
    )
    scenario = load_scenario_dir(directory, "demo")
    assert _weights(scenario) == {
        name: DEFAULT_WEIGHTS[name]
        for name in [
            "install",
            "build",
            "lint",
            "typecheck",
            "test",
            "heuristic_checks",
            "dependencies",
            "integrity",
            "llm_judge",
        ]
    }
    assert list(_weights(scenario)) == [
        "install",
        "build",
        "lint",
        "typecheck",
        "test",
        "heuristic_checks",
        "dependencies",
        "integrity",
        "llm_judge",
    ]
    # Required targets make their evaluator required, next to integrity.
    assert [e.name for e in scenario.evaluators if e.required] == ["dependencies", "integrity"]


def test_disabled_or_empty_parts_add_no_evaluator(make_scenario) -> None:
    directory = make_scenario(
        """\
        validation_commands: [echo hi]
        heuristic_checks: {enabled: true}
        llm_judge: {enabled: false, categories: [a]}
        targets: {optional: [{name: eslint, to: "^9"}]}
        """
    )
    assert list(_weights(load_scenario_dir(directory, "demo"))) == ["integrity"]


def test_rubric_overrides_with_legacy_names_and_unknown_keys(make_scenario) -> None:
    directory = make_scenario(
        """\
        id: x
        validation: {commands: {install: pnpm i, test: pnpm test}}
        targets: {required: [{name: nx, to: "~20"}]}
        llm_judge: {enabled: true, categories: [a]}
        rubric_overrides:
          weights:
            install_success: 0.5
            tests_nonregression: 1.5
            dependency_targets: 4
            integrity_guard: 2
            llm_judge: 0.25
            efficiency: 0.5
        """
    )
    scenario = load_scenario_dir(directory, "demo")
    assert _weights(scenario) == {
        "install": 0.5,
        "test": 1.5,
        "dependencies": 4.0,
        "integrity": 2.0,
        "llm_judge": 0.25,
    }
    assert scenario.warnings == [
        "scenario.yaml: rubric_overrides.weights.efficiency: no evaluator produces 'efficiency'; ignored"
    ]


def test_override_of_an_absent_evaluator_warns_with_the_mapped_name(make_scenario) -> None:
    directory = make_scenario("id: x\nrubric_overrides: {weights: {install_success: 2}}\n")
    assert (
        "scenario.yaml: rubric_overrides.weights.install_success: no evaluator produces 'install'; ignored"
        in load_scenario_dir(directory, "demo").warnings
    )


def test_zero_weight_drops_the_evaluator(make_scenario) -> None:
    derived = make_scenario("id: x\nrubric_overrides: {weights: {integrity_guard: 0}}\n", name="a")
    assert load_scenario_dir(derived, "demo").evaluators == []
    explicit = make_scenario("name: x\nevaluators: [{name: test, weight: 0}, lint]\n", name="b")
    assert list(_weights(load_scenario_dir(explicit, "demo"))) == ["lint"]


def test_explicit_evaluators_are_used_exactly(make_scenario) -> None:
    directory = make_scenario(
        """\
        name: x
        validation_commands: [npm test, npm run build]
        llm_judge: {enabled: true, categories: [a]}
        evaluators:
          - {name: test, required: true}
          - {name: integrity, required: false}
          - {name: my-plugin, weight: 0.5, config: {level: 2}, mode: strict}
        """
    )
    specs = load_scenario_dir(directory, "demo").evaluators
    assert [(e.name, e.weight, e.required) for e in specs] == [
        ("test", 3.0, True),
        ("integrity", 1.0, False),
        ("my-plugin", 0.5, False),
    ]
    assert specs[2].config == {"level": 2, "mode": "strict"}


def test_judge_without_categories_warns(make_scenario) -> None:
    scenario = load_scenario_dir(make_scenario("id: x\nllm_judge: {enabled: true}\n"), "demo")
    assert "llm_judge" in _weights(scenario)
    assert (
        "scenario.yaml: llm_judge is enabled but has no categories; the judge will be skipped"
        in scenario.warnings
    )
