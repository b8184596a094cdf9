"""Parsers of per-test results, one per runner output format.

Each ``parse_*`` takes a command's output and returns :class:`~zebench.grading.TestResults`, or
None when the text holds nothing of its format. :func:`parse_test_results` runs every parser and
merges what they found, so a command running two suites (``pytest && npm test``) is read whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from zebench.grading.models import TestResults
from zebench.grading.parsers.javascript import parse_jest, parse_mocha_spec, parse_node_spec, parse_vitest
from zebench.grading.parsers.json_reports import parse_go_json, parse_jest_json, parse_mocha_json
from zebench.grading.parsers.junit import parse_junit_results
from zebench.grading.parsers.python import parse_pytest, parse_unittest
from zebench.grading.parsers.tap import parse_node_tap, parse_tape

Parser = Callable[[str], TestResults | None]

PARSERS: dict[str, Parser] = {
    "pytest": parse_pytest,
    "unittest": parse_unittest,
    "node-tap": parse_node_tap,
    "node-spec": parse_node_spec,
    "tap": parse_tape,
    "jest": parse_jest,
    "jest-json": parse_jest_json,
    "vitest": parse_vitest,
    "mocha": parse_mocha_spec,
    "mocha-json": parse_mocha_json,
    "go": parse_go_json,
}

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def clean_output(text: str, roots: tuple[str, ...] = ()) -> str:
    """``text`` without colour codes and carriage returns, with every ``root/`` prefix (the
    workspace's absolute path) removed, so ids do not depend on where the workspace was."""
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    for root in sorted({r.rstrip("/") for r in roots if r}, key=len, reverse=True):
        text = text.replace(root + "/", "")
    return text


def parse_test_results(text: str, *, roots: tuple[str, ...] = ()) -> TestResults | None:
    """Per-test results from every recognised format in ``text``, merged; None when none matched."""
    clean = clean_output(text, roots)
    found: TestResults | None = None
    for parser in PARSERS.values():
        results = parser(clean)
        if results is not None:
            found = results if found is None else found.merge(results)
    return found


__all__ = ["PARSERS", "clean_output", "parse_junit_results", "parse_test_results"]
