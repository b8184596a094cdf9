"""Run every configured validation command: install, build, lint, typecheck and test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from zebench.commands.runner import DEFAULT_OUTPUT_CAP, TEST_OUTPUT_CAP, CommandRunner
from zebench.results.models import CommandResult
from zebench.scenarios.model import Scenario


def run_validation(
    scenario: Scenario,
    workspace: Path,
    runner: CommandRunner,
    *,
    on_command: Callable[[str], None] | None = None,
) -> list[CommandResult]:
    """Run each validation command in order, in ``workspace``, and return every result.

    All commands run even when an earlier one fails: a failing install must not hide that the
    tests would also fail, and each evaluator scores its own command. Each command gets the
    network only when it declares it (install commands do by default); the result records it.
    Test commands keep more output, so every test's line can be read (``TEST_OUTPUT_CAP``).
    """
    results: list[CommandResult] = []
    for command in scenario.validation:
        if on_command:
            on_command(command.name)
        results.append(
            runner.run(
                command.command,
                workspace,
                name=command.name,
                kind=command.kind,
                timeout_s=command.timeout_s,
                env=scenario.env,
                network=command.network,
                output_cap=TEST_OUTPUT_CAP if command.kind == "test" else DEFAULT_OUTPUT_CAP,
            )
        )
    return results
