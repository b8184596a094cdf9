"""Per-test results from pytest (``-rA`` summary lines and ``-v`` progress lines) and unittest.

pytest ids are its node ids (``tests/test_x.py::TestC::test_y[param]``), unittest ids the dotted
name it prints in parentheses (``package.module.Class.test_method``).
"""

from __future__ import annotations

import re

from zebench.grading.models import TestResults, TestStatus

_PYTEST_WORDS: dict[str, TestStatus] = {
    "PASSED": TestStatus.PASSED,
    "XPASS": TestStatus.PASSED,  # a non-strict unexpected pass; a strict one is reported FAILED
    "XFAIL": TestStatus.XFAIL,
    "SKIPPED": TestStatus.SKIPPED,
    "FAILED": TestStatus.FAILED,
    "ERROR": TestStatus.ERROR,
    "SUBPASS": TestStatus.PASSED,  # pytest 9's subtests
    "SUBPASSED": TestStatus.PASSED,
    "SUBFAIL": TestStatus.FAILED,
    "SUBFAILED": TestStatus.FAILED,
}
_WORDS = "|".join(sorted(_PYTEST_WORDS, key=len, reverse=True))
# ``-rA``'s short summary: ``FAILED tests/x.py::test_y[a] - AssertionError: …``. SKIPPED lines
# there name a location (``SKIPPED [1] tests/x.py:14: reason``), not a test, and are left out.
_SUMMARY = re.compile(rf"^({_WORDS}) (?!\[\d+\] )(\S.*)$", re.MULTILINE)
# ``-v``: ``tests/x.py::test_y[a] PASSED  [ 10%]``.
_VERBOSE = re.compile(rf"^(\S+?::\S.*?) ({_WORDS})(?: \(.*\))?(?:\s+\[\s*\d+%\])?\s*$", re.MULTILINE)
_MARKERS = re.compile(
    r"short test summary info|^=+ test session starts =+$|^collected \d+ items?", re.MULTILINE
)


def _summary_id(word: str, rest: str) -> str:
    """The node id of a summary line's remainder, without the `` - message`` failures carry."""
    rest = rest.rstrip()
    if word in ("PASSED", "SUBPASSED", "SUBPASS"):
        return rest  # pytest appends no message to passes
    bracket = rest.find("[")
    dash = rest.find(" - ")
    if bracket != -1 and (dash == -1 or bracket < dash):
        # A parametrised id may hold " - " itself: it ends at the first "]" followed by the message.
        end = rest.find("] - ", bracket)
        return rest[: end + 1] if end != -1 else rest
    return rest if dash == -1 else rest[:dash]


def parse_pytest(text: str) -> TestResults | None:
    """pytest's ``-rA`` summary lines and ``-v`` lines; None when the text is no pytest output."""
    summary = _SUMMARY.findall(text)
    verbose = _VERBOSE.findall(text)
    if not verbose and not (summary and _MARKERS.search(text)):
        return None
    results = TestResults(formats=["pytest"])
    for word, rest in summary:
        test_id = _summary_id(word, rest)
        if "::" in test_id or word == "ERROR":  # an ERROR may name a whole file (collection error)
            results.add(test_id, _PYTEST_WORDS[word])
    for test_id, word in verbose:
        results.add(test_id, _PYTEST_WORDS[word])
    return results


_UT_NAME = r"(\w+) \(([\w.]+)\)"
_UT_LINE = re.compile(rf"^{_UT_NAME}(?: \([^)]*\))?(?: \.\.\. (.*))?$")
_UT_SUB = re.compile(rf"^\s+{_UT_NAME} \(.*\) \.\.\. (.*)$")
_UT_HEADING = re.compile(rf"^(FAIL|ERROR|UNEXPECTED SUCCESS): {_UT_NAME}")
_UT_RAN = re.compile(r"^Ran \d+ tests? in [\d.]+s\s*$", re.MULTILINE)


def _ut_status(word: str) -> TestStatus | None:
    word = word.strip()
    if word == "ok":
        return TestStatus.PASSED
    if word == "FAIL" or word == "unexpected success":
        return TestStatus.FAILED
    if word == "ERROR":
        return TestStatus.ERROR
    if word == "expected failure":
        return TestStatus.XFAIL
    if word.startswith("skipped"):
        return TestStatus.SKIPPED
    return None


def _ut_id(method: str, where: str) -> str:
    # Python 3.11+ prints module.Class.method; older versions module.Class.
    return where if where.endswith(f".{method}") else f"{where}.{method}"


def _last_status(tail: str) -> TestStatus | None:
    """The status ending a verbose line's tail; the test's own prints may come before it."""
    status = _ut_status(tail)
    if status is None and " ... " in tail:
        status = _ut_status(tail.rsplit(" ... ", 1)[1])
    return status


def parse_unittest(text: str) -> TestResults | None:
    """unittest's ``-v`` lines (``test_x (pkg.mod.C.test_x) ... ok``) and, from the default output,
    the ``FAIL:``/``ERROR:`` headings, which name only the tests that did not pass."""
    if not _UT_RAN.search(text):
        return None
    results = TestResults(formats=["unittest"])
    pending: str | None = None  # a test whose status is on a later line (docstring, prints)
    for line in text.splitlines():
        if heading := _UT_HEADING.match(line):
            word, method, where = heading.groups()
            results.add(_ut_id(method, where), TestStatus.ERROR if word == "ERROR" else TestStatus.FAILED)
            continue
        if sub := _UT_SUB.match(line):
            status = _last_status(sub.group(3))
            if status is not None and status.is_failure:
                results.add(_ut_id(sub.group(1), sub.group(2)), status)
            continue
        if verbose := _UT_LINE.match(line):
            method, where, tail = verbose.groups()
            pending = _ut_id(method, where)
            status = _last_status(tail or "")
            if status is not None:
                results.add(pending, status)
                pending = None
            continue
        if pending is not None:
            status = _last_status(line.rsplit(" ... ", 1)[1] if " ... " in line else line)
            if status is not None:
                results.add(pending, status)
                pending = None
    return results
