"""SqlStore: the ResultStore on SQLite or PostgreSQL, and ``open_store`` to get one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from zebench.errors import NotFoundError, StoreError, ZebenchError
from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.store import batch_report, plans, reports, schema, writes
from zebench.store.codec import (
    SUMMARY_COLUMNS,
    VALIDATION_ARTIFACT,
    control_row,
    decompress_artifact,
    payload_hash,
    run_from_rows,
    summary_from_row,
)
from zebench.store.engine import (
    SQLITE_BEGIN,
    create_store_engine,
    default_db_url,
    display_url,
    first_line,
    parse_db_url,
)
from zebench.store.migrate import upgrade_engine
from zebench.store.paging import keyset_page
from zebench.store.queries import (
    BatchDetail,
    BatchPage,
    BreakdownRow,
    GlobalStats,
    RunFilters,
    RunPage,
    RunSort,
    ScenarioLevel,
)

# Sort name → (column, whether it can be NULL).
_SORTS: dict[str, tuple[str, bool]] = {
    "started_at": ("started_at", False),
    "total_score": ("total_score", True),
    "duration_ms": ("duration_ms", True),
    "cost_usd": ("cost_usd", True),
}


def open_store(url: str | None = None, *, migrate: bool = True) -> SqlStore:
    """Open the results store at ``url`` (default: ``default_db_url()``), migrating it to the newest schema.

    Raises StoreError with a one-line message for a bad URL or an unreachable database.
    """
    parsed = parse_db_url(url or default_db_url())
    engine = create_store_engine(parsed)
    try:
        if migrate:
            upgrade_engine(engine)
        else:
            with engine.connect():
                pass  # fail now, with a clear message, rather than on the first query
    except ZebenchError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot open database {display_url(parsed)}: {first_line(exc)}",
            hint="check the URL, that the server is running and that you may connect",
        ) from None
    return SqlStore(engine)


class SqlStore:
    """Stores runs in SQL and answers queries about them. Every write is one transaction.

    Safe to share between threads (the engine pools connections); each process opens its own.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _write(self, action: str) -> Iterator[Connection]:
        with self._guard(action), self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self, action: str) -> Iterator[Connection]:
        with self._guard(action), self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # One snapshot for the several queries of a report.
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(f"{action} failed in {display_url(self.engine.url)}: {first_line(exc)}") from exc

    # -- writes ---------------------------------------------------------------------------------

    def save_batch(self, batch: BatchRecord) -> None:
        """Create the batch, or update its metadata and completed_at if it exists."""
        with self._write(f"saving batch {batch.batch_id}") as conn:
            stmt = writes.upsert(conn, schema.batches).values(
                batch_id=batch.batch_id,
                created_at=batch.created_at,
                completed_at=batch.completed_at,
                metadata=batch.metadata,
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["batch_id"],
                set_={"completed_at": stmt.excluded.completed_at, "metadata": stmt.excluded["metadata"]},
            )
            conn.execute(stmt)

    def save_run(self, run: RunRecord) -> None:
        """Insert or replace a run with its evaluations, telemetry and artifacts, atomically."""
        rows = writes.prepare([run])
        with self._write(f"saving run {run.run_id}") as conn:
            writes.save_runs(conn, rows)

    def save_runs(self, runs: Sequence[RunRecord]) -> None:
        """Insert or replace many runs in one transaction: what repeated ``save_run`` would leave
        (the last record of a repeated run id wins), with one executemany per table and one rollup
        update for the lot."""
        latest = writes.latest_per_run(runs)
        if latest:
            rows = writes.prepare(latest)
            with self._write(f"saving {len(latest)} runs") as conn:
                writes.save_runs(conn, rows)

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        """Store a warmup (control) result for a batch and scenario, replacing an older one."""
        table = schema.controls
        with self._write(f"saving control {control.suite}/{control.scenario}") as conn:
            writes.ensure_batches(conn, {batch_id: control.ran_at})
            conn.execute(
                delete(table).where(
                    table.c.batch_id == batch_id,
                    table.c.suite == control.suite,
                    table.c.scenario == control.scenario,
                )
            )
            conn.execute(insert(table).values(**control_row(batch_id, control)))

    # -- reads ----------------------------------------------------------------------------------

    def get_run(self, run_id: str) -> RunRecord:
        """The full run; raises NotFoundError. Artifacts are not loaded (see get_artifact)."""
        with self._read(f"reading run {run_id}") as conn:
            run_row = (
                conn.execute(select(schema.runs).where(schema.runs.c.run_id == run_id)).mappings().first()
            )
            if run_row is None:
                raise NotFoundError(f"run {run_id!r} not found", hint="list runs with `zebench runs`")
            evals = conn.execute(
                select(schema.evaluations)
                .where(schema.evaluations.c.run_id == run_id)
                .order_by(schema.evaluations.c.id)
            ).mappings()
            eval_rows = list(evals)
            tel = (
                conn.execute(select(schema.telemetry).where(schema.telemetry.c.run_id == run_id))
                .mappings()
                .first()
            )
            validation = self._artifact_text(conn, run_id, VALIDATION_ARTIFACT)
            tests = (
                conn.execute(select(schema.test_summaries).where(schema.test_summaries.c.run_id == run_id))
                .mappings()
                .first()
            )
            return run_from_rows(run_row, eval_rows, tel, validation, tests)

    @staticmethod
    def _artifact_text(conn: Connection, run_id: str, name: str) -> str | None:
        table = schema.artifacts
        row = conn.execute(
            select(table.c.encoding, table.c.data, table.c.sha256).where(
                table.c.run_id == run_id, table.c.name == name
            )
        ).first()
        if row is None:
            return None
        text = decompress_artifact(row.encoding, row.data)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != row.sha256:
            raise StoreError(f"artifact {name!r} of run {run_id!r} is corrupt (checksum mismatch)")
        return text

    def get_artifact(self, run_id: str, name: str) -> str:
        """A decompressed artifact text; raises NotFoundError."""
        with self._read(f"reading artifact {name} of {run_id}") as conn:
            text = self._artifact_text(conn, run_id, name)
        if text is None:
            raise NotFoundError(
                f"artifact {name!r} of run {run_id!r} not found", hint="see artifact_names(run_id)"
            )
        return text

    def artifact_names(self, run_id: str) -> list[str]:
        """The names of a run's stored artifacts, sorted; raises NotFoundError for an unknown run."""
        with self._read(f"listing artifacts of {run_id}") as conn:
            self._require_run(conn, run_id)
            table = schema.artifacts
            return list(
                conn.execute(
                    select(table.c.name).where(table.c.run_id == run_id).order_by(table.c.name)
                ).scalars()
            )

    @staticmethod
    def _require_run(conn: Connection, run_id: str) -> None:
        if conn.execute(select(schema.runs.c.run_id).where(schema.runs.c.run_id == run_id)).first() is None:
            raise NotFoundError(f"run {run_id!r} not found", hint="list runs with `zebench runs`")

    def list_runs(
        self,
        filters: RunFilters | None = None,
        *,
        limit: int = 50,
        cursor: str | None = None,
        sort: RunSort = "-started_at",
    ) -> RunPage:
        """One page of run summaries matching ``filters``, in ``sort`` order, with the total count."""
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        if name not in _SORTS:
            raise StoreError(
                f"unknown sort {sort!r}",
                field="sort",
                hint=f"use one of {sorted(_SORTS)} (prefix - for descending)",
            )
        column_name, nullable = _SORTS[name]
        where = plans.filter_conditions(filters)
        with self._read("listing runs") as conn:
            profile = None
            if plans.rollup_can_filter(filters):
                profile = plans.profile(conn, filters, column_name)
                total = profile.matched
            else:
                total = plans.batch_runs_count(conn, where)
            rows, next_cursor = keyset_page(
                select(*SUMMARY_COLUMNS).where(*where),
                sort_name=sort,
                column=schema.runs.c[column_name],
                key=schema.runs.c.run_id,
                descending=descending,
                nullable=nullable,
                limit=limit,
                cursor=cursor,
                execute=lambda q: conn.execute(q).all(),
                plan=plans.listing_plan(filters, column_name, descending, profile),
            )
        return RunPage(
            items=[summary_from_row(r._mapping) for r in rows], next_cursor=next_cursor, total=total
        )

    def get_run_fingerprint(self, run_id: str) -> tuple[str, str | None] | None:
        """(status, the API's payload hash or None) of a stored run, or None when there is none.

        Reads one runs row and nothing else: the duplicate check of ``POST /api/results``.
        """
        runs = schema.runs
        with self._read(f"reading run {run_id}") as conn:
            row = conn.execute(select(runs.c.status, runs.c.metadata).where(runs.c.run_id == run_id)).first()
        return None if row is None else (row.status, payload_hash(row.metadata))

    def get_run_fingerprints(self, run_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """``get_run_fingerprint`` of many runs in one query per 500 ids; absent runs are left out."""
        with self._read(f"reading {len(run_ids)} runs") as conn:
            return writes.run_fingerprints(conn, run_ids)

    def get_batch(self, batch_id: str, *, with_evaluations: bool = False) -> BatchDetail:
        """The batch with runs, aggregates and breakdowns; raises NotFoundError.

        ``with_evaluations`` also fills every run's ``evaluations`` (one more query).
        """
        with self._read(f"reading batch {batch_id}") as conn:
            return batch_report.get_batch(conn, batch_id, with_evaluations=with_evaluations)

    def batch_fingerprint(self, batch_id: str) -> str:
        """A short hash that changes when the batch's runs or completion change; raises NotFoundError."""
        with self._read(f"reading batch {batch_id}") as conn:
            return reports.batch_fingerprint(conn, batch_id)

    def list_batches(self, *, limit: int = 20, cursor: str | None = None) -> BatchPage:
        """Batches newest first, each with its aggregates."""
        with self._read("listing batches") as conn:
            return reports.list_batches(conn, limit=limit, cursor=cursor)

    def stats(self, filters: RunFilters | None = None) -> GlobalStats:
        """Aggregates over every run matching ``filters``, with a score histogram."""
        with self._read("computing stats") as conn:
            return reports.global_stats(conn, filters)

    def agent_stats(self) -> list[BreakdownRow]:
        """Aggregates per agent/model pair."""
        with self._read("computing agent stats") as conn:
            return reports.agent_stats(conn)

    def scenario_stats(
        self, filters: RunFilters | None = None, *, per: ScenarioLevel = "scenario"
    ) -> list[BreakdownRow]:
        """Aggregates per (suite, scenario, tier) of the runs matching ``filters`` (per suite with
        ``per="suite"``), from the rollup."""
        with self._read("computing scenario stats") as conn:
            return reports.scenario_stats(conn, filters, per=per)

    def evaluator_stats(self) -> list[BreakdownRow]:
        """Aggregates per evaluator."""
        with self._read("computing evaluator stats") as conn:
            return reports.evaluator_stats(conn)

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
