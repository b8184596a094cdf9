"""Fixture, oracle, solution and hidden-test resolution, and validation-command kinds."""

from __future__ import annotations

import json

import pytest

from zebench.scenarios import infer_command_kind, load_scenario_dir


def test_repo_is_preferred_over_repo_fixture(make_scenario) -> None:
    directory = make_scenario("name: x\n", files={"repo/a.txt": "a"})
    assert load_scenario_dir(directory, "demo").fixture_dir == directory / "repo"


def test_workspace_not_required_has_no_fixture(make_scenario) -> None:
    scenario = load_scenario_dir(
        make_scenario("name: x\nworkspace: {required: false}\n", fixture=None), "demo"
    )
    assert scenario.fixture_dir is None and scenario.workspace_required is False


def test_ze_artifact_scenario_needs_no_workspace_or_validation(make_scenario) -> None:
    directory = make_scenario(
        "id: x\nartifact: {type: figma}\nvalidation: {commands: {test: pnpm test}}\n", fixture=None
    )
    scenario = load_scenario_dir(directory, "demo")
    assert scenario.workspace_required is False and scenario.validation == []


def test_default_oracle_file_and_expected_versions(make_scenario) -> None:
    answers = {"q one": "yes", "count": 3, "expected_versions": {"react": "^18.3"}}
    directory = make_scenario(
        "name: x\ntargets: {required: [{name: nx, to: '~20.0'}]}\n",
        files={"oracle-answers.json": json.dumps(answers)},
    )
    scenario = load_scenario_dir(directory, "demo")
    assert scenario.oracle_answers_file == directory / "oracle-answers.json"
    assert scenario.oracle_answers == {"q one": "yes"}
    assert [(t.name, t.to) for t in scenario.targets.required] == [("nx", "~20.0"), ("react", "^18.3")]
    assert "oracle-answers.json: answer 'count' is not a string (ignored)" in scenario.warnings
    assert "dependencies" in [e.name for e in scenario.evaluators]


def test_configured_oracle_file(make_scenario) -> None:
    directory = make_scenario(
        "name: x\noracle: {answers_file: ./data/answers.json}\n", files={"data/answers.json": '{"a": "b"}'}
    )
    scenario = load_scenario_dir(directory, "demo")
    assert scenario.oracle_answers_file == directory / "data" / "answers.json"
    assert scenario.oracle_answers == {"a": "b"}


def test_no_oracle_file(make_scenario) -> None:
    scenario = load_scenario_dir(make_scenario("name: x\n"), "demo")
    assert scenario.oracle_answers_file is None and scenario.oracle_answers == {}


@pytest.mark.parametrize(
    ("files", "kind", "relative"),
    [
        ({"solution/a.py": "x"}, "folder", "solution"),
        ({"solution.patch": "diff"}, "patch", "solution.patch"),
        ({"solve.sh": "#!/bin/sh"}, "script", "solve.sh"),
    ],
)
def test_solution_is_auto_detected(make_scenario, files, kind, relative) -> None:
    directory = make_scenario("name: x\n", files=files)
    solution = load_scenario_dir(directory, "demo").solution
    assert solution is not None and solution.kind == kind and solution.path == directory / relative


def test_solution_key_wins_and_infers_kind(make_scenario) -> None:
    directory = make_scenario(
        "name: x\nsolution: fixes/fix.diff\n", files={"fixes/fix.diff": "d", "solve.sh": "#!/bin/sh"}
    )
    solution = load_scenario_dir(directory, "demo").solution
    assert (
        solution is not None
        and solution.kind == "patch"
        and solution.path == directory / "fixes" / "fix.diff"
    )


def test_no_solution(make_scenario) -> None:
    assert load_scenario_dir(make_scenario("name: x\n"), "demo").solution is None


def test_hidden_tests(make_scenario) -> None:
    auto = make_scenario("name: x\n", name="a", files={"tests-hidden/test_a.py": ""})
    assert load_scenario_dir(auto, "demo").hidden_tests_dir == auto / "tests-hidden"
    keyed = make_scenario("name: x\nhidden_tests: secret\n", name="b", files={"secret/t.py": ""})
    assert load_scenario_dir(keyed, "demo").hidden_tests_dir == keyed / "secret"
    assert load_scenario_dir(make_scenario("name: x\n", name="c"), "demo").hidden_tests_dir is None


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("npm install", "install"),
        ("pnpm install --frozen-lockfile", "install"),
        ("yarn install", "install"),
        ("python -m pip install -e .", "install"),
        ("uv sync", "install"),
        ("npm run build", "build"),
        ("cargo build --release", "build"),
        ("npm run lint", "lint"),
        ("npx eslint .", "lint"),
        ("ruff check src", "lint"),
        ("flake8", "lint"),
        ("pylint pkg", "lint"),
        ("tsc --noEmit", "typecheck"),
        ("mypy src", "typecheck"),
        ("pyright", "typecheck"),
        ("pnpm typecheck", "typecheck"),
        ("pnpm -w -r test --if-present", "test"),
        ("pytest -q", "test"),
        ("npx jest", "test"),
        ("npx vitest run", "test"),
        ("python3 -m unittest discover -s tests -v", "test"),
        ("go test ./...", "test"),
        ("node --test", "test"),
        ("echo hello", "custom"),
        ("make latest", "custom"),
    ],
)
def test_command_kind_inference(command: str, kind: str) -> None:
    assert infer_command_kind(command) == kind


def test_command_names_default_to_kind_and_are_unique(make_scenario) -> None:
    directory = make_scenario(
        "validation_commands: [pytest a, pytest b, {name: test, command: pytest c}, echo hi]\n"
    )
    names = [c.name for c in load_scenario_dir(directory, "demo").validation]
    assert names == ["test", "test-2", "test-3", "custom"]
