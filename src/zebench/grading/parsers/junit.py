"""Per-test results from JUnit XML reports (pytest ``--junitxml``, jest-junit, mocha-junit, go-junit…).

A test's id is ``classname::name`` (``name`` alone when the case has no class name). The report is
written by code the agent controlled: it is read bounded (see ``zebench.grading.collect``) and
parsed by the standard library's expat, which refuses entity-expansion bombs itself (expat ≥
2.4, checked in ``_expat_is_safe``) and never fetches external entities.
"""

from __future__ import annotations

import pyexpat
import xml.etree.ElementTree as ET

from zebench.grading.models import TestResults, TestStatus


def _expat_is_safe() -> bool:
    return pyexpat.version_info >= (2, 4, 0)


def _case_status(case: ET.Element) -> TestStatus:
    tags = {child.tag for child in case}
    if "error" in tags:
        return TestStatus.ERROR
    if "failure" in tags:
        return TestStatus.FAILED
    skipped = case.find("skipped")
    if skipped is not None:
        # pytest writes an expected failure as <skipped type="pytest.xfail">.
        return TestStatus.XFAIL if skipped.get("type") == "pytest.xfail" else TestStatus.SKIPPED
    return TestStatus.PASSED


def parse_junit_results(text: str) -> TestResults | None:
    """Every ``<testcase>`` of a JUnit report with its status; None for XML that is not JUnit.

    Raises ``ValueError`` for malformed XML, or on a Python whose expat cannot refuse XML bombs.
    """
    if not _expat_is_safe():
        raise ValueError("this Python's expat is older than 2.4 and cannot refuse XML bombs")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"malformed JUnit XML: {exc}") from None
    if root.tag not in ("testsuites", "testsuite"):
        return None
    results = TestResults(formats=["junit"])
    for case in root.iter("testcase"):
        name = case.get("name", "")
        classname = case.get("classname", "")
        results.add(f"{classname}::{name}" if classname else name, _case_status(case))
    return results
