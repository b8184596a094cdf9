"""Per-test results from TAP: ``node --test``'s TAP reporter and tape (or any TAP producer).

``node --test`` nests subtests under ``# Subtest: name`` with four-space indentation; a test's id
is its titles joined by ``" > "``, and only leaves are tests (a suite or a test with subtests is a
container). tape prints ``# name`` before each test's assertions; the test is that name, failed
when any of its assertions failed.
"""

from __future__ import annotations

import re

from zebench.grading.models import TestResults, TestStatus

_RESULT = re.compile(r"^(\s*)(not ok|ok)\b(?: \d+)?(?: -)?(?: (.*?))?\s*$")
_DIRECTIVE = re.compile(r"\s+#\s+(SKIP|TODO)\b.*$", re.IGNORECASE)
_SUBTEST = re.compile(r"^(\s*)# Subtest: (.*)$")
_TAPE_TOTALS = re.compile(r"^# (?:(?:tests|pass|fail|todo|skip)\s+\d+|ok|not ok)\s*$")


def _status(verdict: str, description: str) -> tuple[TestStatus, str]:
    directive = _DIRECTIVE.search(description)
    name = description[: directive.start()] if directive else description
    if directive:
        return TestStatus.SKIPPED, name
    return (TestStatus.PASSED if verdict == "ok" else TestStatus.FAILED), name


def _unescape(name: str) -> str:
    return name.replace("\\#", "#").replace("\\\\", "\\")


def parse_node_tap(text: str) -> TestResults | None:
    """``node --test --test-reporter=tap`` (the default when its output is not a terminal)."""
    if "# Subtest: " not in text:
        return None
    results = TestResults(formats=["node-tap"])
    path: dict[int, str] = {}  # indentation → the title of the open test at that depth
    parents: set[tuple[int, str]] = set()
    for line in text.splitlines():
        if sub := _SUBTEST.match(line):
            depth = len(sub.group(1)) // 4
            path = {d: t for d, t in path.items() if d < depth}
            path[depth] = _unescape(sub.group(2))
            if depth > 0:
                parents.add((depth - 1, path[depth - 1]))
            continue
        result = _RESULT.match(line)
        if result is None or result.group(3) is None:
            continue
        depth = len(result.group(1)) // 4
        status, name = _status(result.group(2), result.group(3))
        name = _unescape(name)
        if path.get(depth) != name:
            continue  # not the result of the subtest we are in: a stray line
        titles = [path[d] for d in range(depth + 1) if d in path]
        is_parent = (depth, name) in parents
        parents.discard((depth, name))
        if not is_parent or (status.is_failure and not _any_failed_under(results, titles)):
            results.add(" > ".join(titles), status)
        path = {d: t for d, t in path.items() if d < depth}
    return results


def _any_failed_under(results: TestResults, titles: list[str]) -> bool:
    """Whether a failing child of this container is recorded already (then the container is not)."""
    prefix = " > ".join(titles) + " > "
    return any(s.is_failure for t, s in results.tests.items() if t.startswith(prefix))


def parse_tape(text: str) -> TestResults | None:
    """tape's TAP: ``# test name`` then its assertions (``ok 3 should be equal``)."""
    if "# Subtest: " in text or not re.search(r"^TAP version \d+$", text, re.MULTILINE):
        return None
    results = TestResults(formats=["tap"])
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("# ") and not _TAPE_TOTALS.match(line):
            current = line[2:].strip()
            continue
        result = _RESULT.match(line)
        if result is None or result.group(1):
            continue  # indented lines are YAML diagnostics, not results
        status, name = _status(result.group(2), result.group(3) or "")
        results.add(current if current is not None else name.strip(), status)
    return results
