"""Locking a scenario's F2P/P2P lists: validation, hidden tests included, on two trees, repeated.

``compute_lock`` runs the scenario's validation on the pristine fixture and on the fixture with
the solution, ``repeats`` times each. A fail-to-pass test fails (or is missing) in every pristine
run and passes in every solved run; a pass-to-pass test passes in all of them; a test whose status
differs between repeats of one tree is flaky, left out of both lists and named in the lock.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from zebench.commands.runner import CommandRunner, runner_hook
from zebench.errors import ZebenchError
from zebench.grading.collect import collect_results, junit_globs
from zebench.grading.models import TestResults, TestStatus
from zebench.results.models import CommandResult
from zebench.scenarios.model import Scenario
from zebench.scenarios.test_lists import LOCK_FILE, TestsLock, load_lock
from zebench.validation import run_validation
from zebench.workspace import apply_solution, copy_hidden_tests, prepare_workspace

LOCK_VERSION = 1
LIST_CAP = 10  # test ids quoted in one problem line

RunnerFactory = Callable[[Scenario], CommandRunner]
LockProgress = Callable[[str, int, int], None]  # (what runs now, steps done, steps in all)

MISSING = "missing"  # the status of a test absent from one run's results


def _tree_run(
    scenario: Scenario, root: Path, runner: CommandRunner, *, solved: bool
) -> tuple[TestResults | None, list[CommandResult]]:
    """Validation with the hidden tests on a fresh copy of the fixture (with the solution if ``solved``)."""
    workspace = prepare_workspace(scenario, root)
    try:
        if solved:
            apply_solution(scenario, workspace.path, runner=runner)
        copy_hidden_tests(scenario, workspace.path)
        commands = run_validation(scenario, workspace.path, runner)
        return collect_results(commands, workspace.path, junit=junit_globs(scenario.evaluators)), commands
    finally:
        runner_hook(runner, "close")  # each tree gets a fresh sandbox
        workspace.remove()


def _quote(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:LIST_CAP])
    return shown + (f" and {len(ids) - LIST_CAP} more" if len(ids) > LIST_CAP else "")


def _command_problems(tree: str, runs: list[list[CommandResult]]) -> list[str]:
    problems: list[str] = []
    for commands in runs:
        for command in commands:
            if command.kind == "test" and (command.timed_out or command.exit_code is None):
                why = "timed out" if command.timed_out else (command.error or "did not run")
                problems.append(f"the test command {command.name!r} {why} on the {tree}")
    return list(dict.fromkeys(problems))


def _statuses(runs: list[TestResults | None], test_id: str) -> set[str]:
    return {str(r.tests.get(test_id, MISSING)) if r is not None else MISSING for r in runs}


def classify_tests(before: list[TestResults | None], after: list[TestResults | None]) -> TestsLock:
    """The lists and problems from per-test results of repeated pristine (``before``) and solved
    (``after``) runs; ``digest`` and ``repeats`` are left for the caller."""
    lock = TestsLock(version=LOCK_VERSION)
    ids = sorted({t for r in [*before, *after] if r is not None for t in r.tests})
    failing_after: list[str] = []
    missing_after: list[str] = []
    for test_id in ids:
        seen_before, seen_after = _statuses(before, test_id), _statuses(after, test_id)
        if len(seen_before) > 1 or len(seen_after) > 1:
            lock.flaky.append(test_id)
            continue
        (was,), (now,) = seen_before, seen_after
        passes_now = now in (TestStatus.PASSED, TestStatus.XFAIL)
        passed_before = was in (TestStatus.PASSED, TestStatus.XFAIL)
        if passes_now and passed_before:
            lock.pass_to_pass.append(test_id)
        elif passes_now:
            lock.fail_to_pass.append(test_id)  # failed, errored, was skipped or missing before
        elif now == MISSING and not passed_before and _contains_tests(test_id, after):
            # Not a test but its module, which failed to import before the fix (pytest's
            # "ERROR tests/test_x.py"); after the fix its tests are reported under ids of their own.
            continue
        elif now == MISSING:
            missing_after.append(test_id)
        elif now != TestStatus.SKIPPED:
            failing_after.append(test_id)
    lock.problems += _classification_problems(lock, before, after, failing_after, missing_after)
    return lock


def _contains_tests(test_id: str, results: list[TestResults | None]) -> bool:
    """Whether ``test_id`` names a module or class whose tests ``results`` report (``id::…``, ``id.…``)."""
    prefixes = (test_id + "::", test_id + ".")
    return any(other.startswith(prefixes) for r in results if r is not None for other in r.tests)


def _classification_problems(
    lock: TestsLock,
    before: list[TestResults | None],
    after: list[TestResults | None],
    failing_after: list[str],
    missing_after: list[str],
) -> list[str]:
    verbose_hint = (
        "run pytest with -rA (or -v), unittest with -v, jest with --verbose or --json, "
        "or set junit: on the evaluator"
    )
    if all(r is None for r in after) or all(r is None for r in before):
        return [f"no per-test results could be read from the test command's output: {verbose_hint}"]
    problems: list[str] = []
    if failing_after:
        problems.append(
            f"{len(failing_after)} test(s) do not pass with the solution (every test must): {_quote(failing_after)}"
        )
    if missing_after:
        problems.append(
            f"{len(missing_after)} test(s) are not in the output with the solution (a passing test must be "
            f"named: {verbose_hint}): {_quote(missing_after)}"
        )
    if not problems and not lock.fail_to_pass:
        problems.append(
            "no test fails on the pristine fixture and passes with the solution: the hidden tests do not catch the bug"
        )
    return problems


def compute_lock(
    scenario: Scenario,
    *,
    workspace_root: Path,
    runner_factory: RunnerFactory,
    repeats: int = 3,
    progress: LockProgress | None = None,
) -> TestsLock:
    """Run validation (hidden tests included) ``repeats`` times on the pristine fixture and on the
    fixture with the solution, and return the lock: F2P, P2P, flaky tests and, in ``problems``,
    why the scenario cannot be locked. Never raises for a scenario's own failures."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    lock = TestsLock(version=LOCK_VERSION, repeats=repeats, digest=scenario_digest(scenario))
    if scenario.solution is None:
        lock.problems.append("no solution to lock against (add solution/, solution.patch or solve.sh)")
        return lock
    if not any(c.kind == "test" for c in scenario.validation):
        lock.problems.append("no validation command of kind test: there are no tests to lock")
        return lock
    runner = runner_factory(scenario)
    results: dict[bool, list[TestResults | None]] = {False: [], True: []}
    commands: dict[bool, list[list[CommandResult]]] = {False: [], True: []}
    total = 2 * repeats
    for step in range(total):
        solved = step % 2 == 1
        if progress is not None:
            tree = "with the solution" if solved else "pristine fixture"
            progress(f"{tree}, run {step // 2 + 1}/{repeats}", step, total)
        try:
            found, ran = _tree_run(scenario, workspace_root, runner, solved=solved)
        except ZebenchError as exc:
            lock.problems.append(exc.one_line())
            return lock
        results[solved].append(found)
        commands[solved].append(ran)
    if progress is not None:
        progress("done", total, total)
    classified = classify_tests(results[False], results[True])
    lock.fail_to_pass, lock.pass_to_pass, lock.flaky = (
        classified.fail_to_pass,
        classified.pass_to_pass,
        classified.flaky,
    )
    lock.problems += _command_problems("pristine fixture", commands[False])
    lock.problems += _command_problems("fixture with the solution", commands[True])
    lock.problems += classified.problems
    return lock


