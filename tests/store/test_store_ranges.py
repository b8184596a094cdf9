"""Out-of-range numbers in the store: rows an older server accepted are aggregated clamped into
their ranges, NaN and infinity are never written, and migration 0007 repairs rollup cells that
earlier versions summed unclamped."""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, text, update
from store_helpers import simple_run

from zebench.errors import StoreError
from zebench.results.models import EvaluationResult, RunRecord, Telemetry
from zebench.store import SqlStore, open_store
from zebench.store import schema as tables
from zebench.store.codec import run_rows
from zebench.store.migrate import alembic_config
from zebench.store.queries import RunFilters
from zebench.store.rollup_check import verify_rollups
from zebench.store.rollups import EVAL_KEY, RUN_KEY, cell_key


def odd_run(run_id: str, total: float | None, *, score: float, cost: float, **kw: object) -> RunRecord:
    """A run with whatever numbers an older server let through (the models themselves take any float)."""
    evaluation = EvaluationResult(name="tests", score=score, weight=-1.0, passed=True)
    telemetry = Telemetry(duration_ms=1000, cost_usd=cost, judge_cost_usd=cost)
    return simple_run(
        run_id, total_score=total, success_threshold=-0.5, evaluations=[evaluation], telemetry=telemetry, **kw
    )


# Stored as given; aggregated as 1, 0, 0.5 (scores) and 1e9, 0, 0.25 (costs).
ODD = [
    odd_run("huge", 1e308, score=5.0, cost=1e308),
    odd_run("negative", -3.0, score=-1e308, cost=-1.0),
    odd_run("fine", 0.5, score=0.5, cost=0.25, agent="claude"),
]


def test_out_of_range_rows_are_aggregated_clamped(store: SqlStore) -> None:
    store.save_runs(ODD)
    store.save_run(odd_run("huge2", 1e308, score=2.0, cost=1e308))  # a second one in the same cell
    assert verify_rollups(store) == []
    stats = store.stats()
    assert (stats.runs, stats.min_score, stats.max_score) == (4, 0.0, 1.0)
    assert stats.mean_score == pytest.approx((1 + 0 + 0.5 + 1) / 4)
    assert stats.total_cost_usd == pytest.approx(2e9 + 0.25)
    assert stats.judge_cost_usd == pytest.approx(2e9 + 0.25)
    assert stats.score_histogram == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert stats.std_score is not None and math.isfinite(stats.std_score)
    # The batch figures aggregate the runs themselves (SQL and Python paths): the same reading.
    batch = store.get_batch("b1").summary
    assert (batch.mean_score, batch.max_score, batch.total_cost_usd) == (
        stats.mean_score,
        1.0,
        pytest.approx(2e9 + 0.25),
    )
    assert store.list_batches().items[0].mean_score == pytest.approx(stats.mean_score)
    assert store.stats(RunFilters(batch_id="b1")).score_histogram == stats.score_histogram
    (tests,) = store.evaluator_stats()
    assert (tests.min_score, tests.max_score, tests.mean_score) == (0.0, 1.0, pytest.approx(2.5 / 4))
    # The stored rows keep what was sent; only aggregates clamp.
    assert store.get_run("huge").total_score == 1e308
    assert store.get_run("negative").evaluations[0].score == -1e308


def test_listings_sorted_by_score_or_cost_still_list_every_run(store: SqlStore) -> None:
    """The listing planner trusts the rollup's counts of runs with a score or cost: clamping keeps them."""
    store.save_runs(ODD)
    for sort in ("-total_score", "total_score", "-cost_usd", "cost_usd"):
        for filters in (None, RunFilters(agent="echo"), RunFilters(suite="s1", scenario="sc1")):
            page = store.list_runs(filters, sort=sort, limit=10)
            expected = {"huge", "negative"} | (
                {"fine"} if filters is None or filters.agent is None else set()
            )
            assert {s.run_id for s in page.items} == expected, (sort, filters)
    assert [s.run_id for s in store.list_runs(sort="-total_score").items] == ["huge", "fine", "negative"]


def test_replacing_an_out_of_range_run_keeps_the_rollups_exact(store: SqlStore) -> None:
    store.save_runs(ODD)
    store.save_run(odd_run("huge", 0.25, score=0.25, cost=0.5))  # its final version, in range
    assert verify_rollups(store) == []
    assert store.stats().max_score == 0.5


