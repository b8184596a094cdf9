"""Query plans for SQLite: which index a runs query should walk, and the rollup-side counts.

SQLite keeps no statistics here (no ANALYZE), so it cannot tell ``agent = 'x'`` matching half the
runs from one matching ten, and used to fetch and sort 50,000 rows for a 50-row page. The rollup
knows the exact number of matching runs, so the store picks the index itself:

* a filter whose index ends in ``(started_at, run_id)`` serves the newest-first page directly;
* a non-selective filter walks the sort index and stops after ``limit + 1`` matches;
* a selective one lets the planner use the filter's index and sort the few rows it finds.

PostgreSQL keeps statistics and plans with LIMIT in mind, so it gets no hints.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, func, select

from zebench.store import schema
from zebench.store.queries import RunFilters

runs = schema.runs
BATCH_INDEX = "ix_runs_batch_started"
SORT_INDEXES = {
    "started_at": "ix_runs_started_at",
    "total_score": "ix_runs_total_score",
    "duration_ms": "ix_runs_duration_ms",
    "cost_usd": "ix_runs_cost_usd",
}
# Filter indexes ending in (started_at, run_id), with the filter fields that must all be set.
_NEWEST_FIRST_INDEXES = (
    ("ix_runs_status", ("status",)),
    ("ix_runs_agent_model", ("agent", "model")),
    ("ix_runs_suite_scenario", ("suite", "scenario")),
    ("ix_runs_specialist_name", ("specialist",)),
)


def filter_conditions(filters: RunFilters | None, table: Table = runs) -> list[ColumnElement[bool]]:
    """WHERE conditions for every set field of ``filters``, on ``runs`` or on ``run_rollup``.

    The rollup has every filter column but batch_id; callers check ``rollup_can_filter`` first.
    """
    if filters is None:
        return []
    conds: list[ColumnElement[bool]] = []
    for name in ("suite", "scenario", "tier", "agent", "model", "batch_id"):
        value = getattr(filters, name)
        if value is not None:
            conds.append(table.c[name] == value)
    if filters.status is not None:
        conds.append(table.c.status == filters.status.value)
    if filters.specialist == "none":
        conds.append(table.c.specialist_name.is_(None))
    elif filters.specialist == "any":
        conds.append(table.c.specialist_name.is_not(None))
    elif filters.specialist is not None:
        conds.append(table.c.specialist_name == filters.specialist)
    if filters.successful is not None:
        conds.append(table.c.is_successful.is_(filters.successful))
    return conds


def rollup_can_filter(filters: RunFilters | None) -> bool:
    """Whether the run rollup has every column ``filters`` constrains (all but batch_id)."""
    return filters is None or filters.batch_id is None


def is_sqlite(conn: Connection) -> bool:
    """Whether ``conn`` is SQLite, the backend that takes index hints."""
    return conn.dialect.name == "sqlite"


def use_index(query: Select[Any], index: str | None) -> Select[Any]:
    """``query`` reading ``runs`` through ``index`` on SQLite (INDEXED BY); unchanged elsewhere."""
    if index is None:
        return query
    return query.with_hint(runs, f"INDEXED BY {index}", dialect_name="sqlite")


def rollup_counts(conn: Connection, filters: RunFilters | None) -> tuple[int, int]:
    """(runs matching ``filters``, all runs), from the rollup; ``filters`` must be rollup-able."""
    rr = schema.run_rollup
    where = filter_conditions(filters, rr)
    total = func.coalesce(func.sum(rr.c.n), 0)
    if not where:
        n = int(conn.execute(select(total)).scalar_one())
        return n, n
    matched = func.coalesce(func.sum(rr.c.n).filter(*where), 0)
    row = conn.execute(select(matched, total)).one()
    return int(row[0]), int(row[1])


def batch_runs_count(conn: Connection, where: list[ColumnElement[bool]]) -> int:
    """COUNT of the runs of one batch (``where`` includes the batch_id condition), via its index."""
    query = use_index(select(func.count()).select_from(runs).where(*where), BATCH_INDEX)
    return int(conn.execute(query).scalar_one())


def listing_index(
    filters: RunFilters | None, sort_column: str, matched: int, all_runs: int, limit: int
) -> str | None:
    """The index a SQLite run listing should walk, or None to leave it to the planner."""
    if filters is None or not filter_conditions(filters):
        return None  # the planner already walks the sort index
    if filters.batch_id is not None:
        return BATCH_INDEX  # a batch is small: its rows, sorted
    if sort_column == "started_at":
        for index, fields in _NEWEST_FIRST_INDEXES:
            if all(getattr(filters, f) is not None for f in fields) and filters.specialist != "any":
                return index
    # Walking the sort index reads about (limit + 1) * all / matched rows; the filter's index
    # reads all matched rows and sorts them. Walk when that reads fewer rows.
    if matched * matched > (limit + 1) * all_runs:
        return SORT_INDEXES[sort_column]
    return None
