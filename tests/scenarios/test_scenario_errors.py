"""Every kind of bad scenario input becomes one ScenarioError line naming the file, the field and the fix."""

from __future__ import annotations

import pytest

from zebench.errors import ScenarioError
from zebench.scenarios import load_scenario_dir


def _error(directory) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario_dir(directory, "demo")
    line = str(info.value)
    assert "\n" not in line
    return line


def test_malformed_yaml_names_file_and_line(make_scenario) -> None:
    directory = make_scenario("name: x\ndescription: ok\nevaluators: [a\nfoo: : bar\n")
    line = _error(directory)
    assert str(directory / "scenario.yaml") in line
    assert "line 4" in line and "invalid YAML" in line


def test_top_level_must_be_a_mapping(make_scenario) -> None:
    line = _error(make_scenario("- a\n- b\n"))
    assert "top level must be a mapping" in line and "got list" in line


def test_empty_file_is_an_error(make_scenario) -> None:
    assert "empty" in _error(make_scenario(""))


def test_wrong_type_names_dotted_key_and_expected_type(make_scenario) -> None:
    directory = make_scenario("name: x\ntimeout_minutes: soon\n")
    assert (
        _error(directory) == f"{directory / 'scenario.yaml'}: timeout_minutes: expected a number, got 'soon'"
    )


def test_several_type_errors_are_collected_in_one_message(make_scenario) -> None:
    line = _error(
        make_scenario(
            """\
            name: x
            network: maybe
            tags: nope
            heuristic_checks:
              commands: [{name: c}]
            validation_commands: [42, {command: x, kind: weird}]
            """
        )
    )
    assert "network: expected true or false, got 'maybe'" in line
    assert "tags: expected a list, got 'nope'" in line
    assert "heuristic_checks.commands[0].command: required key is missing" in line
    assert "validation_commands[0]: expected a command string or a mapping" in line
    assert "validation_commands[1].kind: expected one of 'install'" in line


def test_ze_wrong_nested_type(make_scenario) -> None:
    line = _error(make_scenario("id: x\nvalidation:\n  required: false\n  commands: [pnpm test]\n"))
    assert "validation.commands: expected a mapping, got ['pnpm test']" in line


def test_unknown_keys_are_warnings_even_when_nested(make_scenario) -> None:
    directory = make_scenario(
        """\
        id: x
        foo: 1
        heuristic_checks:
          enabled: true
          foo: 2
          files: [{name: f, path: a, colour: red}]
        """
    )
    scenario = load_scenario_dir(directory, "demo")
    assert "scenario.yaml: unknown key 'foo' (ignored)" in scenario.warnings
    assert "scenario.yaml: unknown key 'heuristic_checks.foo' (ignored)" in scenario.warnings
    assert "scenario.yaml: unknown key 'heuristic_checks.files[0].colour' (ignored)" in scenario.warnings
    assert scenario.heuristic_checks is not None and scenario.heuristic_checks.files[0].name == "f"


def test_success_threshold_must_be_a_fraction(make_scenario) -> None:
    assert "success_threshold: expected a number within 0..1, got 1.5" in _error(
        make_scenario("name: x\nsuccess_threshold: 1.5\n")
    )


def test_negative_weight_is_an_error(make_scenario) -> None:
    assert "evaluators[0].weight: expected a weight >= 0" in _error(
        make_scenario("name: x\nevaluators: [{name: test, weight: -1}]\n")
    )
    assert "rubric_overrides.weights.test: expected a weight >= 0" in _error(
        make_scenario("id: x\nrubric_overrides: {weights: {test: -2}}\n", name="ze")
    )


def test_duplicate_evaluator_is_an_error(make_scenario) -> None:
    assert "'test' is listed twice" in _error(make_scenario("name: x\nevaluators: [test, test]\n"))


def test_missing_fixture_says_how_to_fix(make_scenario) -> None:
    line = _error(make_scenario("name: x\n", fixture=None))
    assert "add a repo-fixture/ folder or set workspace.required: false" in line


def test_missing_scenario_file(suites_dir) -> None:
    directory = suites_dir / "demo" / "scenarios" / "empty"
    directory.mkdir(parents=True)
    assert "no scenario.yaml" in _error(directory)


def test_bad_oracle_json_names_file_and_line(make_scenario) -> None:
    directory = make_scenario("name: x\n", files={"oracle-answers.json": '{\n  "a": "b",\n  oops\n}\n'})
    line = _error(directory)
    assert str(directory / "oracle-answers.json") in line and "line 3" in line and "invalid JSON" in line


def test_oracle_must_be_an_object(make_scenario) -> None:
    assert "expected a JSON object" in _error(
        make_scenario("name: x\n", files={"oracle-answers.json": "[1]"})
    )


def test_configured_but_missing_oracle_file(make_scenario) -> None:
    line = _error(make_scenario("name: x\noracle: {answers_file: answers.json}\n"))
    assert "oracle.answers_file" in line and "answers.json does not exist" in line


def test_bad_expected_versions(make_scenario) -> None:
    directory = make_scenario("name: x\n", files={"oracle-answers.json": '{"expected_versions": ["a"]}'})
    assert "expected_versions" in _error(directory)


def test_configured_but_missing_solution_and_hidden_tests(make_scenario) -> None:
    assert "solution: the solution fix.patch does not exist" in _error(
        make_scenario("name: x\nsolution: fix.patch\n", name="a")
    )
    assert "hidden_tests: the hidden tests folder" in _error(
        make_scenario("name: x\nhidden_tests: secret\n", name="b")
    )


def test_non_text_keys_and_infinite_numbers(make_scenario) -> None:
    line = _error(make_scenario("name: x\n1: foo\ntimeout_minutes: .inf\n"))
    assert "(top level): key 1 is not text; quote it" in line
    assert "timeout_minutes: expected a finite number, got inf" in line


def test_workspace_limits_accept_sizes_and_refuse_out_of_range_values(make_scenario) -> None:
    scenario = load_scenario_dir(
        make_scenario("name: x\nworkspace_limits: {files: 500, bytes: 2G, file_bytes: 1.5MiB}\n", name="s0"),
        "demo",
    )
    limits = scenario.workspace_limits
    assert (limits.files, limits.bytes, limits.file_bytes) == (500, 2 * 1024**3, int(1.5 * 1024**2))
    defaults = load_scenario_dir(make_scenario("name: x\n", name="s1"), "demo").workspace_limits
    assert (defaults.files, defaults.bytes, defaults.file_bytes) == (100_000, 1024**3, 10 * 1024**2)
    bad = [
        ("files: 0", "workspace_limits.files: expected a count > 0"),
        ("files: -3", "workspace_limits.files: expected a count > 0"),
        ("bytes: 0", "workspace_limits.bytes: expected a size > 0"),
        ("bytes: lots", "workspace_limits.bytes: expected a size such as 500M or 2G, got 'lots'"),
        ("bytes: 9999999T", "workspace_limits.bytes: expected a size > 0 and at most"),
    ]
    for index, (entry, message) in enumerate(bad):
        directory = make_scenario(f"name: x\nworkspace_limits: {{{entry}}}\n", name=f"bad{index}")
        assert message in _error(directory), entry
