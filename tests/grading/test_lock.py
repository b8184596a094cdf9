"""compute_lock on a tiny scenario built here: the two trees, the repeats, flaky tests, the problems."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gradekit import F2P, P2P, write_tiny_suite

from zebench.errors import ScenarioError
from zebench.grading import LOCK_FILE, compute_lock, load_lock, scenario_digest, write_lock
from zebench.runner.pipeline import local_runner
from zebench.scenarios import load_scenario


def _load(root: Path, name: str = "calc-bug"):  # type: ignore[no-untyped-def]
    return load_scenario("tiny", name, root / "suites")


def test_lock_finds_fail_to_pass_and_pass_to_pass(tmp_path: Path) -> None:
    write_tiny_suite(tmp_path)
    scenario = _load(tmp_path)
    seen: list[tuple[str, int, int]] = []
    lock = compute_lock(
        scenario,
        workspace_root=tmp_path / "ws",
        runner_factory=local_runner,
        repeats=2,
        progress=lambda what, done, total: seen.append((what, done, total)),
    )
    assert lock.problems == []
    assert lock.fail_to_pass == F2P and lock.pass_to_pass == P2P and lock.flaky == []
    assert lock.repeats == 2 and lock.digest == scenario_digest(scenario)
    assert [s[1:] for s in seen] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    path = write_lock(scenario.directory, lock)
    assert load_lock(path).fail_to_pass == F2P
    reloaded = _load(tmp_path)
    assert reloaded.fail_to_pass == F2P and reloaded.tests_lock_file == path
    assert not list((tmp_path / "ws").iterdir())  # every throwaway workspace is gone


def test_a_test_that_changes_between_repeats_is_flaky(tmp_path: Path) -> None:
    directory = write_tiny_suite(tmp_path)
    counter = tmp_path / "counter"
    (directory / "tests-hidden" / "tests" / "test_wobble.py").write_text(
        "import os, unittest\n\n\nclass Wobble(unittest.TestCase):\n"
        "    def test_wobbles(self):\n"
        f"        path = {str(counter)!r}\n"
        "        n = int(open(path).read()) if os.path.exists(path) else 0\n"
        "        open(path, 'w').write(str(n + 1))\n"
        "        self.assertEqual(n % 3, 0)\n"
    )
    lock = compute_lock(
        _load(tmp_path), workspace_root=tmp_path / "ws", runner_factory=local_runner, repeats=3
    )
    assert lock.flaky == ["test_wobble.Wobble.test_wobbles"]
    assert lock.fail_to_pass == F2P and "test_wobble.Wobble.test_wobbles" not in lock.pass_to_pass
    assert lock.problems == []


def test_a_solution_that_does_not_fix_the_bug_cannot_be_locked(tmp_path: Path) -> None:
    directory = write_tiny_suite(tmp_path)
    (directory / "solution" / "calc.py").write_text(
        "def add(a, b):\n    return 0\n\n\ndef mul(a, b):\n    return a * b\n"
    )
    lock = compute_lock(
        _load(tmp_path), workspace_root=tmp_path / "ws", runner_factory=local_runner, repeats=1
    )
    assert lock.problems == [
        "1 test(s) do not pass with the solution (every test must): test_add.AddTests.test_adds"
    ]


def test_output_without_per_test_lines_cannot_be_locked(tmp_path: Path) -> None:
    write_tiny_suite(
        tmp_path,
        validation_commands=[
            {"name": "tests", "kind": "test", "command": "python3 -m unittest discover -s tests -t tests"}
        ],
    )
    lock = compute_lock(
        _load(tmp_path), workspace_root=tmp_path / "ws", runner_factory=local_runner, repeats=1
    )
    # unittest's default output names only failures: the fixed test vanishes instead of passing.
    assert lock.fail_to_pass == [] and lock.problems
    assert lock.problems == [
        "1 test(s) are not in the output with the solution (a passing test must be named: run pytest "
        "with -rA (or -v), unittest with -v, jest with --verbose or --json, or set junit: on the evaluator): "
        "test_add.AddTests.test_adds"
    ]


def test_inline_lists_and_a_lock_together_are_refused(tmp_path: Path) -> None:
    directory = write_tiny_suite(tmp_path, fail_to_pass=F2P)
    assert _load(tmp_path).fail_to_pass == F2P and _load(tmp_path).tests_lock_file is None
    (directory / LOCK_FILE).write_text('{"version": 1, "fail_to_pass": [], "pass_to_pass": []}\n')
    with pytest.raises(ScenarioError) as caught:
        _load(tmp_path)
    line = caught.value.one_line()
    assert "scenario.yaml" in line and "fail_to_pass" in line and LOCK_FILE in line


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{not json", None),
        ('{"fail_to_pass": "x"}', "fail_to_pass"),
        ('{"fail_to_pass": [], "extra": 1}', "extra"),
    ],
)
def test_a_malformed_lock_is_one_line_naming_the_file(tmp_path: Path, text: str, field: str | None) -> None:
    directory = write_tiny_suite(tmp_path)
    (directory / LOCK_FILE).write_text(text)
    with pytest.raises(ScenarioError) as caught:
        _load(tmp_path)
    line = caught.value.one_line()
    assert str(directory / LOCK_FILE) in line and "\n" not in line
    if field:
        assert field in line


def test_a_test_listed_twice_is_bad_input(tmp_path: Path) -> None:
    write_tiny_suite(tmp_path, pass_to_pass=["a", "a"])
    with pytest.raises(ScenarioError, match=r"pass_to_pass.*twice"):
        _load(tmp_path)


def test_digest_changes_with_the_hidden_tests(tmp_path: Path) -> None:
    directory = write_tiny_suite(tmp_path)
    before = scenario_digest(_load(tmp_path))
    with open(directory / "tests-hidden" / "tests" / "test_add.py", "a") as handle:
        handle.write("# changed\n")
    assert scenario_digest(_load(tmp_path)) != before
    assert os.environ.get("CI") != "true" or before.startswith("sha256:")


def test_a_module_that_only_failed_to_import_before_the_fix_is_no_test_of_the_fixed_tree() -> None:
    """Before the fix pytest reports the new test module itself as an error (it imports a function
    the fix adds); after it, the module's tests have ids of their own and the module's id is gone."""
    from zebench.grading.lock import classify_tests
    from zebench.grading.models import TestResults, TestStatus

    module = "tests/test_new.py"
    new_test = "tests/test_new.py::test_added_function"
    old_test = "tests/test_old.py::test_still_there"
    before = TestResults(tests={module: TestStatus.ERROR, old_test: TestStatus.PASSED})
    after = TestResults(tests={new_test: TestStatus.PASSED, old_test: TestStatus.PASSED})
    lock = classify_tests([before, before], [after, after])
    assert (lock.fail_to_pass, lock.pass_to_pass, lock.problems) == ([new_test], [old_test], [])
    # A test that passed before and is gone after is still a problem: the solution lost it.
    lost = TestResults(tests={new_test: TestStatus.PASSED})
    assert any("missing" in p or "not" in p for p in classify_tests([before], [lost]).problems)