# -- the file ------------------------------------------------------------------------------------


def write_lock(scenario_dir: Path, lock: TestsLock) -> Path:
    """Write ``tests.lock.json`` beside scenario.yaml (sorted lists, stable text) and return its path.

    The problems are not written: a lock that has problems is not a lock (the caller decides).
    """
    path = scenario_dir / LOCK_FILE
    data = lock.model_dump(exclude={"problems"})
    for key in ("fail_to_pass", "pass_to_pass", "flaky"):
        data[key] = sorted(data[key])
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _hash_tree(h: hashlib._Hash, folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def scenario_digest(scenario: Scenario) -> str:
    """A fingerprint of what a lock depends on: the validation commands, the hidden tests, the
    solution and the fixture (its pin, or its files). A lock whose digest differs is stale."""
    h = hashlib.sha256(b"zebench-lock-v1\0")
    for command in scenario.validation:
        h.update(f"{command.name}\0{command.kind}\0{command.command}\0".encode())
    h.update(json.dumps(sorted(scenario.env.items())).encode())
    if scenario.environment is not None:
        h.update(scenario.environment.model_dump_json().encode())
    for label, folder in (("hidden", scenario.hidden_tests_dir), ("fixture", scenario.fixture_dir)):
        h.update(label.encode() + b"\0")
        if folder is not None and folder.is_dir():
            _hash_tree(h, folder)
    if (fixture := scenario.package_fixture) is not None:
        h.update(f"{fixture.registry}\0{fixture.name}\0{fixture.version}\0{fixture.digest}\0".encode())
        if fixture.patch is not None and fixture.patch.is_file():
            h.update(fixture.patch.read_bytes())
    if (solution := scenario.solution) is not None:
        h.update(b"solution\0")
        if solution.path.is_dir():
            _hash_tree(h, solution.path)
        elif solution.path.is_file():
            h.update(solution.path.read_bytes())
    return "sha256:" + h.hexdigest()


__all__ = [
    "LOCK_FILE",
    "TestsLock",
    "classify_tests",
    "compute_lock",
    "load_lock",
    "scenario_digest",
    "write_lock",
]
