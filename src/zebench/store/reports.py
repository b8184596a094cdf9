"""Read-side queries that aggregate: batch details, batch pages, global, agent and evaluator stats.

Functions take an open Connection so a caller can run several of them in one read transaction.
Batch details live in ``batch_report``. Global, agent, scenario and evaluator figures read the rollup cells (kept in step with the runs by every
write's own transaction, so never stale); batch figures and filters the rollup cannot express
aggregate the runs themselves, one grouped query each, through the batch index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, case, func, select

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
from zebench.store.paging import keyset_page
from zebench.store.plans import BATCH_INDEX, filter_conditions, rollup_can_filter, use_index
from zebench.store.queries import (
    BatchPage,
    BatchSummary,
    BreakdownRow,
    CostKindCount,
    GlobalStats,
    RunFilters,
    ScenarioLevel,
)

runs = schema.runs
evaluations = schema.evaluations
batches = schema.batches

__all__ = [
    "agent_stats",
    "batch_fingerprint",
    "evaluator_stats",
    "filter_conditions",
    "global_stats",
    "list_batches",
    "scenario_stats",
]


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
    conn: Connection,
    table: Table,
    keys: Sequence[tuple[str, str]],
    success: str,
    src: StatSource,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[BreakdownRow]:
    """``breakdown`` over a rollup table's cells: ``keys`` are (output name, column name)."""
    cols = [table.c[col] for _, col in keys]
    query = (
        select(*(c.label(f"key_{name}") for (name, _), c in zip(keys, cols, strict=True)))
        .add_columns(*rollup_stat_columns(table, success, src.statuses))
        .where(*where)
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


def batch_summary(batch: Mapping[Any, Any], agg: Mapping[Any, Any] | None) -> BatchSummary:
    """A batches row with its aggregates (``stat_columns(RUN_STATS)`` labels and ``last_completed_at``)."""
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
    items = [batch_summary(row._mapping, aggs.get(row.batch_id)) for row in page]
    return BatchPage(items=items, next_cursor=next_cursor)


def global_stats(conn: Connection, filters: RunFilters | None) -> GlobalStats:
    """Aggregates, the score histogram and the batch count over the runs matching ``filters``."""
    where = filter_conditions(filters)
    if not rollup_can_filter(filters):  # batch-scoped: a few hundred runs, through the batch index
        query = select(
            *stat_columns(RUN_STATS),
            *histogram_columns(RUN_STATS.score),
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
            n_batches = _batches_with_runs(conn, filters, int(row["agg_n"]))
        else:  # unfiltered: also count batches that have no runs yet
            n_batches = int(conn.execute(select(func.count()).select_from(batches)).scalar_one())
    return GlobalStats(
        **stats_from_row(row, RUN_STATS), batches=n_batches, score_histogram=histogram_from_row(row)
    )


def _batches_with_runs(conn: Connection, filters: RunFilters | None, matched: int) -> int:
    """How many batches hold a run matching ``filters`` (``matched`` runs do, per the rollup).

    Reads run_batch_cells: the (cell, batch) pairs of the matching rollup cells, through its
    primary key, rather than the batch_id of every matching run.
    """
    if matched == 0:
        return 0
    rr, pairs = schema.run_rollup, schema.run_batch_cells
    query = (
        select(func.count(pairs.c.batch_id.distinct()))
        .select_from(rr.join(pairs, pairs.c.cell_key == rr.c.cell_key))
        .where(*filter_conditions(filters, rr))
    )
    return int(conn.execute(query).scalar_one())


def scenario_stats(
    conn: Connection, filters: RunFilters | None, *, per: ScenarioLevel = "scenario"
) -> list[BreakdownRow]:
    """Aggregates per (suite, scenario, tier), or per suite with ``per="suite"``, sorted by key.

    From the rollup cells; a batch filter (which the rollup cannot apply) groups that batch's runs
    through the batch index instead.
    """
    names = SCENARIO_KEYS if per == "scenario" else ("suite",)
    if rollup_can_filter(filters):
        rr = schema.run_rollup
        keys = [(n, n) for n in names]
        return rollup_breakdown(conn, rr, keys, "is_successful", RUN_STATS, filter_conditions(filters, rr))
    cols = [(n, runs.c[n]) for n in names]
    return breakdown(conn, cols, RUN_STATS, filter_conditions(filters), BATCH_INDEX)


SCENARIO_KEYS = ("suite", "scenario", "tier")


def batch_fingerprint(conn: Connection, batch_id: str) -> str:
    """A short hash that changes when a run of the batch is added, ends or gets scored, or the batch completes.

    One aggregate over the covering batch index (runs, ended runs, scored runs, newest start and
    end) plus the batches row; raises NotFoundError for an unknown batch.
    """
    batches = schema.batches
    done = conn.execute(select(batches.c.completed_at).where(batches.c.batch_id == batch_id)).first()
    if done is None:
        raise NotFoundError(f"batch {batch_id!r} not found", hint="list batches with `zebench batches`")
    query = select(
        func.count(),
        func.count(runs.c.completed_at),
        func.max(runs.c.started_at),
        func.max(runs.c.completed_at),
        func.count(runs.c.total_score),  # a run getting its score (no float sum: order-dependent)
    ).where(runs.c.batch_id == batch_id)
    row = conn.execute(use_index(query, BATCH_INDEX)).one()  # type: ignore[arg-type]
    parts = [*row, done.completed_at]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def agent_stats(conn: Connection) -> list[BreakdownRow]:
    """Aggregates per agent/model pair over every stored run (from the rollup)."""
    keys = [("agent", "agent"), ("model", "model")]
    return rollup_breakdown(conn, schema.run_rollup, keys, "is_successful", RUN_STATS)


def evaluator_stats(conn: Connection) -> list[BreakdownRow]:
    """Aggregates per evaluator over every stored evaluation (from the rollup)."""
    return rollup_breakdown(conn, schema.eval_rollup, [("evaluator", "name")], "passed", EVALUATION_STATS)


def cost_kind_counts(conn: Connection) -> list[CostKindCount]:
    """Runs per agent/model pair and cost kind, over every stored run.

    The rollup does not key on the cost kind, so this groups the runs with their telemetry rows (one
    pass over both); only the dashboard's Costs page asks for it.
    """
    tel = schema.telemetry
    # No cost is unknown whatever the kind says; a cost without a kind (sent through the API without
    # costKind) is known but not said to be measured or estimated.
    effective = case(
        (tel.c.cost_usd.is_(None), "unknown"),
        (tel.c.cost_kind.is_(None), "unrecorded"),
        else_=tel.c.cost_kind,
    )
    query = (
        select(runs.c.agent, runs.c.model, effective.label("kind"), func.count(), func.sum(tel.c.cost_usd))
        .select_from(runs.join(tel, tel.c.run_id == runs.c.run_id))
        # By the label: PostgreSQL binds the CASE's literals afresh in GROUP BY and would not see
        # the same expression as in the select list.
        .group_by(runs.c.agent, runs.c.model, "kind")
        .order_by(runs.c.agent, runs.c.model)
    )
    return [
        CostKindCount(
            agent=row[0],
            model=row[1],
            cost_kind=row[2],
            runs=int(row[3]),
            total_cost_usd=None if row[4] is None else float(row[4]),
        )
        for row in conn.execute(query)
    ]
