"""Per-test results in the store, on SQLite and PostgreSQL: the summary table, the artifact, controls."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from zebench.grading import TestReport, TestResults, TestStatus
from zebench.results.models import BatchRecord, ControlResult, RunRecord, RunStatus, TestSummary
from zebench.store import SqlStore, schema

SUMMARY = TestSummary(
    passed=296,
    failed=1,
    errors=0,
    skipped=2,
    f2p_passed=0,
    f2p_total=1,
    p2p_passed=295,
    p2p_total=295,
    resolved=False,
)


def _run(run_id: str, tests: TestSummary | None) -> RunRecord:
    report = TestReport(
        results=TestResults(tests={"t::bug": TestStatus.FAILED, "t::ok": TestStatus.PASSED}),
        fail_to_pass=["t::bug"],
        pass_to_pass=["t::ok"],
    )
    return RunRecord(
        run_id=run_id,
        batch_id="b1",
        suite="s",
        scenario="c",
        tier="L1",
        agent="echo",
        status=RunStatus.COMPLETED,
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        completed_at=datetime(2026, 1, 1, 0, 1, tzinfo=UTC),
        total_score=0.25,
        tests=tests,
        artifacts={"tests": report.model_dump_json()} if tests else {},
    )


def test_summary_round_trips_and_is_queryable(store: SqlStore) -> None:
    store.save_run(_run("run_a", None).model_copy(update={"status": RunStatus.RUNNING}))
    store.save_runs([_run("run_a", SUMMARY), _run("run_b", None)])  # the final record replaces the first
    assert store.get_run("run_a").tests == SUMMARY
    assert store.get_run("run_b").tests is None
    report = TestReport.model_validate_json(store.get_artifact("run_a", "tests"))
    assert report.results.tests["t::bug"] is TestStatus.FAILED and report.fail_to_pass == ["t::bug"]
    with store.engine.connect() as conn:  # "a summary you can query": plain SQL over the table
        rows = conn.execute(
            select(
                schema.test_summaries.c.run_id,
                schema.test_summaries.c.resolved,
                schema.test_summaries.c.failed,
            )
        ).all()
    assert [tuple(r) for r in rows] == [("run_a", False, 1)]


def test_control_keeps_its_failing_tests(store: SqlStore) -> None:
    store.save_batch(BatchRecord(batch_id="b1"))
    control = ControlResult(suite="s", scenario="c", passed=False, tests=SUMMARY, failed_tests=["t::bug"])
    store.save_control("b1", control)
    store.save_control("b1", ControlResult(suite="s", scenario="plain", passed=True))
    controls = {c.scenario: c for c in store.get_batch("b1").controls}
    assert controls["c"].tests == SUMMARY and controls["c"].failed_tests == ["t::bug"]
    assert controls["plain"].tests is None and controls["plain"].failed_tests == []
