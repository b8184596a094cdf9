"""Per-test results from JavaScript runners' human reporters: ``node --test``'s spec reporter, jest
(``--verbose``, and the failures of its default reporter), vitest (default and ``verbose``) and
mocha's spec reporter. Their JSON reporters are in ``json_reports``.

Ids join a test's titles with ``" > "`` after its file where the runner names one (jest, vitest:
``src/a.test.js > group > adds``); node's spec reporter names no file; mocha's id is its
``fullTitle`` (titles joined by spaces), the same in its spec and JSON reporters.
"""

from __future__ import annotations

import re

from zebench.grading.models import TestResults, TestStatus

_DURATION = re.compile(r"\s+\((?:\d+(?:\.\d+)?\s*m?s)\)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# -- node --test, spec reporter ------------------------------------------------------------------

_NODE_SPEC = re.compile(r"^( *)(✔|✖|﹣|▶) (.*?)(?: \([\d.]+m?s\))?(?: # (SKIP|TODO).*)?$")


def parse_node_spec(text: str) -> TestResults | None:
    """``node --test --test-reporter=spec`` (the default on a terminal): ``▶`` opens a suite, and
    the suite's own result line closes it; only the tests inside are recorded."""
    if not re.search(r"^ℹ (?:tests|pass) \d+$", text, re.MULTILINE):
        return None
    results = TestResults(formats=["node-spec"])
    suites: list[tuple[int, str]] = []
    for line in text.splitlines():
        if line.startswith("✖ failing tests:"):
            break  # the failures are listed again below, without their suites
        found = _NODE_SPEC.match(line)
        if found is None:
            continue
        spaces, glyph, title, directive = found.groups()
        depth = len(spaces)
        if glyph == "▶":
            suites = [(d, t) for d, t in suites if d < depth] + [(depth, title)]
            continue
        if directive or glyph == "﹣":
            status = TestStatus.SKIPPED
        else:
            status = TestStatus.PASSED if glyph == "✔" else TestStatus.FAILED
        if (depth, title) in suites:  # the suite's closing line
            suites = [(d, t) for d, t in suites if d < depth]
            titles = [t for _, t in suites] + [title]
            if status.is_failure and not _failed_under(results, titles):
                results.add(" > ".join(titles), status)  # a hook failed, not a test inside
            continue
        suites = [(d, t) for d, t in suites if d < depth]
        results.add(" > ".join([t for _, t in suites] + [title]), status)
    return results


def _failed_under(results: TestResults, titles: list[str]) -> bool:
    prefix = " > ".join(titles) + " > "
    return any(s.is_failure for t, s in results.tests.items() if t.startswith(prefix))


# -- jest ----------------------------------------------------------------------------------------

_JEST_SUMMARY = re.compile(r"^Tests:\s+.*\d+ total\s*$", re.MULTILINE)
_JEST_FILE = re.compile(r"^(PASS|FAIL) (\S+)")
_JEST_TEST = re.compile(r"^( +)(✓|✕|○|✎) (?:(skipped|todo) )?(.*)$")
_JEST_FAILURE = re.compile(r"^ *● (.*)$")


def parse_jest(text: str) -> TestResults | None:
    """jest's ``--verbose`` tree (every test) and its ``● suite › test`` failure headings (the
    only tests the default reporter names when it runs several files)."""
    if not _JEST_SUMMARY.search(text):
        return None
    results = TestResults(formats=["jest"])
    file: str | None = None
    in_tree = False
    describes: list[tuple[int, str]] = []
    for line in text.splitlines():
        if header := _JEST_FILE.match(line):
            file, in_tree, describes = header.group(2), True, []
            continue
        if file is None:
            continue
        if failure := _JEST_FAILURE.match(line):
            in_tree = False
            title = failure.group(1).strip()
            if title == "Test suite failed to run":
                results.add(file, TestStatus.ERROR)
            else:
                results.add(" > ".join([file, *title.split(" › ")]), TestStatus.FAILED)
            continue
        if not in_tree or not line.strip():
            continue
        depth = _indent(line)
        describes = [(d, t) for d, t in describes if d < depth]
        if test := _JEST_TEST.match(line):
            _, glyph, word, title = test.groups()
            title = _DURATION.sub("", title)
            if word or glyph in "○✎":
                status = TestStatus.SKIPPED
            else:
                status = TestStatus.PASSED if glyph == "✓" else TestStatus.FAILED
            results.add(" > ".join([file, *(t for _, t in describes), title]), status)
        elif depth >= 2:
            describes.append((depth, line.strip()))
    return results


# -- vitest --------------------------------------------------------------------------------------

_VITEST_SUMMARY = re.compile(r"^\s*Test Files\s+\d+ ", re.MULTILINE)
_VITEST_LINE = re.compile(r"^( +)([✓✔×✗✖↓❯]) (.*?)\s*$")
_VITEST_FILE_COUNTS = re.compile(r"^(\S+) \(\d+ tests?[^)]*\)(?: \d+(?:\.\d+)?m?s)?$")
_VITEST_FAIL = re.compile(r"^ *FAIL  (.*?)\s*$")
_VITEST_TIME = re.compile(r" \d+(?:\.\d+)?m?s$")


def _vitest_status(glyph: str) -> TestStatus:
    if glyph in "✓✔":
        return TestStatus.PASSED
    return TestStatus.SKIPPED if glyph == "↓" else TestStatus.FAILED


def parse_vitest(text: str) -> TestResults | None:
    """vitest's ``verbose`` reporter (``✓ file > suite > test 1ms``), its default reporter (the
    tests of each failing file, under ``❯ file (n tests | 1 failed)``) and its ``FAIL`` list."""
    if not _VITEST_SUMMARY.search(text):
        return None
    results = TestResults(formats=["vitest"])
    file: str | None = None
    for line in text.splitlines():
        if fail := _VITEST_FAIL.match(line):
            target = fail.group(1)
            if target.endswith("]") and " [ " in target:  # FAIL  a.test.js [ a.test.js ]: it did not load
                results.add(target.split(" [ ", 1)[0], TestStatus.ERROR)
            else:
                results.add(target, TestStatus.FAILED)
            continue
        found = _VITEST_LINE.match(line)
        if found is None:
            continue
        spaces, glyph, rest = found.groups()
        if counts := _VITEST_FILE_COUNTS.match(rest):
            file = counts.group(1)
            continue
        status = _vitest_status(glyph)
        if glyph == "❯":
            continue
        if status != TestStatus.SKIPPED:
            rest = _VITEST_TIME.sub("", rest)
        if len(spaces) == 1 or file is None:
            results.add(rest, status)  # verbose: the line names the file itself
        else:
            results.add(f"{file} > {rest}", status)
    return results


# -- mocha, spec reporter ------------------------------------------------------------------------

_MOCHA_SUMMARY = re.compile(r"^\s*\d+ passing \(", re.MULTILINE)
_MOCHA_TEST = re.compile(r"^( +)(✔|✓|\d+\)|-) (.*)$")


def parse_mocha_spec(text: str) -> TestResults | None:
    """mocha's spec reporter: suites as indented titles, ``✔ test``, ``1) test``, ``- pending``."""
    summary = _MOCHA_SUMMARY.search(text)
    if summary is None:
        return None
    results = TestResults(formats=["mocha"])
    suites: list[tuple[int, str]] = []
    for line in text[: summary.start()].splitlines():
        if not line.strip():
            continue
        depth = _indent(line)
        suites = [(d, t) for d, t in suites if d < depth]
        if test := _MOCHA_TEST.match(line):
            _, glyph, title = test.groups()
            title = _DURATION.sub("", title)
            if glyph == "-":
                status = TestStatus.SKIPPED
            else:
                status = TestStatus.PASSED if glyph in "✔✓" else TestStatus.FAILED
            results.add(" ".join([*(t for _, t in suites), title]), status)
        elif depth >= 2:
            suites.append((depth, line.strip()))
    return results
