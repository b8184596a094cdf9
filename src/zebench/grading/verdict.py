"""SWE-bench's verdict (``swebench/harness/grading.py``): resolved when every F2P and P2P test passes."""

from __future__ import annotations

from collections.abc import Iterable

from zebench.grading.models import GroupOutcome, Resolution, TestResults, TestStatus


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
