"""The warmup: validation, hidden tests included, on a pristine copy of the fixture, stored as the
batch's control result."""

from __future__ import annotations

from pathlib import Path

from zebench.commands.runner import CommandRunner, runner_hook
from zebench.results.models import ControlResult
from zebench.runner.tests import grade_control
from zebench.scenarios.model import Scenario
from zebench.validation import run_validation
from zebench.workspace import copy_hidden_tests, prepare_workspace


def run_warmup(scenario: Scenario, workspace_root: Path, runner: CommandRunner) -> ControlResult:
    """Run the validation commands, with the hidden tests, on a fresh copy of the fixture.

    The copy is a throwaway workspace of its own, never a run's, so the committed fixture is never
    touched (the original's warmup wiped it) and the hidden tests reach no agent. With the hidden
    tests in, the control shows what the task is about: which tests fail before the fix (a bug
    scenario's fail-to-pass tests). A failing control is information, not an error.
    """
    workspace = prepare_workspace(scenario, workspace_root)
    try:
        copy_hidden_tests(scenario, workspace.path)
        commands = run_validation(scenario, workspace.path, runner)
        # The pristine fixture's install filled this phase's package stores: later runs start warm.
        runner_hook(runner, "publish_stores")
        control = ControlResult(
            suite=scenario.suite,
            scenario=scenario.id,
            commands=commands,
            passed=all(c.ok for c in commands),
        )
        return grade_control(control, scenario, workspace.path)
    finally:
        runner_hook(runner, "close")  # its sandbox session, if it keeps one
        workspace.remove()
