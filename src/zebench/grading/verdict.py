"""SWE-bench's verdict (``swebench/harness/grading.py``): resolved when every F2P and P2P test passes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

from zebench.grading.models import GroupOutcome, Resolution, TestReport, TestResults, TestStatus


def _group(results: TestResults, ids: Iterable[str], *, skipped_passes: bool) -> GroupOutcome:
    outcome = GroupOutcome()
    for test_id in ids:
        outcome.total += 1
        status = results.tests.get(test_id)
        if status is None:
            outcome.missing.append(test_id)
            outcome.failing.append(test_id)
        elif status.is_pass or (skipped_passes and status is TestStatus.SKIPPED):
            outcome.passed += 1
        else:
            outcome.failing.append(test_id)
    return outcome


def grade(
    results: TestResults | None, fail_to_pass: Iterable[str], pass_to_pass: Iterable[str]
) -> Resolution:
    """Grade ``results`` against the two lists, by SWE-bench's rules.

    A test missing from the results fails; a skipped F2P test fails; a skipped P2P test passes;
    xfail passes. ``results`` None (nothing could be parsed) leaves every listed test missing.
    """
    found = results if results is not None else TestResults()
    f2p = _group(found, fail_to_pass, skipped_passes=False)
    p2p = _group(found, pass_to_pass, skipped_passes=True)
    return Resolution(resolved=f2p.all_pass and p2p.all_pass, fail_to_pass=f2p, pass_to_pass=p2p)


Group = Literal["fail_to_pass", "pass_to_pass"]


class TestRow(BaseModel):
    """One test as a run's test listing shows it: its list, its status, and whether it counts as passing."""

    __test__ = False  # not a pytest test class, despite the name

    id: str
    group: Group | None = None
    status: TestStatus | None = None  # None: the test is missing from the run's results
    counts_as_pass: bool = False


def report_rows(report: TestReport, *, everything: bool = False) -> list[TestRow]:
    """The rows of a run's ``tests`` artifact: every fail-to-pass test, then every listed or other
    test that did not pass; with ``everything``, every test. Missing listed tests are rows too."""
    tests = report.results.tests
    f2p, p2p = set(report.fail_to_pass), set(report.pass_to_pass)
    rows: list[TestRow] = []
    for test_id in report.fail_to_pass:
        status = tests.get(test_id)
        rows.append(
            TestRow(
                id=test_id,
                group="fail_to_pass",
                status=status,
                counts_as_pass=bool(status and status.is_pass),
            )
        )
    for test_id in report.pass_to_pass:
        status = tests.get(test_id)
        passes = status is not None and (status.is_pass or status is TestStatus.SKIPPED)
        if everything or not passes:
            rows.append(TestRow(id=test_id, group="pass_to_pass", status=status, counts_as_pass=passes))
    for test_id in sorted(tests):
        if test_id in f2p or test_id in p2p:
            continue
        status = tests[test_id]
        if everything or status.is_failure:
            rows.append(TestRow(id=test_id, status=status, counts_as_pass=status.is_pass))
    return rows
