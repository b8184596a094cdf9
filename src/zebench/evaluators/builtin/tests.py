"""``test``: the share of tests that passed, read from the test command's output or JUnit XML.

A non-zero exit never scores 1, a timeout scores 0 and zero collected tests score 0, so an agent
cannot win by breaking or emptying the suite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from zebench.evaluators.base import EvaluationContext, register_evaluator
from zebench.evaluators.builtin._base import BaseEvaluator, command_details, describe_outcome
from zebench.evaluators.builtin.globbing import iter_matching_files
from zebench.evaluators.builtin.test_output import TestCounts, parse_junit_xml, parse_test_output
from zebench.grading.collect import UnsafeReportError, read_report
from zebench.results.models import EvaluationResult


def _junit_globs(config: dict[str, Any]) -> list[str]:
    value = config.get("junit")
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def read_junit_reports(workspace: Path, globs: list[str]) -> tuple[TestCounts | None, list[str]]:
    """Counts added up over every JUnit XML file matching ``globs``, and the files read."""
    total: TestCounts | None = None
    files: list[str] = []
    for pattern in globs:
        for path in iter_matching_files(workspace, pattern):
            try:  # an agent-written file: bounded, a plain file, no link out (zebench.grading.collect)
                counts = parse_junit_xml(read_report(workspace, path))
            except (UnsafeReportError, ET.ParseError):
                continue
            if counts is None:
                continue
            files.append(path)
            total = counts if total is None else total + counts
    return total, files


@register_evaluator("test")
class TestEvaluator(BaseEvaluator):
    """Score = passed / (passed + failed + errors) of the test validation command."""

    __test__ = False  # not a pytest test class, despite the name
    name = "test"

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        result = ctx.command("test")
        if result is None:
            return self.skipped(ctx, "no test command configured")
        details = command_details(result)
        globs = _junit_globs(ctx.spec.config)
        counts, junit_files = read_junit_reports(ctx.workspace, globs) if globs else (None, [])
        if counts is not None:
            details["junit_files"] = junit_files
        else:
            counts = parse_test_output(f"{result.stdout}\n{result.stderr}")
        details["counts"] = counts.model_dump() if counts is not None else None
        notes: list[str] = []
        details["notes"] = notes
        outcome = describe_outcome(result)

        if result.timed_out or result.exit_code is None:
            notes.append(f"the test command {outcome}")
            return self.scored(ctx, 0.0, passed=False, summary=f"tests {outcome}", details=details)
        exit_code = result.exit_code
        if counts is None:
            notes.append("no test summary was recognised; the exit code decides")
            ok = exit_code == 0
            return self.scored(
                ctx,
                1.0 if ok else 0.0,
                passed=ok,
                summary=f"tests {outcome} (no summary parsed)",
                details=details,
            )
        if counts.total == 0:
            notes.append("zero tests were collected")
            return self.scored(ctx, 0.0, passed=False, summary="no tests were collected", details=details)
        if counts.executed == 0:
            notes.append(f"every test was skipped ({counts.skipped})")
            return self.scored(ctx, 0.0, passed=False, summary="every test was skipped", details=details)
        failing = counts.failed + counts.errors
        if exit_code != 0 and failing == 0:
            notes.append(f"exit code {exit_code} although no failing test was parsed")
            return self.scored(
                ctx,
                0.0,
                passed=False,
                summary=f"tests {outcome}, {counts.passed} passed but the command failed",
                details=details,
            )
        score = counts.passed / counts.executed
        summary = f"{counts.passed}/{counts.executed} tests passed"
        if counts.skipped:
            summary += f", {counts.skipped} skipped"
        if exit_code != 0:
            summary += f" ({outcome})"
        return self.scored(
            ctx, score, passed=exit_code == 0 and failing == 0, summary=summary, details=details
        )
