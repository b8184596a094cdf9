"""Why a candidate commit is not kept, as ``<kind>: <detail>``: the report counts the kinds.

The lock's problems are phrased for one scenario's author (``zebench check --lock``); here each is
filed under a short kind a reader of a mining report can count and act on, its detail kept whole.
"""

from __future__ import annotations

import re

from zebench.grading import TestsLock

# (a phrase of a lock problem, the kind it is filed under), first match wins
_LOCK_KINDS = (
    ("no per-test results could be read", "no per-test results in the test output"),
    ("do not pass with the solution", "tests fail with the solution"),
    ("are not in the output with the solution", "tests missing from the output with the solution"),
    ("no test fails on the pristine fixture", "no fail-to-pass test (the hidden tests pass before the fix)"),
    ("timed out on the", "the test command timed out"),
)
# Kinds for problems that name only whole test modules: pytest reports a module it cannot import
# by its path, unittest as ``unittest.loader._FailedTest.<module>``.
_MODULE_KINDS = {
    "tests fail with the solution": "the test modules do not load with the solution (an import or syntax error)",
    "tests missing from the output with the solution": (
        "a hidden test module does not load before the fix (it imports what the fix adds)"
    ),
}
_MORE = re.compile(r" and \d+ more$")


class Rejected(Exception):
    """A candidate that does not become a scenario; the message is the report's reason."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)


def _modules_only(problem: str) -> bool:
    """Whether every test a problem quotes (after its last ``): ``) is a whole module."""
    quoted = _MORE.sub("", problem.rpartition("): ")[2])
    ids = quoted.split(", ") if quoted else []
    return bool(ids) and all(i.endswith(".py") or i.startswith("unittest.loader._Failed") for i in ids)


def lock_rejection(lock: TestsLock) -> Rejected:
    """The rejection for a lock with problems: the first problem's kind, every problem as detail."""
    first = lock.problems[0] if lock.problems else "no fail-to-pass test"
    kind = next((k for phrase, k in _LOCK_KINDS if phrase in first), "the tests cannot be locked")
    if kind in _MODULE_KINDS and _modules_only(first):
        kind = _MODULE_KINDS[kind]
    return Rejected(kind, "; ".join(lock.problems))
