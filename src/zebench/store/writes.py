"""The run write path of the SQL store: rows, replacement and rollups inside one open transaction.

``SqlStore`` opens the transaction; these functions do the work, so a single run and a chunk of
thousands go through the same code: every table gets one executemany, the replaced rows leave
the rollups and the new ones enter them once per call, not once per run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, delete, insert, select

from zebench.results.models import RunRecord
from zebench.store import rollups, schema
from zebench.store.codec import payload_hash, run_rows, test_summary_row

_IN_CHUNK = 500  # ids per IN (...) list, well under every backend's bound-parameter limit
# Plain INSERTs built once: the rows go in as executemany parameters, and rebuilding the
# statement (and its cache key) per write showed up in profiles of the single-run path.
_INSERTS: dict[str, Insert] = {
    t.name: insert(t)
    for t in (schema.runs, schema.evaluations, schema.telemetry, schema.artifacts, schema.test_summaries)
}


def upsert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT for ``table``, which has ON CONFLICT on both SQLite and PostgreSQL."""
    # Imported here: the engine has loaded its own dialect already, and a SQLite store never
    # needs PostgreSQL's (its import is a measurable part of start-up).
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def ensure_batches(conn: Connection, created: dict[str, datetime]) -> None:
    """Create missing batch rows; concurrent writers may race here, so conflicts are ignored."""
    if created:
        rows: list[dict[str, Any]] = [
            {"batch_id": b, "created_at": t, "completed_at": None, "metadata": {}} for b, t in created.items()
        ]
        stmt = upsert(conn, schema.batches).on_conflict_do_nothing(index_elements=["batch_id"])
        conn.execute(stmt, rows)


def delete_runs(conn: Connection, run_ids: Sequence[str]) -> None:
    """Delete the runs and their child rows (not their rollup contribution: see ``save_runs``).

    The child rows go by the schema's ON DELETE CASCADE (SQLite connections turn foreign keys on):
    one statement instead of one per table, which showed up in profiles of the single-run path.
    """
    for i in range(0, len(run_ids), _IN_CHUNK):
        chunk = run_ids[i : i + _IN_CHUNK]
        conn.execute(delete(schema.runs).where(schema.runs.c.run_id.in_(chunk)))


def latest_per_run(records: Iterable[RunRecord]) -> list[RunRecord]:
    """One record per run id, the last one given winning (as repeated saves would leave it)."""
    return list({r.run_id: r for r in records}.values())


@dataclass
class RunRows:
    """The table rows of some runs, built (and compressed) before any transaction opens."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    telemetry: list[dict[str, Any]] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    test_summaries: list[dict[str, Any]] = field(default_factory=list)
    batch_created: dict[str, datetime] = field(default_factory=dict)  # earliest start per batch


def prepare(records: Iterable[RunRecord]) -> RunRows:
    """The rows of ``records`` (distinct run ids). Compression is the costly part, so callers do
    this outside the write transaction, which then holds the database's write lock only to write."""
    rows = RunRows()
    for record in records:
        run_row, evals, tel, arts = run_rows(record)
        rows.runs.append(run_row)
        rows.evaluations += evals
        rows.telemetry.append(tel)
        rows.artifacts += arts
        if (tests := test_summary_row(record)) is not None:
            rows.test_summaries.append(tests)
        start = rows.batch_created.get(record.batch_id)
        rows.batch_created[record.batch_id] = (
            record.started_at if start is None else min(start, record.started_at)
        )
    return rows


def save_runs(conn: Connection, rows: RunRows) -> None:
    """Insert or replace the prepared runs with their evaluations, telemetry and artifacts.

    A run is saved as "running" first and again when it ends: replaced rows are deleted and their
    contribution leaves the rollups in this same transaction, and the new rows enter them, all in
    one rollup update.
    """
    ensure_batches(conn, rows.batch_created)
    run_ids = [r["run_id"] for r in rows.runs]
    old_runs, old_evals = rollups.removed_rows(conn, run_ids)
    if old_runs:
        delete_runs(conn, run_ids)
    for table, table_rows in (
        (schema.runs, rows.runs),
        (schema.evaluations, rows.evaluations),
        (schema.telemetry, rows.telemetry),
        (schema.artifacts, rows.artifacts),
        (schema.test_summaries, rows.test_summaries),
    ):
        if table_rows:
            conn.execute(_INSERTS[table.name], table_rows)
    delta = rollups.Delta()
    rollups.record_writes(delta, old_runs, old_evals, rows.runs, rows.evaluations)
    rollups.apply(conn, delta, lambda table: upsert(conn, table))


def run_fingerprints(conn: Connection, run_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """(status, the API's payload hash or None) of each stored run among ``run_ids``."""
    runs = schema.runs
    found: dict[str, tuple[str, str | None]] = {}
    unique = list(dict.fromkeys(run_ids))
    for i in range(0, len(unique), _IN_CHUNK):
        query = select(runs.c.run_id, runs.c.status, runs.c.metadata).where(
            runs.c.run_id.in_(unique[i : i + _IN_CHUNK])
        )
        for row in conn.execute(query):
            found[row.run_id] = (row.status, payload_hash(row.metadata))
    return found
