"""Queries: aggregates against hand-computed values, pagination in every order, filters, stats."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any, get_args

import pytest
from store_helpers import T0, simple_run

from zebench.errors import StoreError
from zebench.results.models import BatchRecord, EvaluationResult, RunRecord, RunStatus, Telemetry, TokenUsage
from zebench.store import SqlStore
from zebench.store.queries import RunFilters, RunSort, ScoreStats

STATUSES = [RunStatus.COMPLETED] * 4 + [RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.INTERRUPTED]


def dataset(n: int = 80, seed: int = 7) -> list[RunRecord]:
    """Varied runs: ties and NULLs in every sortable column, several groups of every kind."""
    rnd = random.Random(seed)
    runs = []
    for i in range(n):
        status = rnd.choice(STATUSES)
        score = (
            None
            if status != RunStatus.COMPLETED or rnd.random() < 0.1
            else rnd.choice([0.0, 0.25, 0.5, 0.7, 1.0, rnd.random()])
        )
        cost = None if rnd.random() < 0.3 else rnd.choice([0.5, 1.0, round(rnd.random(), 3)])
        evals = [
            EvaluationResult(
                name="tests",
                score=s,
                passed=s is not None and s >= 0.5,
                status="scored" if s is not None else "skipped",
            )
            for s in [rnd.choice([None, 0.0, 0.5, 1.0])]
        ] + [EvaluationResult(name="judge", score=0.8, passed=True)] * (i % 2)
        runs.append(
            simple_run(
                f"run_{i:03d}",
                batch_id=f"batch_{i % 3}",
                suite=rnd.choice(["s1", "s2"]),
                scenario=rnd.choice(["a", "b"]),
                tier=rnd.choice(["L0", "L1", "L2"]),
                agent=rnd.choice(["echo", "claude"]),
                model=rnd.choice(["m1", None]),
                status=status,
                reason=None if status == RunStatus.COMPLETED else f"why {i}",
                started_at=T0 + timedelta(seconds=rnd.choice([0, 1, 2, i])),  # many ties
                completed_at=T0 + timedelta(seconds=100 + i),
                total_score=score,
                is_successful=score is not None and score >= 0.7,
                specialist_name=rnd.choice([None, "spec-a", "spec-b"]),
                evaluations=evals,
                telemetry=Telemetry(
                    duration_ms=rnd.choice([1000, 2000, 2000, 5000]),
                    cost_usd=cost,
                    tokens=TokenUsage(input=rnd.randint(0, 10**10), output=rnd.randint(0, 1000)),
                ),
            )
        )
    return runs


@pytest.fixture
def seeded(store: SqlStore) -> list[RunRecord]:
    runs = dataset()
    store.save_runs(runs[:40])
    for run in runs[40:]:
        store.save_run(run)
    return runs


def expected_stats(runs: list[RunRecord]) -> dict[str, Any]:
    scores = [r.total_score for r in runs if r.total_score is not None]
    finished = [r for r in runs if r.status != RunStatus.RUNNING]
    costs = [r.telemetry.cost_usd for r in runs if r.telemetry.cost_usd is not None]
    successes = sum(r.is_successful for r in runs)
    return {
        "runs": len(runs),
        "successes": successes,
        "success_rate": successes / len(runs) if runs else None,
        "mean_score": statistics.fmean(scores) if scores else None,
        "std_score": statistics.stdev(scores) if len(scores) > 1 else None,
        "min_score": min(scores, default=None),
        "max_score": max(scores, default=None),
        "mean_duration_ms": statistics.fmean(r.telemetry.duration_ms for r in finished) if finished else None,
        "total_cost_usd": sum(costs) if costs else None,
        "mean_cost_usd": statistics.fmean(costs) if costs else None,
        "tokens_in": sum(r.telemetry.tokens.input for r in runs),
        "tokens_out": sum(r.telemetry.tokens.output for r in runs),
        "status_counts": dict(Counter(r.status.value for r in runs)),
    }


def assert_stats(actual: ScoreStats, runs: list[RunRecord]) -> None:
    want = expected_stats(runs)
    got = actual.model_dump(include=set(want))
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
        else:
            assert got[key] == value, key


def test_batch_summary_and_breakdowns_match_hand_computed(store: SqlStore, seeded: list[RunRecord]) -> None:
    in_batch = [r for r in seeded if r.batch_id == "batch_1"]
    detail = store.get_batch("batch_1")
    assert_stats(detail.summary, in_batch)
    assert [r.run_id for r in detail.runs] == [
        r.run_id for r in sorted(in_batch, key=lambda r: (r.started_at, r.run_id))
    ]
    assert {r.run_id for r in detail.failed_runs} == {r.run_id for r in in_batch if not r.is_successful}

    def check(rows: list[Any], key: Callable[[RunRecord], dict[str, str | None]]) -> None:
        groups: dict[tuple[Any, ...], list[RunRecord]] = {}
        for r in in_batch:
            groups.setdefault(tuple(key(r).items()), []).append(r)
        assert len(rows) == len(groups)
        for row in rows:
            assert_stats(row, groups[tuple(row.key.items())])

    check(detail.by_scenario, lambda r: {"suite": r.suite, "scenario": r.scenario})
    check(detail.by_tier, lambda r: {"tier": r.tier})
    check(detail.by_agent_model, lambda r: {"agent": r.agent, "model": r.model})

    evals = [(e, r) for r in in_batch for e in r.evaluations]
    for row in detail.by_evaluator:
        mine = [e for e, _ in evals if e.name == row.key["evaluator"]]
        scores = [e.score for e in mine if e.score is not None]
        assert row.runs == len(mine)
        assert row.successes == sum(e.passed for e in mine)
        assert row.mean_score == pytest.approx(statistics.fmean(scores))
        assert row.status_counts == dict(Counter(e.status for e in mine))
    assert {row.key["evaluator"] for row in detail.by_evaluator} == {"tests", "judge"}


def test_global_agent_and_evaluator_stats(store: SqlStore, seeded: list[RunRecord]) -> None:
    stats = store.stats()
    assert_stats(stats, seeded)
    assert stats.batches == 3
    scores = [r.total_score for r in seeded if r.total_score is not None]
    assert stats.score_histogram == [sum(1 for s in scores if min(int(s * 10), 9) == b) for b in range(10)]
    assert sum(stats.score_histogram) == len(scores)

    claude = store.stats(RunFilters(agent="claude"))
    assert_stats(claude, [r for r in seeded if r.agent == "claude"])
    assert claude.batches == len({r.batch_id for r in seeded if r.agent == "claude"})

    agents = store.agent_stats()
    for row in agents:
        assert_stats(row, [r for r in seeded if (r.agent, r.model) == (row.key["agent"], row.key["model"])])
    assert sum(row.runs for row in agents) == len(seeded)
    judge = next(row for row in store.evaluator_stats() if row.key == {"evaluator": "judge"})
    assert (judge.runs, judge.successes, judge.mean_score) == (40, 40, pytest.approx(0.8))


def test_empty_batch_and_empty_store(store: SqlStore) -> None:
    assert store.stats().runs == 0 and store.stats().mean_score is None
    store.save_batch(BatchRecord(batch_id="empty", created_at=T0))
    detail = store.get_batch("empty")
    assert (detail.summary.runs, detail.summary.success_rate, detail.runs) == (0, None, [])
    assert store.stats().batches == 1
    assert store.list_batches().items[0].runs == 0


def _sort_key(sort: str) -> Callable[[RunRecord], tuple[Any, ...]]:
    name = sort.lstrip("-")
    desc = sort.startswith("-")

    def value(r: RunRecord) -> Any:
        return {
            "started_at": r.started_at,
            "total_score": r.total_score,
            "duration_ms": r.telemetry.duration_ms,
            "cost_usd": r.telemetry.cost_usd,
        }[name]

    def key(r: RunRecord) -> tuple[Any, ...]:
        v = value(r)
        return (v is None, v, r.run_id)

    return key if not desc else lambda r: key(r)  # direction applied by the caller


def _expected_order(runs: list[RunRecord], sort: str) -> list[str]:
    key = _sort_key(sort)
    valued = [r for r in runs if key(r)[0] is False]
    nulls = [r for r in runs if key(r)[0] is True]
    desc = sort.startswith("-")
    valued.sort(key=lambda r: key(r)[1:], reverse=desc)
    nulls.sort(key=lambda r: r.run_id, reverse=desc)
    return [r.run_id for r in valued + nulls]  # NULLs last in both directions


@pytest.mark.parametrize("sort", get_args(RunSort))
@pytest.mark.parametrize("limit", [1, 7])
def test_pagination_walks_every_row_once(
    store: SqlStore, seeded: list[RunRecord], sort: str, limit: int
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = store.list_runs(limit=limit, cursor=cursor, sort=sort)  # type: ignore[arg-type]
        assert page.total == len(seeded)
        assert len(page.items) <= limit
        seen += [item.run_id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == _expected_order(seeded, sort)


def test_pagination_with_filter_and_bad_cursors(store: SqlStore, seeded: list[RunRecord]) -> None:
    filters = RunFilters(agent="echo", status=RunStatus.COMPLETED)
    want = [r for r in seeded if r.agent == "echo" and r.status == RunStatus.COMPLETED]
    first = store.list_runs(filters, limit=5, sort="-total_score")
    assert first.total == len(want)
    rest = store.list_runs(filters, limit=500, cursor=first.next_cursor, sort="-total_score")
    assert [i.run_id for i in first.items + rest.items] == _expected_order(want, "-total_score")
    with pytest.raises(StoreError, match="cursor"):
        store.list_runs(limit=5, cursor=first.next_cursor, sort="started_at")
    with pytest.raises(StoreError, match="invalid page cursor"):
        store.list_runs(cursor="!!not-a-cursor!!")
    assert len(store.list_runs(limit=10_000).items) == len(seeded)  # capped at 500, 80 rows exist


@pytest.mark.parametrize(
    ("filters", "predicate"),
    [
        (RunFilters(suite="s1"), lambda r: r.suite == "s1"),
        (RunFilters(suite="s2", scenario="a"), lambda r: (r.suite, r.scenario) == ("s2", "a")),
        (RunFilters(tier="L2"), lambda r: r.tier == "L2"),
        (RunFilters(agent="claude", model="m1"), lambda r: (r.agent, r.model) == ("claude", "m1")),
        (RunFilters(status=RunStatus.TIMED_OUT), lambda r: r.status == RunStatus.TIMED_OUT),
        (RunFilters(batch_id="batch_2"), lambda r: r.batch_id == "batch_2"),
        (RunFilters(specialist="none"), lambda r: r.specialist_name is None),
        (RunFilters(specialist="any"), lambda r: r.specialist_name is not None),
        (RunFilters(specialist="spec-b"), lambda r: r.specialist_name == "spec-b"),
        (RunFilters(successful=True), lambda r: r.is_successful),
        (RunFilters(successful=False, tier="L0"), lambda r: not r.is_successful and r.tier == "L0"),
    ],
)
def test_filters(store: SqlStore, seeded: list[RunRecord], filters: RunFilters, predicate: Any) -> None:
    want = sorted((r for r in seeded if predicate(r)), key=lambda r: (r.started_at, r.run_id), reverse=True)
    assert want, "the dataset should cover every filter"
    page = store.list_runs(filters, limit=500)
    assert [i.run_id for i in page.items] == [r.run_id for r in want]
    assert page.total == len(want)
    assert store.stats(filters).runs == len(want)


def test_list_batches_newest_first_with_aggregates(store: SqlStore, seeded: list[RunRecord]) -> None:
    # The seeded batches were created by their first run, all at T0: a three-way tie.
    store.save_batch(BatchRecord(batch_id="batch_old", created_at=T0 - timedelta(hours=8)))
    store.save_batch(BatchRecord(batch_id="batch_new", created_at=T0 + timedelta(hours=8)))
    seen = []
    cursor = None
    while True:
        page = store.list_batches(limit=1, cursor=cursor)
        seen += page.items
        if (cursor := page.next_cursor) is None:
            break
    assert [b.batch_id for b in seen] == ["batch_new", "batch_2", "batch_1", "batch_0", "batch_old"]
    for summary in seen[1:4]:
        assert_stats(summary, [r for r in seeded if r.batch_id == summary.batch_id])
    assert seen[0].runs == seen[4].runs == 0
