"""Performance round 2 keeps every answer: get_batch in Python vs the grouped SQL it replaced,
trusted summaries vs validation, batch counts from run_batch_cells, and the new store reads."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select
from store_helpers import T0, simple_run
from test_store_queries import assert_stats, dataset

from zebench.errors import NotFoundError
from zebench.results.models import BatchRecord, EvaluationResult, RunRecord, RunStatus, Telemetry
from zebench.store import SqlStore
from zebench.store import schema as tables
from zebench.store.aggregates import RUN_STATS, stat_columns
from zebench.store.codec import SUMMARY_COLUMNS, payload_hash
from zebench.store.plans import BATCH_INDEX, use_index
from zebench.store.queries import BreakdownRow, RunFilters, RunSummary
from zebench.store.reports import batch_summary, breakdown
from zebench.store.rollup_check import verify_rollups

runs = tables.runs


def judged(records: list[RunRecord]) -> list[RunRecord]:
    """``records`` with a judge cost on two runs in three (None on the rest)."""
    out = []
    for i, r in enumerate(records):
        cost = None if i % 3 == 0 else round(0.001 * i, 6)
        out.append(
            r.model_copy(update={"telemetry": r.telemetry.model_copy(update={"judge_cost_usd": cost})})
        )
    return out


def judge_total(records: list[RunRecord]) -> float | None:
    """The judge cost of ``records``, None when none has one (as SQL's SUM)."""
    costs = [r.telemetry.judge_cost_usd for r in records if r.telemetry.judge_cost_usd is not None]
    return sum(costs) if costs else None


@pytest.fixture
def seeded(store: SqlStore) -> list[RunRecord]:
    records = judged(dataset(90, seed=5))
    store.save_runs(records[:50])
    for r in records[50:]:
        store.save_run(r)
    return records


def _same(a: Any, b: Any) -> bool:
    """Equal, floats to the last few ulps (Python and SQL may add in another order)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _sql_reference(store: SqlStore, batch_id: str) -> dict[str, Any]:
    """The batch figures as the previous get_batch computed them: one grouped query each."""
    in_batch = [runs.c.batch_id == batch_id]
    with store.engine.connect() as conn:
        batch = (
            conn.execute(select(tables.batches).where(tables.batches.c.batch_id == batch_id)).mappings().one()
        )
        agg_query = select(*stat_columns(RUN_STATS), func.max(runs.c.completed_at).label("last_completed_at"))
        agg_query = agg_query.where(*in_batch)
        agg = conn.execute(use_index(agg_query, BATCH_INDEX)).mappings().one()

        def by(*names: str) -> list[BreakdownRow]:
            return breakdown(conn, [(n, runs.c[n]) for n in names], RUN_STATS, in_batch, BATCH_INDEX)

        query = select(*SUMMARY_COLUMNS).where(*in_batch).order_by(runs.c.started_at, runs.c.run_id)
        summaries = [RunSummary.model_validate(dict(r)) for r in conn.execute(query).mappings()]
        return {
            "summary": batch_summary(batch, agg).model_dump(),
            "runs": [s.model_dump() for s in summaries],
            "by_scenario": [r.model_dump() for r in by("suite", "scenario")],
            "by_tier": [r.model_dump() for r in by("tier")],
            "by_agent_model": [r.model_dump() for r in by("agent", "model")],
        }


@pytest.mark.parametrize("batch_id", ["batch_0", "batch_1", "batch_2"])
def test_get_batch_in_python_equals_the_grouped_sql(
    store: SqlStore, seeded: list[RunRecord], batch_id: str
) -> None:
    want = _sql_reference(store, batch_id)
    detail = store.get_batch(batch_id)
    got = detail.model_dump()
    for part in ("summary", "runs", "by_scenario", "by_tier", "by_agent_model"):
        assert _same(got[part], want[part]), part
    # The same order, NULL models included (first on SQLite, last on PostgreSQL, as ORDER BY).
    assert [r["key"] for r in got["by_agent_model"]] == [r["key"] for r in want["by_agent_model"]]
    assert detail.summary.judge_cost_usd == pytest.approx(
        judge_total([r for r in seeded if r.batch_id == batch_id])
    )


def test_trusted_summaries_equal_validated_ones(store: SqlStore, seeded: list[RunRecord]) -> None:
    detail = store.get_batch("batch_1")
    with store.engine.connect() as conn:
        query = (
            select(*SUMMARY_COLUMNS)
            .where(runs.c.batch_id == "batch_1")
            .order_by(runs.c.started_at, runs.c.run_id)
        )
        validated = [RunSummary.model_validate(dict(r)) for r in conn.execute(query).mappings()]
    assert detail.runs == validated
    assert [r.model_dump_json() for r in detail.runs] == [r.model_dump_json() for r in validated]
    page = store.list_runs(limit=500)
    assert page.items == sorted(page.items, key=lambda s: (s.started_at, s.run_id), reverse=True)
    assert all(type(s.status) is RunStatus for s in page.items)


def test_with_evaluations_lists_each_runs_evaluations_in_order(
    store: SqlStore, seeded: list[RunRecord]
) -> None:
    plain = store.get_batch("batch_2")
    assert all(r.evaluations is None for r in plain.runs)
    detail = store.get_batch("batch_2", with_evaluations=True)
    by_id = {r.run_id: r for r in seeded}
    for summary in detail.runs:
        stored = by_id[summary.run_id].evaluations
        assert summary.evaluations is not None
        assert [(e.name, e.status, e.score, e.passed, e.summary) for e in summary.evaluations] == [
            (e.name, e.status, e.score, e.passed, e.summary) for e in stored
        ]
    assert detail.model_copy(update={"runs": plain.runs, "failed_runs": plain.failed_runs}) == plain


def test_empty_batch_detail_and_fingerprint(store: SqlStore) -> None:
    store.save_batch(BatchRecord(batch_id="empty", created_at=T0))
    detail = store.get_batch("empty", with_evaluations=True)
    assert (detail.summary.runs, detail.runs, detail.by_scenario, detail.summary.judge_cost_usd) == (
        0,
        [],
        [],
        None,
    )
    first = store.batch_fingerprint("empty")
    store.save_run(
        simple_run("r1", batch_id="empty", status=RunStatus.RUNNING, completed_at=None, total_score=None)
    )
    second = store.batch_fingerprint("empty")
    store.save_run(simple_run("r1", batch_id="empty"))  # the run ends: same count, new fingerprint
    third = store.batch_fingerprint("empty")
    assert store.batch_fingerprint("empty") == third
    store.save_batch(BatchRecord(batch_id="empty", created_at=T0, completed_at=T0))
    assert len({first, second, third, store.batch_fingerprint("empty")}) == 4
    with pytest.raises(NotFoundError):
        store.batch_fingerprint("nope")


FILTERS = [
    RunFilters(agent="claude"),
    RunFilters(agent="echo", model="m1"),
    RunFilters(status=RunStatus.FAILED),
    RunFilters(specialist="none", tier="L1"),
    RunFilters(specialist="any"),
    RunFilters(successful=True),
    RunFilters(suite="s1", scenario="b"),
    RunFilters(suite="nope"),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: str(f.model_dump(exclude_none=True)))
def test_filtered_batch_counts_stay_exact_across_replacements(store: SqlStore, filters: RunFilters) -> None:
    records = dataset(60, seed=9)
    store.save_runs(records)
    # Move runs between batches and cells, in bulk and one by one.
    moved = [r.model_copy(update={"batch_id": "batch_x", "agent": "claude"}) for r in records[:10]]
    store.save_runs(moved)
    store.save_run(records[20].model_copy(update={"batch_id": "batch_y", "status": RunStatus.FAILED}))
    current = {r.run_id: r for r in records}
    current.update({r.run_id: r for r in moved})
    current[records[20].run_id] = records[20].model_copy(
        update={"batch_id": "batch_y", "status": RunStatus.FAILED}
    )
    assert verify_rollups(store) == []
    matching = {s.run_id for s in store.list_runs(filters, limit=500).items}
    assert store.stats(filters).batches == len({current[i].batch_id for i in matching})


def test_scenario_stats_match_hand_computed(store: SqlStore, seeded: list[RunRecord]) -> None:
    for filters in (None, RunFilters(agent="claude"), RunFilters(batch_id="batch_1")):
        rows = store.scenario_stats(filters)
        mine = [r for r in seeded if _matches(r, filters)]
        groups: dict[tuple[str, str, str], list[RunRecord]] = {}
        for r in mine:
            groups.setdefault((r.suite, r.scenario, r.tier), []).append(r)
        assert [tuple(row.key.values()) for row in rows] == sorted(groups)
        for row in rows:
            assert_stats(row, groups[(row.key["suite"], row.key["scenario"], row.key["tier"])])  # type: ignore[index]
        suites = store.scenario_stats(filters, per="suite")
        assert [row.key for row in suites] == [{"suite": s} for s in sorted({r.suite for r in mine})]
        for row in suites:
            assert_stats(row, [r for r in mine if r.suite == row.key["suite"]])


def _matches(r: RunRecord, filters: RunFilters | None) -> bool:
    if filters is None:
        return True
    return all(getattr(r, k) == v for k, v in filters.model_dump(exclude_none=True).items())


def test_judge_cost_totals(store: SqlStore, seeded: list[RunRecord]) -> None:
    total = judge_total

    assert store.stats().judge_cost_usd == pytest.approx(total(seeded))
    for row in store.agent_stats():
        pair = [r for r in seeded if (r.agent, r.model) == (row.key["agent"], row.key["model"])]
        assert row.judge_cost_usd == pytest.approx(total(pair))
    for page_item in store.list_batches().items:
        assert page_item.judge_cost_usd == pytest.approx(
            total([r for r in seeded if r.batch_id == page_item.batch_id])
        )
    judge = next(r for r in store.evaluator_stats() if r.key == {"evaluator": "judge"})
    with_judge = [r for r in seeded for e in r.evaluations if e.name == "judge"]
    assert judge.judge_cost_usd == pytest.approx(total(with_judge))
    store.save_runs([r.model_copy(update={"telemetry": Telemetry()}) for r in seeded])  # costs removed
    assert verify_rollups(store) == []
    assert store.stats().judge_cost_usd is None


def test_run_fingerprint(store: SqlStore) -> None:
    assert store.get_run_fingerprint("nope") is None
    store.save_run(simple_run("r1", status=RunStatus.RUNNING))
    assert store.get_run_fingerprint("r1") == ("running", None)
    stamped = simple_run("r1", metadata={"zebench:api": {"payloadSha256": "abc"}, "x": 1})
    store.save_run(stamped)
    assert store.get_run_fingerprint("r1") == ("completed", "abc")
    both = {"metadata": {"zebench:api": {"payloadSha256": "old", "payloadDigest": "v2:new"}}}
    assert payload_hash(both) == "v2:new"  # the current digest wins over an earlier server's hash
    assert payload_hash({"metadata": {"zebench:api": "not a dict"}}) is None
    assert payload_hash(None) is None


def test_evaluator_breakdown_still_counts_statuses(store: SqlStore) -> None:
    evals = [EvaluationResult(name="t", status="error", score=None, summary="boom")]
    store.save_run(simple_run("r1", evaluations=evals))
    row = store.get_batch("b1").by_evaluator[0]
    assert (row.runs, row.status_counts) == (1, dict(Counter(["error"])))
