"""F2P/P2P of a mined candidate: validation, hidden tests included, on the fixture and on the fix.

Interim: issue 16 part 2 (``zebench.grading``: per-test parsers, ``compute_lock``) lands on another
branch; until it does, this module holds the smallest version mining needs (pytest ``-rA`` and
``unittest -v`` statuses) behind :func:`lock_candidate`, the one function the miner calls, so the
swap touches nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from zebench.commands.runner import runner_hook
from zebench.runner.executors import RunnerFactory
from zebench.scenarios.model import Scenario
from zebench.validation import run_validation
from zebench.workspace import apply_solution, copy_hidden_tests, prepare_workspace

_PYTEST = re.compile(r"^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+)")
_UNITTEST = re.compile(
    r"^(\w+) \(([\w.]+)\)(?:\n[^\n]*?)? \.\.\. (ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)$",
    re.M,
)
_PASSING = {"PASSED", "XFAIL", "ok", "expected failure"}


class CandidateLock(BaseModel):
    """The lists a candidate would be locked with, or the problems that stop it."""

    fail_to_pass: list[str] = Field(default_factory=list)
    pass_to_pass: list[str] = Field(default_factory=list)
    flaky: list[str] = Field(default_factory=list)
    repeats: int = 0
    problems: list[str] = Field(default_factory=list)


def parse_statuses(output: str) -> dict[str, bool]:
    """Test id -> passed, from pytest ``-rA`` summary lines and ``unittest -v`` lines."""
    statuses: dict[str, bool] = {}
    for line in output.splitlines():
        match = _PYTEST.match(line)
        if match:
            statuses[match.group(2)] = match.group(1) in _PASSING
    for match in _UNITTEST.finditer(output):
        test_id = match.group(2)
        outcome = match.group(3)
        if outcome.startswith("skipped"):
            continue
        statuses[test_id] = outcome in _PASSING
    return statuses


def _one_tree(scenario: Scenario, root: Path, factory: RunnerFactory, with_solution: bool) -> dict[str, bool]:
    runner = factory(scenario)
    workspace = prepare_workspace(scenario, root)
    try:
        if with_solution:
            apply_solution(scenario, workspace.path)
        copy_hidden_tests(scenario, workspace.path)
        results = run_validation(scenario, workspace.path, runner)
    finally:
        runner_hook(runner, "close")
        workspace.remove()
    statuses: dict[str, bool] = {}
    for result in results:
        if result.kind == "test":
            statuses.update(parse_statuses(f"{result.stdout}\n{result.stderr}"))
    return statuses


def lock_candidate(
    scenario: Scenario, workspace_root: Path, runner_factory: RunnerFactory, *, repeats: int = 3
) -> CandidateLock:
    """Run validation ``repeats`` times on each tree; tests whose status varies are flaky."""
    before = [_one_tree(scenario, workspace_root, runner_factory, False) for _ in range(repeats)]
    after = [_one_tree(scenario, workspace_root, runner_factory, True) for _ in range(repeats)]
    lock = CandidateLock(repeats=repeats)
    if not any(after):
        lock.problems.append("no per-test results could be read from the test command's output")
        return lock
    ids = set().union(*before, *after)
    for test_id in sorted(ids):
        seen_before = {run.get(test_id) for run in before}
        seen_after = {run.get(test_id) for run in after}
        if len(seen_before) > 1 or len(seen_after) > 1:
            lock.flaky.append(test_id)
        elif seen_after == {True}:
            (lock.pass_to_pass if seen_before == {True} else lock.fail_to_pass).append(test_id)
    return lock
