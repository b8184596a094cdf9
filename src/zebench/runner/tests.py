"""A run's per-test results: read after validation, graded against the scenario's lists, stored."""

from __future__ import annotations

from pathlib import Path

from zebench.grading import TestReport, TestResults, grade, summarize_tests
from zebench.grading.collect import collect_results, junit_globs
from zebench.results.models import CONTROL_FAILED_TESTS_CAP, CommandResult, ControlResult, RunRecord
from zebench.scenarios.model import Scenario

TESTS_ARTIFACT = "tests"


def _read(scenario: Scenario, commands: list[CommandResult], workspace: Path) -> TestResults | None:
    if not any(c.kind == "test" for c in commands):
        return None
    return collect_results(commands, workspace, junit=junit_globs(scenario.evaluators))


def read_run_tests(record: RunRecord, scenario: Scenario, workspace: Path) -> TestResults | None:
    """Read the run's per-test results from its validation; set ``record.tests`` (the summary) and
    the ``tests`` artifact (every id and status, and the lists graded against). Returns the results
    for the evaluators, None when the run has no test command or nothing could be read."""
    results = _read(scenario, record.validation, workspace)
    if results is None and not scenario.has_test_lists:
        return None
    resolution = (
        grade(results, scenario.fail_to_pass, scenario.pass_to_pass) if scenario.has_test_lists else None
    )
    record.tests = summarize_tests(results or TestResults(), resolution)
    report = TestReport(
        results=results or TestResults(),
        fail_to_pass=scenario.fail_to_pass,
        pass_to_pass=scenario.pass_to_pass,
    )
    record.artifacts[TESTS_ARTIFACT] = report.model_dump_json()
    return results


def grade_control(control: ControlResult, scenario: Scenario, workspace: Path) -> ControlResult:
    """The control with its per-test results: the summary and the tests failing on the pristine fixture."""
    results = _read(scenario, control.commands, workspace)
    if results is None:
        return control
    resolution = (
        grade(results, scenario.fail_to_pass, scenario.pass_to_pass) if scenario.has_test_lists else None
    )
    failing = results.failing()
    if scenario.has_test_lists:  # the F2P tests first: they are what the control is there to show
        listed = set(scenario.fail_to_pass)
        failing = [t for t in failing if t in listed] + [t for t in failing if t not in listed]
    return control.model_copy(
        update={
            "tests": summarize_tests(results, resolution),
            "failed_tests": failing[:CONTROL_FAILED_TESTS_CAP],
        }
    )
