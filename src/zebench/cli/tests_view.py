"""Rich renderings of per-test results: a run's tests (``zebench run ID --tests``) and a control's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from zebench.results.models import ControlResult, TestSummary

if TYPE_CHECKING:
    from zebench.grading import TestRow  # the grading package is imported only when tests are shown

_GROUP = {"fail_to_pass": "F2P", "pass_to_pass": "P2P", None: "—"}


def summary_line(summary: TestSummary) -> Text:
    """``296 passed, 1 failed · F2P 0/1 · P2P 295/295 · not resolved``."""
    line = Text(f"{summary.passed} passed, {summary.failed} failed")
    if summary.errors:
        line.append(f", {summary.errors} errors")
    if summary.skipped:
        line.append(f", {summary.skipped} skipped")
    if summary.f2p_total is not None:
        line.append(
            f" · F2P {summary.f2p_passed}/{summary.f2p_total} · P2P {summary.p2p_passed}/{summary.p2p_total}"
        )
    if summary.resolved is not None:
        line.append(" · ")
        line.append(
            "resolved" if summary.resolved else "not resolved", style="green" if summary.resolved else "red"
        )
    return line


def control_line(control: ControlResult, *, names: bool = True) -> Text:
    """What the control (pristine fixture, hidden tests in) shows: the tests failing before the fix
    (with ``names``, the first few of them)."""
    if control.tests is None:
        return Text("no per-test results", style="dim")
    line = Text()
    summary = control.tests
    if summary.f2p_total:
        failing = summary.f2p_total - (summary.f2p_passed or 0)
        line.append(f"F2P failing {failing}/{summary.f2p_total}", style="yellow" if failing else "red")
        line.append(" · ")
    line.append(f"{summary.passed} passed, {summary.failed + summary.errors} failing")
    if names and control.failed_tests:
        shown = ", ".join(control.failed_tests[:3])
        more = len(control.failed_tests) - 3
        line.append(f": {shown}" + (f" and {more} more" if more > 0 else ""), style="dim")
    return line


def tests_table(rows: list[TestRow], summary: TestSummary | None) -> Table:
    """The listed tests with their list, status and verdict."""
    title = "Tests" if summary is None else f"Tests ({summary_line(summary).plain})"
    table = Table(title=title, header_style="bold", title_justify="left")
    for column in ("List", "Status", "Counts as", "Test"):
        table.add_column(column, overflow="fold" if column == "Test" else "ellipsis")
    for row in rows:
        status = row.status.value if row.status is not None else "missing"
        verdict = Text("pass", style="green") if row.counts_as_pass else Text("fail", style="red")
        table.add_row(_GROUP[row.group], status, verdict, Text(row.id))
    return table
