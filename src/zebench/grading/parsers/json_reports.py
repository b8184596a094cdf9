"""Per-test results from machine-readable reports printed on stdout: jest's and vitest's ``--json``
(the same shape), mocha's ``--reporter json`` and ``go test -json``.

Absolute file paths are made relative to the workspace before parsing (see
``zebench.grading.collect``), so ids stay the same from one workspace to the next.
"""

from __future__ import annotations

import json
import re
from typing import Any

from zebench.grading.models import TestResults, TestStatus

_DECODER = json.JSONDecoder()
_JEST_STATUS = {
    "passed": TestStatus.PASSED,
    "failed": TestStatus.FAILED,
    "pending": TestStatus.SKIPPED,
    "skipped": TestStatus.SKIPPED,
    "todo": TestStatus.SKIPPED,
    "disabled": TestStatus.SKIPPED,
    "focused": TestStatus.PASSED,
}


def _json_objects(text: str, opener: re.Pattern[str]) -> list[dict[str, Any]]:
    """Every JSON object starting where ``opener`` matches, decoded; malformed ones are skipped."""
    found: list[dict[str, Any]] = []
    for match in opener.finditer(text):
        try:
            value, _ = _DECODER.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


_JEST_OPENER = re.compile(r'\{\s*"num(?:Failed|Total|Passed)Test')


def parse_jest_json(text: str) -> TestResults | None:
    """``jest --json`` or ``vitest --reporter=json``: ``testResults[].assertionResults[]``.

    A test's id is ``file > ancestor titles > title``, like the text reporters'.
    """
    reports = [r for r in _json_objects(text, _JEST_OPENER) if isinstance(r.get("testResults"), list)]
    if not reports:
        return None
    results = TestResults(formats=["jest-json"])
    for report in reports:
        for suite in report["testResults"]:
            if not isinstance(suite, dict):
                continue
            file = str(suite.get("name") or suite.get("testFilePath") or "")
            cases = suite.get("assertionResults") or []
            if not cases and suite.get("status") == "failed":
                results.add(file, TestStatus.ERROR)  # the file did not load
            for case in cases:
                if not isinstance(case, dict):
                    continue
                titles = [str(t) for t in case.get("ancestorTitles") or []]
                test_id = " > ".join([file, *titles, str(case.get("title", ""))])
                results.add(test_id, _JEST_STATUS.get(str(case.get("status")), TestStatus.FAILED))
    return results


_MOCHA_OPENER = re.compile(r'\{\s*"stats":\s*\{')


def parse_mocha_json(text: str) -> TestResults | None:
    """``mocha --reporter json``: ``passes``, ``failures`` and ``pending`` by ``fullTitle``."""
    reports = [r for r in _json_objects(text, _MOCHA_OPENER) if isinstance(r.get("tests"), list)]
    if not reports:
        return None
    results = TestResults(formats=["mocha-json"])
    for report in reports:
        for key, status in (
            ("passes", TestStatus.PASSED),
            ("pending", TestStatus.SKIPPED),
            ("failures", TestStatus.FAILED),
        ):
            for case in report.get(key) or []:
                if isinstance(case, dict) and "fullTitle" in case:
                    results.add(str(case["fullTitle"]), status)
    return results


_GO_ACTIONS = {"pass": TestStatus.PASSED, "fail": TestStatus.FAILED, "skip": TestStatus.SKIPPED}
_GO_LINE = re.compile(r'^\{.*"Action":\s*"(?:pass|fail|skip)".*\}\s*$', re.MULTILINE)
# Before Go 1.24 a package that does not build has no JSON event, only this line on stderr.
_GO_BUILD_FAILED = re.compile(r"^FAIL\s+(\S+) \[(?:build|setup) failed\]\s*$", re.MULTILINE)


def parse_go_json(text: str) -> TestResults | None:
    """``go test -json``: one event per line; a test's id is ``package::TestName`` (subtests
    ``package::TestName/sub``). A package that fails without a test event (a build failure)
    is recorded under the package's own name as an error."""
    lines = _GO_LINE.findall(text)
    if not lines:
        return None
    results = TestResults(formats=["go"])
    for package in _GO_BUILD_FAILED.findall(text):
        results.add(package, TestStatus.ERROR)
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        action = _GO_ACTIONS.get(str(event.get("Action")))
        package = str(event.get("Package", ""))
        test = event.get("Test")
        if action is None:
            continue
        if test:
            results.add(f"{package}::{test}", action)
        elif action is TestStatus.FAILED and not any(t.startswith(f"{package}::") for t in results.tests):
            results.add(package, TestStatus.ERROR)
    return results
