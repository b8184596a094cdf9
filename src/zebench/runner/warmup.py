"""The warmup: validation on a pristine copy of the fixture, stored as the batch's control result."""

from __future__ import annotations

from pathlib import Path

from zebench.commands.runner import CommandRunner, runner_hook
from zebench.results.models import ControlResult
from zebench.scenarios.model import Scenario
from zebench.validation import run_validation
from zebench.workspace import prepare_workspace


def run_warmup(scenario: Scenario, workspace_root: Path, runner: CommandRunner) -> ControlResult:
    """Run the validation commands on a fresh copy of the fixture.

    The copy is a workspace like any other, so the committed fixture is never touched (the
    original's warmup wiped it). A failing control is information, not an error: many scenarios
    start broken on purpose.
    """
    workspace = prepare_workspace(scenario, workspace_root)
    try:
        commands = run_validation(scenario, workspace.path, runner)
    finally:
        runner_hook(runner, "close")  # its sandbox session, if it keeps one
        workspace.remove()
    return ControlResult(
        suite=scenario.suite,
        scenario=scenario.id,
        commands=commands,
        passed=all(c.ok for c in commands),
    )
