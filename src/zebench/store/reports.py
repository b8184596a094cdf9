"""Read-side queries that aggregate: batch details, batch pages, global, agent and evaluator stats.

Functions take an open Connection so a caller can run several of them in one read transaction.
Global, agent and evaluator figures read the rollup cells (kept in step with the runs by every
write's own transaction, so never stale); batch figures and filters the rollup cannot express
aggregate the runs themselves, one grouped query each, through the batch index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, func, select

from zebench.errors import NotFoundError
from zebench.store import schema
from zebench.store.aggregates import (
    EVALUATION_STATS,
    RUN_STATS,
    StatSource,
    histogram_columns,
    histogram_from_row,
    rollup_histogram_columns,
    rollup_stat_columns,
    stat_columns,
    stats_from_row,
)
from zebench.store.codec import SUMMARY_COLUMNS, control_from_row, summary_from_row
from zebench.store.paging import keyset_page
from zebench.store.plans import BATCH_INDEX, filter_conditions, rollup_can_filter, use_index
from zebench.store.queries import BatchDetail, BatchPage, BatchSummary, BreakdownRow, GlobalStats, RunFilters

runs = schema.runs
evaluations = schema.evaluations
batches = schema.batches

__all__ = ["agent_stats", "evaluator_stats", "filter_conditions", "get_batch", "global_stats", "list_batches"]


def _rows(conn: Connection, query: Select[Any], keys: Sequence[str], src: StatSource) -> list[BreakdownRow]:
    return [
        BreakdownRow(key={name: row[f"key_{name}"] for name in keys}, **stats_from_row(row, src))
        for row in conn.execute(query).mappings()
    ]


def breakdown(
    conn: Connection,
    keys: Sequence[tuple[str, ColumnElement[Any]]],
    src: StatSource,
    where: Sequence[ColumnElement[bool]] = (),
    index: str | None = None,
) -> list[BreakdownRow]:
    """One BreakdownRow per distinct value of ``keys`` over the runs, sorted by key."""
    key_cols = [col.label(f"key_{name}") for name, col in keys]
    query = select(*key_cols, *stat_columns(src))
    if src is EVALUATION_STATS:
        query = query.select_from(runs.join(evaluations, evaluations.c.run_id == runs.c.run_id))
    else:
        query = query.select_from(runs)
    query = query.where(*where).group_by(*(col for _, col in keys)).order_by(*(col for _, col in keys))
    return _rows(conn, use_index(query, index), [name for name, _ in keys], src)


def rollup_breakdown(
    conn: Connection, table: Table, keys: Sequence[tuple[str, str]], success: str, src: StatSource
) -> list[BreakdownRow]:
    """``breakdown`` over a rollup table's cells: ``keys`` are (output name, column name)."""
    cols = [table.c[col] for _, col in keys]
    query = (
        select(*(c.label(f"key_{name}") for (name, _), c in zip(keys, cols, strict=True)))
        .add_columns(*rollup_stat_columns(table, success, src.statuses))
        .group_by(*cols)
        .order_by(*cols)
    )
    return _rows(conn, query, [name for name, _ in keys], src)


def _duration_ms(
    created_at: datetime, completed_at: datetime | None, last_run_end: datetime | None
) -> int | None:
    end = completed_at or last_run_end
    if end is None:
        return None
    return max(0, int((end - created_at).total_seconds() * 1000))


def _batch_summary(batch: Mapping[Any, Any], agg: Mapping[Any, Any] | None) -> BatchSummary:
    stats = stats_from_row(agg, RUN_STATS) if agg is not None else {}
    last_end = agg["last_completed_at"] if agg is not None else None
    return BatchSummary(
        batch_id=batch["batch_id"],
        created_at=batch["created_at"],
        completed_at=batch["completed_at"],
        duration_ms=_duration_ms(batch["created_at"], batch["completed_at"], last_end),
        metadata=batch["metadata"] or {},
        **stats,
    )


def _last_completed() -> ColumnElement[Any]:
    return func.max(runs.c.completed_at).label("last_completed_at")


