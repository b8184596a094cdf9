"""Which runner a mined commit's tests get, on small histories the tests build; why commits are
rejected, filed under kinds a report can count; names in a subject are not a leaked fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from repokit import commit, git

from zebench.grading import classify_tests
from zebench.grading.parsers import parse_test_results
from zebench.mining import SourceRepo
from zebench.mining.candidate import detect_commit
from zebench.mining.classify import split_commit
from zebench.mining.environment import PYTEST_COMMAND, UNITTEST_COMMAND, targeted_command
from zebench.mining.prompts import leaked_lines, solution_lines
from zebench.mining.python_runner import module_runner
from zebench.mining.rejections import lock_rejection

LIB_V1 = "def sub(a, b):\n    return a + b\n"
LIB_V2 = "def sub(a, b):\n    return a - b\n"
PLAIN_V1 = "from lib.core import sub\n\n\ndef test_sub_zero():\n    assert sub(1, 0) == 1\n"
PLAIN_V2 = PLAIN_V1 + "\n\ndef test_sub():\n    assert sub(5, 3) == 2\n"
CASE_V1 = (
    "import unittest\n\nfrom lib.core import sub\n\n\nclass SubTests(unittest.TestCase):\n"
    "    def test_sub_zero(self):\n        self.assertEqual(sub(1, 0), 1)\n"
)
CASE_V2 = CASE_V1 + "\n    def test_sub(self):\n        self.assertEqual(sub(5, 3), 2)\n"


def _history(tmp_path: Path, before: dict[str, str], after: dict[str, str]) -> tuple[SourceRepo, str]:
    """A repository with ``before`` (plus lib/) committed, then the fix with ``after``."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"lib/__init__.py": "", "lib/core.py": LIB_V1, "README.md": "# lib\n", **before}, "Start")
    fix = commit(repo, {"lib/core.py": LIB_V2, **after}, "Fix sub() adding")
    return SourceRepo(repo), fix


def _detect(repo: SourceRepo, sha: str) -> tuple[str | None, list[str], list[str]]:
    found = repo.commit(sha)
    split = split_commit(found)
    detected = detect_commit(repo, found, split)
    command = targeted_command(detected.test_command, list(split.tests)) if detected.test_command else None
    return command, detected.python, detected.notes


def test_plain_test_functions_without_any_pytest_configuration_are_run_with_pytest(tmp_path: Path) -> None:
    # toolz before 2019: no tox.ini, no pytest.ini, no requirement; only modules of test functions.
    repo, fix = _history(
        tmp_path,
        {
            "lib/tests/__init__.py": "",
            "lib/tests/test_core.py": PLAIN_V1,
            "setup.py": "from setuptools import setup\n",
        },
        {"lib/tests/test_core.py": PLAIN_V2},
    )
    command, python, notes = _detect(repo, fix)
    assert command == f"{PYTEST_COMMAND} lib/tests/test_core.py"
    assert python == ["pytest"]
    assert notes == [
        "pytest is not declared, but the test modules are written for it; the latest release is used"
    ]


def test_testcase_modules_keep_unittest_which_needs_nothing_installed(tmp_path: Path) -> None:
    repo, fix = _history(tmp_path, {"tests/__init__.py": "", "tests/test_core.py": CASE_V1},
                         {"tests/test_core.py": CASE_V2})  # fmt: skip
    command, python, _ = _detect(repo, fix)
    assert command == f"{UNITTEST_COMMAND} tests.test_core"
    assert python == []


def test_the_commits_own_test_module_decides_over_the_parents(tmp_path: Path) -> None:
    # The parent's modules are all TestCase classes, but the fix adds a module of plain functions:
    # unittest would not see its tests, so pytest (which runs both kinds) is chosen.
    repo, fix = _history(
        tmp_path,
        {"tests/__init__.py": "", "tests/test_core.py": CASE_V1},
        {"tests/test_sub.py": "from lib.core import sub\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n"},
    )
    command, python, _ = _detect(repo, fix)
    assert command == f"{PYTEST_COMMAND} tests/test_sub.py"
    assert python == ["pytest"]


def test_a_conftest_in_a_subfolder_declares_pytest(tmp_path: Path) -> None:
    repo, fix = _history(
        tmp_path,
        {"tests/__init__.py": "", "tests/conftest.py": "", "tests/test_core.py": CASE_V1},
        {"tests/test_core.py": CASE_V2},
    )
    command, python, notes = _detect(repo, fix)
    assert command == f"{PYTEST_COMMAND} tests/test_core.py"
    assert python == ["pytest"] and notes == ["pytest is not declared; the latest release is used"]


