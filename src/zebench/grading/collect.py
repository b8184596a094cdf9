"""Per-test results of a run: parsed from its test commands' output, or from JUnit XML reports.

Everything read here was produced by code the agent controlled. Command output is already
capped by the command runner; report files are read through :func:`read_report`, bounded, never
following a link out of the workspace, and only when they are regular files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from zebench.errors import WorkspaceError
from zebench.grading.models import TestResults
from zebench.grading.parsers import parse_junit_results, parse_test_results
from zebench.results.models import CommandResult
from zebench.scenarios.model import EvaluatorSpec

MAX_REPORT_BYTES = 32 * 1024 * 1024


class UnsafeReportError(WorkspaceError):
    """A report file the agent could have planted is not a plain file inside the workspace."""


def read_report(root: Path, rel: str, *, max_bytes: int = MAX_REPORT_BYTES) -> str:
    """The text of ``root/rel``, an agent-written file: only a regular, singly-linked file inside
    ``root``, reached without symlinks, at most ``max_bytes``; raises UnsafeReportError otherwise.

    Hand-written until ``zebench.safefs`` lands on main; then this is ``safefs.read_text``.
    """
    base = root.resolve()
    parts = [p for p in Path(rel).parts if p not in ("", ".")]
    if not parts or ".." in parts or Path(rel).is_absolute():
        raise UnsafeReportError(f"report path {rel!r} is not inside the workspace", file=rel)
    current = base
    for part in parts:  # no component may be a symlink, so nothing leads out of the workspace
        current = current / part
        if os.path.islink(current):
            raise UnsafeReportError("the report path goes through a symbolic link", file=rel)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(current, flags)
    except OSError as exc:
        raise UnsafeReportError(f"cannot open the report: {exc.strerror}", file=rel) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            raise UnsafeReportError("the report is not a plain file (link, FIFO or device)", file=rel)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafeReportError(f"the report is larger than {max_bytes} bytes", file=rel)
    return data.decode("utf-8", errors="replace")


def junit_reports(workspace: Path, globs: Sequence[str]) -> tuple[TestResults | None, list[str]]:
    """Results merged over the JUnit XML files matching ``globs``, and the files read.

    A file that is unsafe or not JUnit XML is skipped: it cannot supply a passing test.
    """
    from zebench.evaluators.builtin.globbing import iter_matching_files

    found: TestResults | None = None
    files: list[str] = []
    for pattern in globs:
        for rel in iter_matching_files(workspace, pattern):
            try:
                results = parse_junit_results(read_report(workspace, rel))
            except (UnsafeReportError, ValueError):
                continue
            if results is None:
                continue
            files.append(rel)
            found = results if found is None else found.merge(results)
    return found, files


def junit_globs(specs: Sequence[EvaluatorSpec]) -> list[str]:
    """The ``junit:`` globs configured on a scenario's ``test`` or ``resolved`` evaluator."""
    globs: list[str] = []
    for spec in specs:
        value = spec.config.get("junit") if spec.name in ("test", "resolved") else None
        if isinstance(value, str):
            globs.append(value)
        elif isinstance(value, list):
            globs += [str(v) for v in value]
    return list(dict.fromkeys(globs))


def collect_results(
    validation: Sequence[CommandResult], workspace: Path, *, junit: Sequence[str] = ()
) -> TestResults | None:
    """The per-test results of a run's ``test`` commands: from JUnit reports when ``junit`` globs
    match any, else parsed from the commands' output. None when nothing could be read."""
    if junit:
        found, _files = junit_reports(workspace, junit)
        if found is not None:
            return found
    roots = (str(workspace), str(workspace.resolve()))
    merged: TestResults | None = None
    for command in validation:
        if command.kind != "test":
            continue
        results = parse_test_results(f"{command.stdout}\n{command.stderr}", roots=roots)
        if results is not None:
            merged = results if merged is None else merged.merge(results)
    return merged
