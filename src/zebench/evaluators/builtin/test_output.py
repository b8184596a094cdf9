"""Pure parsers that read pass/fail counts out of test runner output and JUnit XML.

Each ``parse_*`` function takes text and returns :class:`TestCounts`, or None when the text holds
no summary in its format. :func:`parse_test_output` tries every format and adds up what it finds,
so a command that runs two suites (``pytest && npm test``) is counted whole.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from pydantic import BaseModel, Field

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class TestCounts(BaseModel):
    """How many tests passed, failed, errored and were skipped, and which formats said so."""

    __test__ = False  # not a pytest test class, despite the name

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    formats: list[str] = Field(default_factory=list)

    @property
    def total(self) -> int:
        """Every test seen, skipped ones included."""
        return self.passed + self.failed + self.errors + self.skipped

    @property
    def executed(self) -> int:
        """Tests that ran to a verdict: the denominator of the score."""
        return self.passed + self.failed + self.errors

    def __add__(self, other: TestCounts) -> TestCounts:
        return TestCounts(
            passed=self.passed + other.passed,
            failed=self.failed + other.failed,
            errors=self.errors + other.errors,
            skipped=self.skipped + other.skipped,
            formats=self.formats + [f for f in other.formats if f not in self.formats],
        )


def strip_ansi(text: str) -> str:
    """The text without terminal colour codes, which jest and vitest emit even when piped."""
    return _ANSI.sub("", text)


def _items(text: str) -> dict[str, int]:
    """``"3 passed, 1 failed"`` or ``"2 failed | 5 passed"`` → ``{"passed": 3, "failed": 1}``."""
    return {word.lower(): int(n) for n, word in re.findall(r"(\d+)\s+([A-Za-z]+)", text)}


_PYTEST_WORDS = r"(?:passed|failed|errors?|skipped|xfailed|xpassed|warnings?|deselected|rerun)"
_PYTEST_LINE = re.compile(
    rf"^=*\s*((?:\d+ {_PYTEST_WORDS}(?:, )?)+|no tests ran)\s+in\s+[\d.]+\s*s\b.*?=*\s*$", re.MULTILINE
)


def parse_pytest(text: str) -> TestCounts | None:
    """The last pytest summary line, with or without ``=`` rules (``-q``), or ``no tests ran``."""
    matches = _PYTEST_LINE.findall(text)
    if not matches:
        return None
    found = _items(matches[-1])
    return TestCounts(
        passed=found.get("passed", 0) + found.get("xpassed", 0),
        failed=found.get("failed", 0),
        errors=found.get("error", 0) + found.get("errors", 0),
        skipped=found.get("skipped", 0) + found.get("xfailed", 0),
        formats=["pytest"],
    )


_UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in [\d.]+s\s*$", re.MULTILINE)
_UNITTEST_END = re.compile(r"^(OK|FAILED)(?: \((.*)\))?\s*$", re.MULTILINE)


def parse_unittest(text: str) -> TestCounts | None:
    """``Ran 7 tests`` followed by ``OK (skipped=1)`` or ``FAILED (failures=1, errors=2)``."""
    ran = list(_UNITTEST_RAN.finditer(text))
    if not ran:
        return None
    last = ran[-1]
    end = _UNITTEST_END.search(text, last.end())
    details: dict[str, int] = {}
    if end and end.group(2):
        details = {k.strip(): int(v) for k, v in re.findall(r"([a-z ]+)=(\d+)", end.group(2))}
    total = int(last.group(1))
    failed = details.get("failures", 0) + details.get("unexpected successes", 0)
    errors = details.get("errors", 0)
    skipped = details.get("skipped", 0) + details.get("expected failures", 0)
    return TestCounts(
        passed=max(0, total - failed - errors - skipped),
        failed=failed,
        errors=errors,
        skipped=skipped,
        formats=["unittest"],
    )


_JEST_LINE = re.compile(r"^Tests:\s+(.*?\d+ total)\s*$", re.MULTILINE)


def parse_jest(text: str) -> TestCounts | None:
    """``Tests:       1 failed, 1 skipped, 4 passed, 6 total``."""
    matches = _JEST_LINE.findall(text)
    if not matches:
        return None
    found = _items(matches[-1])
    return TestCounts(
        passed=found.get("passed", 0),
        failed=found.get("failed", 0),
        skipped=found.get("skipped", 0) + found.get("todo", 0),
        formats=["jest"],
    )


_VITEST_LINE = re.compile(r"^\s*Tests\s+((?:\d+ [a-z]+(?: \| )?)+)\s*\((\d+)\)\s*$", re.MULTILINE)


def parse_vitest(text: str) -> TestCounts | None:
    """``Tests  2 failed | 5 passed | 1 skipped (8)``."""
    matches = _VITEST_LINE.findall(text)
    if not matches:
        return None
    found = _items(matches[-1][0])
    return TestCounts(
        passed=found.get("passed", 0),
        failed=found.get("failed", 0),
        skipped=found.get("skipped", 0) + found.get("todo", 0),
        formats=["vitest"],
    )


_GO_VERBOSE = re.compile(r"^\s*--- (PASS|FAIL|SKIP): ", re.MULTILINE)
_GO_PACKAGE = re.compile(r"^(ok|FAIL)\s+\S+\s+(?:[\d.]+s|\(cached\))", re.MULTILINE)


def parse_go(text: str) -> TestCounts | None:
    """``go test -v`` result lines, else one verdict per package (``ok``/``FAIL  pkg  0.01s``)."""
    verbose = _GO_VERBOSE.findall(text)
    if verbose:
        return TestCounts(
            passed=verbose.count("PASS"),
            failed=verbose.count("FAIL"),
            skipped=verbose.count("SKIP"),
            formats=["go"],
        )
    packages = _GO_PACKAGE.findall(text)
    if not packages:
        return None
    return TestCounts(passed=packages.count("ok"), failed=packages.count("FAIL"), formats=["go"])


_NODE_LINE = re.compile(r"^(?:#|ℹ)\s+(tests|pass|fail|cancelled|skipped|todo)\s+(\d+)\s*$", re.MULTILINE)


def parse_node_test(text: str) -> TestCounts | None:
    """``node --test`` totals: TAP (``# pass 5``) or the spec reporter (``ℹ pass 5``)."""
    found: dict[str, int] = {}
    for key, value in _NODE_LINE.findall(text):
        found[key] = int(value)  # the last summary wins, as in the other parsers
    if "pass" not in found and "fail" not in found:
        return None
    return TestCounts(
        passed=found.get("pass", 0),
        failed=found.get("fail", 0),
        errors=found.get("cancelled", 0),
        skipped=found.get("skipped", 0) + found.get("todo", 0),
        formats=["node"],
    )


_MOCHA = re.compile(r"^\s*(\d+) (passing|failing|pending)\b", re.MULTILINE)


def parse_mocha(text: str) -> TestCounts | None:
    """``5 passing (12ms)``, ``1 failing``, ``2 pending``."""
    found: dict[str, int] = {}
    for n, word in _MOCHA.findall(text):
        found[word] = int(n)
    if "passing" not in found and "failing" not in found:
        return None
    return TestCounts(
        passed=found.get("passing", 0),
        failed=found.get("failing", 0),
        skipped=found.get("pending", 0),
        formats=["mocha"],
    )


PARSERS: tuple[Callable[[str], TestCounts | None], ...] = (
    parse_pytest,
    parse_unittest,
    parse_jest,
    parse_vitest,
    parse_go,
    parse_node_test,
    parse_mocha,
)


def parse_test_output(text: str) -> TestCounts | None:
    """Counts from every recognised format in ``text``, added up; None when nothing was recognised."""
    clean = strip_ansi(text).replace("\r\n", "\n")
    total: TestCounts | None = None
    for parser in PARSERS:
        counts = parser(clean)
        if counts is not None:
            total = counts if total is None else total + counts
    return total


def parse_junit_xml(text: str) -> TestCounts | None:
    """Counts from a JUnit XML report (``<testsuites>`` or a bare ``<testsuite>``).

    Test cases are counted one by one; a suite with no ``<testcase>`` elements falls back to its
    ``tests``/``failures``/``errors``/``skipped`` attributes. Returns None for XML that is not JUnit.
    """
    root = ET.fromstring(text)
    if root.tag not in ("testsuites", "testsuite"):
        return None
    counts = TestCounts(formats=["junit"])
    cases = list(root.iter("testcase"))
    if cases:
        for case in cases:
            tags = {child.tag for child in case}
            if "error" in tags:
                counts.errors += 1
            elif "failure" in tags:
                counts.failed += 1
            elif "skipped" in tags:
                counts.skipped += 1
            else:
                counts.passed += 1
        return counts
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failures = int(suite.get("failures", 0))
        errors = int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", suite.get("disabled", 0)))
        counts.failed += failures
        counts.errors += errors
        counts.skipped += skipped
        counts.passed += max(0, tests - failures - errors - skipped)
    return counts
