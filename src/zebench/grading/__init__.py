"""Grading like SWE-bench: per-test results, fail-to-pass / pass-to-pass lists, locks, resolution.

- :mod:`~zebench.grading.parsers` read test ids and statuses from runner output (pytest, unittest,
  ``node --test``, tape/TAP, jest, vitest, mocha, ``go test -json``) and JUnit XML;
- :func:`grade` is SWE-bench's verdict: resolved when every F2P and P2P test passes;
- :func:`collect_results` reads a run's results from its test commands or JUnit reports;
- :func:`compute_lock` computes a scenario's lists by running validation on the pristine fixture
  and on the fixture with the solution; :func:`write_lock` / :func:`load_lock` keep them in
  ``tests.lock.json``.

``collect`` and ``lock`` are imported on first use (they pull in the workspace and validation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zebench._lazy import load_lazy
from zebench.grading.models import (
    GroupOutcome,
    Resolution,
    TestReport,
    TestResults,
    TestsLock,
    TestStatus,
    summarize_tests,
)
from zebench.grading.parsers import PARSERS, parse_junit_results, parse_test_results
from zebench.grading.verdict import TestRow, grade, report_rows

if TYPE_CHECKING:
    from zebench.grading.collect import collect_results, junit_globs, read_report
    from zebench.grading.lock import (
        LOCK_FILE,
        classify_tests,
        compute_lock,
        load_lock,
        scenario_digest,
        write_lock,
    )

_LAZY = {
    "collect_results": "zebench.grading.collect",
    "junit_globs": "zebench.grading.collect",
    "read_report": "zebench.grading.collect",
    "LOCK_FILE": "zebench.grading.lock",
    "classify_tests": "zebench.grading.lock",
    "compute_lock": "zebench.grading.lock",
    "load_lock": "zebench.grading.lock",
    "scenario_digest": "zebench.grading.lock",
    "write_lock": "zebench.grading.lock",
}


def __getattr__(name: str) -> Any:
    return load_lazy(__name__, _LAZY, globals(), name)


__all__ = [
    "LOCK_FILE",
    "PARSERS",
    "GroupOutcome",
    "Resolution",
    "TestReport",
    "TestResults",
    "TestRow",
    "TestStatus",
    "TestsLock",
    "classify_tests",
    "collect_results",
    "compute_lock",
    "grade",
    "junit_globs",
    "load_lock",
    "parse_junit_results",
    "parse_test_results",
    "read_report",
    "report_rows",
    "scenario_digest",
    "summarize_tests",
    "write_lock",
]