@pytest.mark.parametrize(
    ("text", "runner"),
    [
        ("def test_x():\n    assert True\n", "pytest"),
        ("async def test_x():\n    pass\n", "pytest"),
        ("class TestThing:\n    def test_x(self):\n        pass\n", "pytest"),
        ("class TestThing(object):\n    def test_x(self):\n        pass\n", "pytest"),
        ("import pytest\n", "pytest"),
        ("import unittest\n\nclass T(unittest.TestCase):\n    def test_x(self):\n        pass\n", "unittest"),
        ("from unittest import TestCase\n\nclass TestT(TestCase):\n    pass\n", "unittest"),
        ("class Helper:\n    def test_like(self):\n        pass\n", None),
        ("    def test_indented_in_a_helper():\n        pass\n", None),
    ],
)
def test_module_runner_reads_the_style_of_one_module(text: str, runner: str | None) -> None:
    assert module_runner(text) == runner


# -- rejection kinds, from the lock problems grading writes for real runner output ---------------

PRISTINE_COLLECTION_ERROR = """============================= test session starts ==============================
collected 3 items / 1 error
==================================== ERRORS ====================================
________________ ERROR collecting pkg/tests/test_new.py ________________
E   ImportError: cannot import name 'peekn' from 'pkg.itertoolz'
=========================== short test summary info ============================
ERROR pkg/tests/test_new.py
!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!
=============================== 1 error in 0.20s ===============================
"""
SOLVED_ALL_PASS = """============================= test session starts ==============================
collected 2 items
=========================== short test summary info ============================
PASSED pkg/tests/test_new.py::test_peekn
PASSED pkg/tests/test_new.py::test_other
============================== 2 passed in 0.10s ===============================
"""
SOLVED_PASS_BUT_ONE = SOLVED_ALL_PASS.replace(
    "PASSED pkg/tests/test_new.py::test_other", "FAILED pkg/tests/test_new.py::test_other - assert 1 == 2"
)


def _kind(before: str, after: str) -> str:
    lock = classify_tests([parse_test_results(before)], [parse_test_results(after)])
    return str(lock_rejection(lock)).split(":", 1)[0]


def test_rejections_are_filed_under_kinds_a_report_counts() -> None:
    assert (
        _kind(SOLVED_ALL_PASS, SOLVED_ALL_PASS)
        == "no fail-to-pass test (the hidden tests pass before the fix)"
    )
    assert _kind(PRISTINE_COLLECTION_ERROR, SOLVED_PASS_BUT_ONE) == "tests fail with the solution"
    assert _kind(PRISTINE_COLLECTION_ERROR, PRISTINE_COLLECTION_ERROR) == (
        "the test modules do not load with the solution (an import or syntax error)"
    )
    assert _kind("nothing a runner printed", SOLVED_ALL_PASS) == "no per-test results in the test output"
    # The module the fix makes importable is named (as an error) before the fix and its tests after
    # it: those tests are fail-to-pass, and the commit is no rejection at all.
    kept = classify_tests(
        [parse_test_results(PRISTINE_COLLECTION_ERROR)], [parse_test_results(SOLVED_ALL_PASS)]
    )
    assert kept.problems == []
    assert kept.fail_to_pass == ["pkg/tests/test_new.py::test_other", "pkg/tests/test_new.py::test_peekn"]
    lock = classify_tests([parse_test_results(SOLVED_ALL_PASS)], [parse_test_results(SOLVED_PASS_BUT_ONE)])
    assert "pkg/tests/test_new.py::test_other" in str(lock_rejection(lock))  # the detail is kept whole


# -- leaks ------------------------------------------------------------------------------------------

PATCH = """diff --git a/pkg/functoolz.py b/pkg/functoolz.py
--- a/pkg/functoolz.py
+++ b/pkg/functoolz.py
@@ -1,3 +1,9 @@
-__all__ = ('compose', 'pipe')
+__all__ = ('compose', 'compose_left', 'pipe')
+    See Also:
+        compose_left
+def compose_left(*funcs):
+    return compose(*reversed(funcs))
"""


def test_a_subject_that_names_the_new_function_does_not_quote_the_fix() -> None:
    assert "compose_left" not in solution_lines(PATCH)  # a line that only names it gives nothing away
    assert leaked_lines("Rename pipline() to compose_left()\n", PATCH) == []
    assert leaked_lines("do return compose(*reversed(funcs)) here", PATCH) == [
        "return compose(*reversed(funcs))"
    ]
