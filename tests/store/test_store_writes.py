"""Writes and single-object reads: round trips, replace, artifacts, transactions, controls, errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from store_helpers import T0, full_run, simple_run

from refusing_db import refusing
from zebench.errors import NotFoundError, StoreError
from zebench.results.models import BatchRecord, CommandResult, ControlResult, RunStatus
from zebench.store import SqlStore, schema
from zebench.store.rollup_check import verify_rollups


def _count(store: SqlStore, table: Any, **where: Any) -> int:
    with store.engine.connect() as conn:
        q = select(func.count()).select_from(table).where(*(table.c[k] == v for k, v in where.items()))
        return int(conn.execute(q).scalar_one())


def test_full_run_round_trips_every_field(store: SqlStore) -> None:
    run = full_run()
    store.save_run(run)
    loaded = store.get_run(run.run_id)
    assert loaded.artifacts == {}
    assert loaded.model_dump() == run.model_copy(update={"artifacts": {}}).model_dump()
    assert loaded.started_at.tzinfo is not None and loaded.started_at.utcoffset() == timedelta(0)
    assert store.artifact_names(run.run_id) == ["diff", "trajectory", "validation"]
    for name, body in run.artifacts.items():
        assert store.get_artifact(run.run_id, name) == body


def test_run_row_is_denormalised_for_listing(store: SqlStore) -> None:
    run = full_run()
    store.save_run(run)
    item = store.list_runs().items[0]
    assert (item.duration_ms, item.cost_usd, item.tokens_in, item.tokens_out, item.tool_calls) == (
        93_000, 1.2345, 5_000_000_000, 2345, 17,
    )  # fmt: skip
    with store.engine.connect() as conn:
        meta = conn.execute(select(schema.runs.c.metadata)).scalar_one()
    assert set(meta) == {"changed_files", "dependency_changes", "oracle_questions", "metadata"}
    assert "validation" not in meta


@pytest.mark.parametrize(
    "status", [RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.INTERRUPTED, RunStatus.INFRA_ERROR]
)
def test_unfinished_runs_are_stored_with_reasons(store: SqlStore, status: RunStatus) -> None:
    run = simple_run("r-bad", status=status, reason=f"it {status.value}", total_score=None, completed_at=None)
    store.save_run(run)
    loaded = store.get_run("r-bad")
    assert (loaded.status, loaded.reason, loaded.total_score) == (status, f"it {status.value}", None)
    detail = store.get_batch("b1")
    assert [(r.run_id, r.reason) for r in detail.failed_runs] == [("r-bad", f"it {status.value}")]
    assert detail.summary.status_counts == {status.value: 1}


def test_save_run_replaces_the_same_run_id(store: SqlStore) -> None:
    running = full_run(status=RunStatus.RUNNING, completed_at=None, total_score=None)
    store.save_run(running)
    done = full_run(
        evaluations=full_run().evaluations[:1], artifacts={"diff": "new"}, validation=[], total_score=0.9
    )
    store.save_run(done)
    loaded = store.get_run(done.run_id)
    assert loaded.status == RunStatus.COMPLETED and loaded.total_score == 0.9
    assert [e.name for e in loaded.evaluations] == ["tests"]
    assert loaded.validation == []
    assert store.artifact_names(done.run_id) == ["diff"]
    assert store.get_artifact(done.run_id, "diff") == "new"
    assert _count(store, schema.runs) == 1
    assert _count(store, schema.evaluations) == 1
    assert _count(store, schema.telemetry) == 1


def test_save_run_creates_its_batch(store: SqlStore) -> None:
    store.save_run(simple_run("r1", batch_id="auto-batch"))
    summary = store.get_batch("auto-batch").summary
    assert summary.created_at == T0 and summary.runs == 1


def test_artifacts_are_compressed_and_intact(store: SqlStore) -> None:
    body = "the same line of a very repetitive log ✓\n" * 2000
    store.save_run(simple_run("r1", artifacts={"agent_output": body}))
    with store.engine.connect() as conn:
        row = conn.execute(select(schema.artifacts).where(schema.artifacts.c.name == "agent_output")).one()
    assert row.encoding == "zlib"
    assert row.size == len(body.encode())
    assert len(row.data) < len(body.encode()) / 20
    assert store.get_artifact("r1", "agent_output") == body


def test_a_failed_save_leaves_no_partial_run(store: SqlStore) -> None:
    store.save_run(simple_run("keep", total_score=0.1))

    def explode(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EVALUATIONS"):
            raise RuntimeError("disk on fire")

    event.listen(store.engine, "before_cursor_execute", explode)
    try:
        with pytest.raises((RuntimeError, StoreError)):
            store.save_run(full_run(run_id="new"))
        with pytest.raises((RuntimeError, StoreError)):  # a failed replace keeps the old version
            store.save_run(full_run(run_id="keep", total_score=0.99))
    finally:
        event.remove(store.engine, "before_cursor_execute", explode)
    with pytest.raises(NotFoundError):
        store.get_run("new")
    assert store.get_run("keep").total_score == 0.1
    assert _count(store, schema.runs) == 1
    assert _count(store, schema.telemetry) == 1
    assert _count(store, schema.artifacts) == 0
    assert _count(store, schema.batches) == 1  # the new run's batch was rolled back too


def test_save_batch_upserts(store: SqlStore) -> None:
    store.save_batch(BatchRecord(batch_id="b1", created_at=T0, metadata={"plan": 1}))
    store.save_run(simple_run("r1"))
    store.save_batch(
        BatchRecord(batch_id="b1", created_at=T0 + timedelta(days=9), completed_at=T0 + timedelta(minutes=5),
                    metadata={"plan": 2})
    )  # fmt: skip
    summary = store.get_batch("b1").summary
    assert summary.created_at == T0  # creation time is never rewritten
    assert summary.completed_at == T0 + timedelta(minutes=5)
    assert summary.metadata == {"plan": 2}
    assert summary.duration_ms == 5 * 60 * 1000


def test_batch_duration_falls_back_to_the_last_run(store: SqlStore) -> None:
    store.save_batch(BatchRecord(batch_id="b1", created_at=T0))
    store.save_run(simple_run("r1", completed_at=T0 + timedelta(seconds=4)))
    store.save_run(simple_run("r2", completed_at=T0 + timedelta(seconds=7)))
    assert store.get_batch("b1").summary.duration_ms == 7000


def test_controls_are_replaced_per_scenario(store: SqlStore) -> None:
    cmd = CommandResult(name="t", kind="test", command="pytest", exit_code=1, stdout="x")
    store.save_control("b1", ControlResult(suite="s", scenario="a", passed=False, commands=[cmd], ran_at=T0))
    store.save_control("b1", ControlResult(suite="s", scenario="b", passed=True, ran_at=T0))
    newer = ControlResult(
        suite="s", scenario="a", passed=True, commands=[cmd, cmd], ran_at=T0 + timedelta(hours=1)
    )
    store.save_control("b1", newer)
    controls = store.get_batch("b1").controls
    assert [(c.scenario, c.passed, len(c.commands)) for c in controls] == [("a", True, 2), ("b", True, 0)]
    assert controls[0] == newer


def test_not_found_errors(store: SqlStore) -> None:
    store.save_run(simple_run("r1"))
    with pytest.raises(NotFoundError, match="run 'nope' not found"):
        store.get_run("nope")
    with pytest.raises(NotFoundError):
        store.artifact_names("nope")
    with pytest.raises(NotFoundError, match="artifact 'diff'"):
        store.get_artifact("r1", "diff")
    with pytest.raises(NotFoundError, match="batch 'nope' not found"):
        store.get_batch("nope")
    assert store.artifact_names("r1") == []


def test_corrupt_artifact_is_detected(store: SqlStore) -> None:
    store.save_run(simple_run("r1", artifacts={"diff": "hello"}))
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE artifacts SET sha256 = 'x'"))
    with pytest.raises(StoreError, match="corrupt"):
        store.get_artifact("r1", "diff")


def test_save_runs_bulk_inserts_and_replaces(store: SqlStore) -> None:
    runs = [full_run(run_id=f"r{i}", batch_id=f"b{i % 3}") for i in range(30)]
    store.save_runs(runs)
    store.save_runs(runs[:5])  # replacing in bulk is fine too
    assert store.list_runs().total == 30
    assert _count(store, schema.evaluations) == 90
    assert store.get_run("r7").model_dump() == runs[7].model_copy(update={"artifacts": {}}).model_dump()
    assert (
        store.list_batches().items[0].runs
        + store.list_batches().items[1].runs
        + store.list_batches().items[2].runs
        == 30
    )


def test_save_runs_equals_repeated_save_run(store: SqlStore) -> None:
    """One transaction, and the end state of saving one by one: the last version of an id wins."""
    running = simple_run("r1", status=RunStatus.RUNNING, total_score=None, completed_at=None)
    versions = [
        running,
        simple_run("r2", total_score=0.2, artifacts={"diff": "two"}),
        simple_run("r1", total_score=0.9, is_successful=True, artifacts={"diff": "final"}),
        simple_run("r3", batch_id="b2", total_score=None, status=RunStatus.FAILED, reason="boom"),
    ]
    begins: list[object] = []

    def count(conn: object) -> None:
        begins.append(conn)

    event.listen(store.engine, "begin", count)
    store.save_runs(versions)
    assert len(begins) == 1
    store.save_runs([])  # nothing to write: no transaction at all
    assert len(begins) == 1
    event.remove(store.engine, "begin", count)

    assert store.get_run("r1").model_dump() == versions[2].model_copy(update={"artifacts": {}}).model_dump()
    assert store.get_artifact("r1", "diff") == "final"
    assert _count(store, schema.runs) == 3 and _count(store, schema.artifacts, run_id="r1") == 1
    assert sorted(b.batch_id for b in store.list_batches().items) == ["b1", "b2"]
    assert verify_rollups(store) == []
    assert store.get_run_fingerprints(["r1", "r3", "nope", "r1"]) == {
        "r1": ("completed", None),
        "r3": ("failed", None),
    }
    assert store.get_run_fingerprints([]) == {}


def test_save_runs_is_all_or_nothing(store: SqlStore) -> None:
    store.save_run(simple_run("r0", total_score=0.4))
    with refusing(store, "r2"):
        with pytest.raises(StoreError, match="saving 3 runs"):
            store.save_runs([simple_run("r1"), simple_run("r2"), simple_run("r0", total_score=0.8)])
        assert [r.run_id for r in store.list_runs().items] == ["r0"]
        assert store.get_run("r0").total_score == 0.4
        assert verify_rollups(store) == []
