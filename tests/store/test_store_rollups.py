"""The rollup tables stay equal to a recomputation from the runs after every kind of write."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert
from store_helpers import simple_run
from test_store_queries import dataset

from zebench.results.models import EvaluationResult, RunStatus, Telemetry, TokenUsage
from zebench.store import SqlStore, open_store
from zebench.store import schema as tables
from zebench.store.codec import run_rows
from zebench.store.migrate import alembic_config
from zebench.store.queries import RunFilters
from zebench.store.rollup_check import verify_rollups


def scored(run_id: str, score: float | None, **kw: object) -> object:
    """A completed run in one rollup cell, with two evaluations scored like the run."""
    evals = [EvaluationResult(name="tests", score=score, passed=bool(score and score > 0.5))]
    evals.append(EvaluationResult(name="judge", status="skipped", score=None))
    tel = Telemetry(duration_ms=1000, tokens=TokenUsage(input=10, output=5), cost_usd=0.5)
    return simple_run(run_id, total_score=score, evaluations=evals, telemetry=tel, **kw)


def test_inserts_keep_rollups_exact(store: SqlStore) -> None:
    for run in dataset(40):
        store.save_run(run)
    assert verify_rollups(store) == []
    store.save_runs(dataset(80, seed=3))  # bulk, replacing 40 of them
    assert verify_rollups(store) == []


def test_running_then_completed_replacement(store: SqlStore) -> None:
    store.save_run(simple_run("r1", status=RunStatus.RUNNING, total_score=None, completed_at=None))
    assert store.stats().status_counts == {"running": 1}
    store.save_run(scored("r1", 0.9, is_successful=True))
    assert verify_rollups(store) == []
    stats = store.stats()
    assert (stats.runs, stats.successes, stats.status_counts) == (1, 1, {"completed": 1})


@pytest.mark.parametrize("extreme", ["min", "max", "inside", "tie"])
def test_replacing_a_cells_extreme_recomputes_it(store: SqlStore, extreme: str) -> None:
    store.save_runs([scored("a", 0.2), scored("b", 0.4), scored("c", 0.6)])
    if extreme == "tie":
        store.save_run(scored("d", 0.2))
    replaced = {"min": "a", "max": "c", "inside": "b", "tie": "a"}[extreme]
    store.save_run(scored(replaced, 0.45))  # same cell, new score
    assert verify_rollups(store) == []
    expected = {"min": (0.4, 0.6), "max": (0.2, 0.45), "inside": (0.2, 0.6), "tie": (0.2, 0.6)}[extreme]
    stats = store.stats()
    assert (stats.min_score, stats.max_score) == expected
    tests = next(r for r in store.evaluator_stats() if r.key == {"evaluator": "tests"})
    assert (tests.min_score, tests.max_score) == expected


def test_moving_a_run_to_another_cell_empties_the_old_one(store: SqlStore) -> None:
    store.save_run(scored("a", 0.3, agent="x"))
    store.save_run(scored("a", None, agent="y", status=RunStatus.FAILED, reason="boom"))
    assert verify_rollups(store) == []
    assert [r.key for r in store.agent_stats()] == [{"agent": "y", "model": "m1"}]
    assert store.stats(RunFilters(agent="x")).runs == 0
    assert store.stats().min_score is None


def test_rollup_stats_match_the_runs(store: SqlStore) -> None:
    runs = dataset(120, seed=11)
    store.save_runs(runs)
    for filters in [
        RunFilters(agent="claude"),
        RunFilters(status=RunStatus.FAILED),
        RunFilters(specialist="none"),
    ]:
        got = store.stats(filters)
        assert got.runs == store.list_runs(filters).total
        assert got.batches == len({r.batch_id for r in runs if r.run_id in _ids(store, filters)})


def _ids(store: SqlStore, filters: RunFilters) -> set[str]:
    return {s.run_id for s in store.list_runs(filters, limit=500).items}


def test_migration_backfills_rollups(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")  # a database written before the rollups existed
        for i, run in enumerate(dataset(60)):
            if i % 3:  # some runs with a judge cost, which 0003 copies from telemetry onto runs
                tel = run.telemetry.model_copy(update={"judge_cost_usd": 0.01 * i})
                run = run.model_copy(update={"telemetry": tel})
            run_row, evals, tel, _ = run_rows(run)
            del run_row["judge_cost_usd"]  # no such column before 0003
            conn.execute(insert(tables.batches).prefix_with("OR IGNORE"), [_batch(run.batch_id, run)])
            conn.execute(insert(tables.runs), [run_row])
            if evals:
                conn.execute(insert(tables.evaluations), evals)
            conn.execute(insert(tables.telemetry), [tel])
    engine.dispose()
    with open_store(url) as store:
        assert verify_rollups(store) == []  # rollups, judge cost sums and run_batch_cells
        stats = store.stats()
        assert stats.runs == 60
        assert stats.judge_cost_usd == pytest.approx(sum(0.01 * i for i in range(60) if i % 3))
        assert store.stats(RunFilters(agent="claude")).batches == 3


def _batch(batch_id: str, run: object) -> dict[str, object]:
    return {"batch_id": batch_id, "created_at": run.started_at, "completed_at": None, "metadata": {}}  # type: ignore[attr-defined]


def test_tiny_scores_do_not_break_aggregates(store: SqlStore) -> None:
    """A score whose square underflows is an error in PostgreSQL's float arithmetic, not a zero."""
    tiny = 1e-200
    store.save_runs([scored("t1", tiny), scored("t2", 0.5), scored("t3", -tiny, batch_id="b2")])
    assert verify_rollups(store) == []
    assert store.stats().runs == 3 and store.stats().max_score == 0.5
    assert {b.batch_id for b in store.list_batches().items} == {"b1", "b2"}
    assert store.get_batch("b1").summary.runs == 2
    assert len(store.scenario_stats()) == 1 and store.agent_stats()[0].runs == 3
    assert {r.key["evaluator"] for r in store.evaluator_stats()} == {"tests", "judge"}
