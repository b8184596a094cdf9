"""The run page's Tests section in headless Chromium: F2P/P2P rows, counts, hostile ids as text,
and a failing 0.9975 score shown as 0.99, never 1.00."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from dashboard_kit import PageProbe

from zebench.grading import TestReport, TestResults, TestStatus
from zebench.results.models import EvaluationResult, RunRecord, RunStatus, TestSummary
from zebench.store import SqlStore

pytestmark = pytest.mark.browser

HOSTILE = "tests/x.py::test_<script>alert(1)</script>"


def _run() -> RunRecord:
    report = TestReport(
        results=TestResults(
            tests={
                "tests/a.py::test_bug": TestStatus.FAILED,
                "tests/a.py::test_ok": TestStatus.PASSED,
                HOSTILE: TestStatus.ERROR,
            }
        ),
        fail_to_pass=["tests/a.py::test_bug", "tests/a.py::test_gone"],
        pass_to_pass=["tests/a.py::test_ok"],
    )
    return RunRecord(
        run_id="run_tests_page",
        batch_id="batch_tests",
        suite="realworld",
        scenario="bug",
        tier="L1",
        agent="echo",
        status=RunStatus.COMPLETED,
        started_at=datetime(2026, 1, 2, tzinfo=UTC),
        completed_at=datetime(2026, 1, 2, 0, 1, tzinfo=UTC),
        total_score=0.9975,
        evaluations=[
            EvaluationResult(name="test", score=0.9975, passed=False, summary="399/400 tests passed")
        ],
        tests=TestSummary(
            passed=1, failed=1, errors=1, f2p_passed=0, f2p_total=2, p2p_passed=1, p2p_total=1, resolved=False
        ),
        artifacts={"tests": report.model_dump_json()},
    )


def test_run_page_lists_the_tests_and_rounds_a_failing_score_down(
    probe: PageProbe, fresh_store: SqlStore, serve: Callable[[SqlStore], str]
) -> None:
    fresh_store.save_run(_run())
    url = serve(fresh_store)
    page = probe.page
    page.goto(f"{url}/runs/run_tests_page")
    section = page.locator("#tests")
    assert "NOT RESOLVED" in section.locator("h2").inner_text()
    assert "fail-to-pass 0/2 · pass-to-pass 1/1" in section.inner_text()
    rows = [r.split("\t") for r in section.locator("tbody tr").all_inner_texts()]
    assert [r[0] for r in rows] == ["F2P", "F2P", "—"]
    assert rows[1][1:] == ["missing", "FAIL", "tests/a.py::test_gone"]
    assert rows[2][3] == HOSTILE  # shown as text
    assert page.locator("script").count() == 1  # only /static/dashboard.js
    kpi = page.locator(".kpis").inner_text()
    assert "0.997" in kpi and "1.000" not in kpi
    scores = page.locator("#scores").inner_text()
    assert "0.99" in scores and "1.00 /" not in scores.replace("/ 1.00", "")
    assert probe.errors == []
