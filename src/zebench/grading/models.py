"""The shapes of per-test grading: statuses, a run's test results, the F2P/P2P verdict and a lock.

A test id is the runner's own stable name for a test (pytest's node id
``tests/test_x.py::test_y[param]``, unittest's ``package.module.Class.test_method``, a JS test's
titles joined by ``" > "``), so the same test has the same id in every run of a scenario.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.models import TestSummary
from zebench.scenarios.test_lists import (
    TestsLock as TestsLock,  # the lock file is part of the scenario format
)


class TestStatus(StrEnum):
    """How one test ended. ``xfail`` (an expected failure that failed) counts as a pass, as in SWE-bench."""

    __test__ = False  # not a pytest test class, despite the name

    PASSED = "passed"
    XFAIL = "xfail"
    SKIPPED = "skipped"
    FAILED = "failed"
    ERROR = "error"

    @property
    def is_pass(self) -> bool:
        return self in (TestStatus.PASSED, TestStatus.XFAIL)

    @property
    def is_failure(self) -> bool:
        return self in (TestStatus.FAILED, TestStatus.ERROR)


# When one id is reported twice (two test commands, a re-run, or output the agent's code printed
# to imitate a runner), the worse status wins: a forged "PASSED" line cannot hide a real failure.
_SEVERITY = {
    TestStatus.PASSED: 0,
    TestStatus.XFAIL: 1,
    TestStatus.SKIPPED: 2,
    TestStatus.FAILED: 3,
    TestStatus.ERROR: 4,
}


def worse(a: TestStatus, b: TestStatus) -> TestStatus:
    """The worse of two statuses of the same test."""
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


class TestResults(BaseModel):
    """Every test id a test command reported, with its status, and the formats that reported them."""

    __test__ = False
    model_config = ConfigDict(extra="forbid")

    tests: dict[str, TestStatus] = Field(default_factory=dict)
    formats: list[str] = Field(default_factory=list)

    def add(self, test_id: str, status: TestStatus) -> None:
        """Record one test; a repeated id keeps the worse status."""
        previous = self.tests.get(test_id)
        self.tests[test_id] = status if previous is None else worse(previous, status)

    def merge(self, other: TestResults) -> TestResults:
        """Both results in one (repeated ids keep the worse status)."""
        merged = TestResults(tests=dict(self.tests), formats=list(self.formats))
        for test_id, status in other.tests.items():
            merged.add(test_id, status)
        merged.formats += [f for f in other.formats if f not in merged.formats]
        return merged

    def count(self, *statuses: TestStatus) -> int:
        return sum(1 for status in self.tests.values() if status in statuses)

    def failing(self) -> list[str]:
        """Ids of the tests that failed or errored, sorted."""
        return sorted(t for t, s in self.tests.items() if s.is_failure)


class GroupOutcome(BaseModel):
    """How one list (fail-to-pass or pass-to-pass) fared: its size, how many count as passing, which do not."""

    model_config = ConfigDict(extra="forbid")

    total: int = 0
    passed: int = 0
    failing: list[str] = Field(default_factory=list)  # not passing by SWE-bench's rules, missing included
    missing: list[str] = Field(default_factory=list)  # not in the results at all (counted as failing)

    @property
    def all_pass(self) -> bool:
        return self.passed == self.total


class Resolution(BaseModel):
    """SWE-bench's verdict on a run's tests: resolved only when every F2P and every P2P test passes.

    ``partial`` is SWE-bench's PARTIAL: some but not all F2P tests pass and every P2P test does;
    it is reported, never resolved.
    """

    model_config = ConfigDict(extra="forbid")

    resolved: bool
    fail_to_pass: GroupOutcome
    pass_to_pass: GroupOutcome

    @property
    def partial(self) -> bool:
        f2p = self.fail_to_pass
        return not self.resolved and 0 < f2p.passed < f2p.total and self.pass_to_pass.all_pass

    @property
    def summary(self) -> str:
        """``resolved: 5/5 fail-to-pass, 20/20 pass-to-pass``, ``partial: 3/5 fail-to-pass``, …"""
        f2p, p2p = self.fail_to_pass, self.pass_to_pass
        counts = f"{f2p.passed}/{f2p.total} fail-to-pass, {p2p.passed}/{p2p.total} pass-to-pass"
        if self.resolved:
            return f"resolved: {counts}"
        if self.partial:
            return f"partial: {f2p.passed}/{f2p.total} fail-to-pass"
        return f"not resolved: {counts}"


class TestReport(BaseModel):
    """What a run stores about its tests (the ``tests`` artifact): the results and the lists graded against."""

    __test__ = False
    model_config = ConfigDict(extra="forbid")

    results: TestResults = Field(default_factory=TestResults)
    fail_to_pass: list[str] = Field(default_factory=list)
    pass_to_pass: list[str] = Field(default_factory=list)


def summarize_tests(results: TestResults, resolution: Resolution | None) -> TestSummary:
    """The queryable summary of a run's tests: counts per status and the F2P/P2P outcome."""
    summary = TestSummary(
        passed=results.count(TestStatus.PASSED, TestStatus.XFAIL),
        failed=results.count(TestStatus.FAILED),
        errors=results.count(TestStatus.ERROR),
        skipped=results.count(TestStatus.SKIPPED),
    )
    if resolution is not None:
        summary.f2p_passed = resolution.fail_to_pass.passed
        summary.f2p_total = resolution.fail_to_pass.total
        summary.p2p_passed = resolution.pass_to_pass.passed
        summary.p2p_total = resolution.pass_to_pass.total
        summary.resolved = resolution.resolved
    return summary
