"""Which files of a commit are tests and which are source, and which commits are candidates.

A test file lives in a test folder (``tests/``, ``test/``, ``__tests__/``, ``spec/``...) or is
named like one (``test_x.py``, ``x_test.go``, ``x.test.js``, ``conftest.py``). Source is any other
file in a programming language; documentation, changelogs and CI configuration are neither, so a
commit that only touches them and tests is no candidate (nothing for an agent to fix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from zebench.mining.repo import CommitInfo

TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs", "t"})
_TEST_NAME = re.compile(
    r"(^test_.*\.py$|.*_test\.py$|^conftest\.py$|.*_test\.go$|.*\.(test|spec)\.[cm]?[jt]sx?$"
    r"|^test[-_.].*\.[cm]?[jt]s$|.*Test\.java$|.*_spec\.rb$|.*_test\.rb$)"
)
SOURCE_SUFFIXES = frozenset(
    {".py", ".pyi", ".pyx", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".go",
     ".rs", ".java", ".kt", ".rb", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".php", ".swift",
     ".scala", ".ex", ".exs", ".lua"}
)  # fmt: skip
_TOOLING_DIRS = frozenset({".github", ".circleci", ".gitlab", ".ci", "docs", "doc", "bench", "benchmarks"})


def is_test_path(path: str) -> bool:
    """Whether ``path`` (relative, with ``/``) is a test file or lives in a test folder."""
    parts = PurePosixPath(path).parts
    return any(part.lower() in TEST_DIRS for part in parts[:-1]) or bool(_TEST_NAME.match(parts[-1]))


def is_source_path(path: str) -> bool:
    """Whether ``path`` is code an agent could be asked to change (not a test, not docs or CI)."""
    if is_test_path(path):
        return False
    pure = PurePosixPath(path)
    if pure.suffix.lower() not in SOURCE_SUFFIXES:
        return False
    return not any(part in _TOOLING_DIRS for part in pure.parts[:-1])


@dataclass(frozen=True)
class CommitSplit:
    """A commit's files in three groups: tests, source and the rest (docs, CI, data)."""

    tests: tuple[str, ...]
    source: tuple[str, ...]
    other: tuple[str, ...]
    deleted_tests: tuple[str, ...]

    @property
    def non_test(self) -> tuple[str, ...]:
        """What the solution patch holds: every changed file that is not a test."""
        return tuple(sorted((*self.source, *self.other)))


def split_commit(commit: CommitInfo) -> CommitSplit:
    tests: list[str] = []
    source: list[str] = []
    other: list[str] = []
    deleted: list[str] = []
    for change in commit.changes:
        if is_test_path(change.path):
            tests.append(change.path)
            if change.status == "D":
                deleted.append(change.path)
        elif is_source_path(change.path):
            source.append(change.path)
        else:
            other.append(change.path)
    return CommitSplit(
        tuple(sorted(tests)), tuple(sorted(source)), tuple(sorted(other)), tuple(sorted(deleted))
    )


def candidate_problem(split: CommitSplit, *, max_files: int | None) -> str | None:
    """Why a commit is not a candidate at all (None when it is one)."""
    if not split.tests:
        return "changes no test file"
    if not split.source:
        return "changes no source file"
    total = len(split.tests) + len(split.source) + len(split.other)
    if max_files is not None and total > max_files:
        return f"changes more files than --max-files {max_files}: {total} files"  # kind, then detail
    return None