def test_nan_and_infinity_are_never_stored(store: SqlStore) -> None:
    nan, inf = float("nan"), float("inf")
    run = odd_run("n1", nan, score=inf, cost=nan)
    run.telemetry.judge_cost_usd = -inf
    store.save_run(run)
    stored = store.get_run("n1")
    assert (stored.total_score, stored.evaluations[0].score) == (None, None)
    assert (stored.telemetry.cost_usd, stored.telemetry.judge_cost_usd) == (None, None)
    assert verify_rollups(store) == []
    for bad, field in (
        (simple_run("n2", success_threshold=nan), "success_threshold"),
        (simple_run("n3", evaluations=[EvaluationResult(name="x", weight=inf)]), "'x' weight"),
        (simple_run("n4", evaluations=[EvaluationResult(name="x", max_score=nan)]), "'x' max_score"),
    ):
        with pytest.raises(StoreError, match=f"run {bad.run_id}: .*{field}.* only finite numbers"):
            store.save_run(bad)
    assert store.stats().runs == 1


@pytest.mark.postgres
def test_nan_and_infinity_written_behind_the_stores_back_are_read_clamped(pg_db_url: str) -> None:
    """PostgreSQL stores NaN and infinity (SQLite turns NaN into NULL): aggregates still answer."""
    with open_store(pg_db_url) as store:
        store.save_runs(
            [simple_run(f"r{i}", total_score=0.5, telemetry=Telemetry(cost_usd=1.0)) for i in range(4)]
        )
        runs = tables.runs
        with store.engine.begin() as conn:
            for run_id, value in (("r0", "NaN"), ("r1", "Infinity"), ("r2", "-Infinity")):
                conn.execute(
                    update(runs)
                    .where(runs.c.run_id == run_id)
                    .values(total_score=text(f"'{value}'::float8"), cost_usd=text(f"'{value}'::float8"))
                )
        batch = store.get_batch("b1").summary  # aggregated from the runs, not the rollup
        assert (batch.min_score, batch.max_score) == (0.0, 1.0)
        assert batch.mean_score == pytest.approx((0 + 1 + 0 + 0.5) / 4)
        assert batch.total_cost_usd == pytest.approx(0 + 1e9 + 0 + 1.0)
        assert store.stats(RunFilters(batch_id="b1")).score_histogram == [2, 0, 0, 0, 0, 1, 0, 0, 0, 1]
        assert {s.run_id for s in store.list_runs(sort="-total_score").items} == {"r0", "r1", "r2", "r3"}


def _at_0003(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    engine.dispose()


def _write_as_an_older_server(url: str, runs: list[RunRecord]) -> None:
    """The rows, plus rollup cells summed unclamped, as versions before 0007 left them."""
    engine = create_engine(url)
    with engine.begin() as conn:
        batch = {"batch_id": runs[0].batch_id, "created_at": runs[0].started_at, "metadata": {}}
        conn.execute(insert(tables.batches), [batch])
        for run in runs:
            run_row, evals, tel, _ = run_rows(run)
            conn.execute(insert(tables.runs), [run_row])
            conn.execute(insert(tables.evaluations), evals)
            conn.execute(insert(tables.telemetry), [tel])
        # One polluted cell per table: the rebuild must replace them, whatever they hold.
        common = {"n": 1, "scored": 1, "score_sum": 1e308, "score_sumsq": float("inf"), "score_min": -3.0,
                  "score_max": 1e308, "duration_n": 1, "duration_sum": 1000, "cost_n": 1, "cost_sum": 1e308,
                  "tokens_in": 0, "tokens_out": 0, "judge_cost_n": 1, "judge_cost_sum": 1e308}  # fmt: skip
        run_key = {"suite": "s1", "scenario": "sc1", "tier": "L1", "agent": "echo", "model": "m1",
                   "status": "completed", "specialist_name": None, "is_successful": False}  # fmt: skip
        hist = {f"hist_{i}": int(i == 9) for i in range(10)}
        run_cell = cell_key([run_key[k] for k in RUN_KEY])
        conn.execute(insert(tables.run_rollup), [{"cell_key": run_cell, **run_key, **hist, **common}])
        conn.execute(
            insert(tables.run_batch_cells), [{"cell_key": run_cell, "batch_id": "b1", "n": len(runs)}]
        )
        eval_key = {"name": "tests", "status": "scored", "passed": True}
        eval_cell = cell_key([eval_key[k] for k in EVAL_KEY])
        conn.execute(insert(tables.eval_rollup), [{"cell_key": eval_cell, **eval_key, **common}])
    engine.dispose()


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables yet: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    from pg import create_database

    return create_database(request.getfixturevalue("postgres_url"), f"old_{uuid.uuid4().hex[:12]}")


@pytest.mark.parametrize(
    "empty_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_migration_0007_rebuilds_rollups_summed_unclamped(empty_db_url: str) -> None:
    _at_0003(empty_db_url)
    _write_as_an_older_server(empty_db_url, ODD[:2])
    with open_store(empty_db_url) as store:  # migrates to head
        assert verify_rollups(store) == []
        stats = store.stats()
        assert (stats.runs, stats.mean_score, stats.total_cost_usd) == (2, 0.5, pytest.approx(1e9))
        assert stats.std_score == pytest.approx(math.sqrt(0.5))
        assert store.get_run("huge").total_score == 1e308  # rows are left as they were stored