def get_batch(conn: Connection, batch_id: str) -> BatchDetail:
    """The batch with its runs, aggregates, breakdowns, failed runs and controls."""
    batch = conn.execute(select(batches).where(batches.c.batch_id == batch_id)).mappings().first()
    if batch is None:
        raise NotFoundError(f"batch {batch_id!r} not found", hint="list batches with `zebench batches`")
    in_batch = [runs.c.batch_id == batch_id]
    agg_query = select(*stat_columns(RUN_STATS), _last_completed()).where(*in_batch)
    agg = conn.execute(use_index(agg_query, BATCH_INDEX)).mappings().one()
    run_query = select(*SUMMARY_COLUMNS).where(*in_batch).order_by(runs.c.started_at, runs.c.run_id)
    summaries = [summary_from_row(r) for r in conn.execute(use_index(run_query, BATCH_INDEX)).mappings()]
    controls = conn.execute(
        select(schema.controls)
        .where(schema.controls.c.batch_id == batch_id)
        .order_by(schema.controls.c.suite, schema.controls.c.scenario)
    ).mappings()

    def by(*names: str) -> list[BreakdownRow]:
        return breakdown(conn, [(n, runs.c[n]) for n in names], RUN_STATS, in_batch, BATCH_INDEX)

    return BatchDetail(
        summary=_batch_summary(batch, agg),
        runs=summaries,
        by_scenario=by("suite", "scenario"),
        by_tier=by("tier"),
        by_agent_model=by("agent", "model"),
        # The batch's runs drive the join (via the batch index), then their evaluations by run_id.
        by_evaluator=breakdown(
            conn, [("evaluator", evaluations.c.name)], EVALUATION_STATS, in_batch, BATCH_INDEX
        ),
        failed_runs=[s for s in summaries if not s.is_successful],
        controls=[control_from_row(r) for r in controls],
    )


def list_batches(conn: Connection, *, limit: int, cursor: str | None) -> BatchPage:
    """Batches newest first, with the page's aggregates from one grouped query over its batch ids."""
    page, next_cursor = keyset_page(
        select(batches),
        sort_name="-created_at",
        column=batches.c.created_at,
        key=batches.c.batch_id,
        descending=True,
        nullable=False,
        limit=limit,
        cursor=cursor,
        execute=lambda q: conn.execute(q).all(),
    )
    ids = [row.batch_id for row in page]
    aggs: dict[str, Mapping[Any, Any]] = {}
    if ids:
        query = (
            select(runs.c.batch_id, *stat_columns(RUN_STATS), _last_completed())
            .where(runs.c.batch_id.in_(ids))
            .group_by(runs.c.batch_id)
        )
        aggs = {row["batch_id"]: row for row in conn.execute(use_index(query, BATCH_INDEX)).mappings()}
    items = [_batch_summary(row._mapping, aggs.get(row.batch_id)) for row in page]
    return BatchPage(items=items, next_cursor=next_cursor)


def global_stats(conn: Connection, filters: RunFilters | None) -> GlobalStats:
    """Aggregates, the score histogram and the batch count over the runs matching ``filters``."""
    where = filter_conditions(filters)
    if not rollup_can_filter(filters):  # batch-scoped: a few hundred runs, through the batch index
        query = select(
            *stat_columns(RUN_STATS),
            *histogram_columns(runs.c.total_score),
            func.count(runs.c.batch_id.distinct()).label("agg_batches"),
        ).where(*where)
        row = conn.execute(use_index(query, BATCH_INDEX)).mappings().one()
        n_batches = int(row["agg_batches"] or 0)
    else:
        rr = schema.run_rollup
        query = select(
            *rollup_stat_columns(rr, "is_successful", RUN_STATS.statuses), *rollup_histogram_columns(rr)
        ).where(*filter_conditions(filters, rr))
        row = conn.execute(query).mappings().one()
        if where:
            n_batches = _batches_with_runs(conn, where, int(row["agg_n"]))
        else:  # unfiltered: also count batches that have no runs yet
            n_batches = int(conn.execute(select(func.count()).select_from(batches)).scalar_one())
    return GlobalStats(
        **stats_from_row(row, RUN_STATS), batches=n_batches, score_histogram=histogram_from_row(row)
    )


def _batches_with_runs(conn: Connection, where: list[ColumnElement[bool]], matched: int) -> int:
    """How many batches hold a run matching ``where`` (``matched`` runs do, per the rollup)."""
    if matched == 0:
        return 0
    query = select(func.count(runs.c.batch_id.distinct())).where(*where)
    return int(conn.execute(query).scalar_one())


def agent_stats(conn: Connection) -> list[BreakdownRow]:
    """Aggregates per agent/model pair over every stored run (from the rollup)."""
    keys = [("agent", "agent"), ("model", "model")]
    return rollup_breakdown(conn, schema.run_rollup, keys, "is_successful", RUN_STATS)


def evaluator_stats(conn: Connection) -> list[BreakdownRow]:
    """Aggregates per evaluator over every stored evaluation (from the rollup)."""
    return rollup_breakdown(conn, schema.eval_rollup, [("evaluator", "name")], "passed", EVALUATION_STATS)
