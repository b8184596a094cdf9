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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, func, select

from zebench.store import schema
from zebench.store.aggregates import HISTOGRAM_BUCKETS
from zebench.store.queries import RunFilters

runs = schema.runs
BATCH_INDEX = "ix_runs_batch_started"
SORT_INDEXES = {
    "started_at": "ix_runs_started_at",
    "total_score": "ix_runs_total_score",
    "duration_ms": "ix_runs_duration_ms",
    "cost_usd": "ix_runs_cost_usd",
}
# Filter indexes, all ending in (started_at, run_id), with the filter fields they lead with.
# Usable when the first field is set; with every field set they serve a newest-first page as is.
_FILTER_INDEXES = (
    ("ix_runs_status", ("status",)),
    ("ix_runs_agent_model", ("agent", "model")),
    ("ix_runs_suite_scenario", ("suite", "scenario")),
    ("ix_runs_specialist_name", ("specialist",)),
)
# A sequential scan reads a row for about this fraction of the cost of an index-driven lookup.
_SCAN_COST = 0.3


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


# The rollup column counting the rows that have a value in each sortable column.
_VALUED = {"started_at": "n", "total_score": "scored", "duration_ms": "duration_n", "cost_usd": "cost_n"}


@dataclass(frozen=True)
class Profile:
    """What the rollup says about the runs a listing filters: exact counts, no sampling."""

    matched: int  # runs matching the filters
    all_runs: int
    valued: int  # matching runs with a value in the sort column (the first paging phase)
    all_valued: int
    hist: tuple[int, ...] = ()  # total_score histogram of the matching runs (score sorts only)
    all_hist: tuple[int, ...] = ()
    by_index: tuple[tuple[str, int, bool], ...] = ()  # usable filter index, runs it reads, all fields set


def _usable_indexes(filters: RunFilters | None) -> list[tuple[str, RunFilters, bool]]:
    """Filter indexes ``filters`` can range-scan: (name, the filters it applies, whether all)."""
    out: list[tuple[str, RunFilters, bool]] = []
    if filters is None or filters.specialist == "any":  # IS NOT NULL is no index range
        return out
    for index, fields in _FILTER_INDEXES:
        prefix: dict[str, Any] = {}
        for f in fields:
            if getattr(filters, f) is None:
                break
            prefix[f] = getattr(filters, f)
        if prefix:
            out.append((index, RunFilters(**prefix), len(prefix) == len(fields)))
    return out


def profile(conn: Connection, filters: RunFilters | None, sort_column: str) -> Profile:
    """The rollup's counts for a listing of ``filters`` sorted by ``sort_column`` (no batch filter)."""
    rr = schema.run_rollup
    where = filter_conditions(filters, rr)
    cols = [rr.c.n, rr.c[_VALUED[sort_column]]]
    if sort_column == "total_score":
        cols += [rr.c[f"hist_{i}"] for i in range(HISTOGRAM_BUCKETS)]
    sums = [func.coalesce(func.sum(c), 0) for c in cols]
    matched = [func.coalesce(func.sum(c).filter(*where), 0) for c in cols] if where else sums
    usable = _usable_indexes(filters)
    per_index = [func.coalesce(func.sum(rr.c.n).filter(*filter_conditions(f, rr)), 0) for _, f, _ in usable]
    row = [int(v) for v in conn.execute(select(*matched, *sums, *per_index)).one()]
    k = len(cols)
    mine, every, reads = row[:k], row[k : 2 * k], row[2 * k :]
    by_index = tuple((name, n, full) for (name, _, full), n in zip(usable, reads, strict=True))
    return Profile(mine[0], every[0], mine[1], every[1], tuple(mine[2:]), tuple(every[2:]), by_index)


def batch_runs_count(conn: Connection, where: list[ColumnElement[bool]]) -> int:
    """COUNT of the runs of one batch (``where`` includes the batch_id condition), via its index."""
    query = use_index(select(func.count()).select_from(runs).where(*where), BATCH_INDEX)
    return int(conn.execute(query).scalar_one())


def _walk_cost(need: int, mine: int, every: int, p: Profile, descending: bool, phase: int) -> float:
    """Rows read walking the sort index until ``need`` matches (assuming no cursor)."""
    if phase == 0 and p.hist:  # score sorts: the histogram shows where the matches lie
        buckets = range(HISTOGRAM_BUCKETS - 1, -1, -1) if descending else range(HISTOGRAM_BUCKETS)
        read = 0.0
        for b in buckets:
            if p.hist[b] >= need:
                return read + need / p.hist[b] * p.all_hist[b]
            need -= p.hist[b]
            read += p.all_hist[b]
        return read
    return need * every / mine


def listing_plan(
    filters: RunFilters | None, sort_column: str, descending: bool, p: Profile | None
) -> Callable[[int, Select[Any]], Select[Any] | None]:
    """The ``keyset_page`` plan: per phase, an index hint, or None when the rollup shows no row.

    ``p`` is None for batch-scoped listings (the rollup has no batch_id).
    """
    has_filter = bool(filter_conditions(filters))

    def plan(phase: int, query: Select[Any]) -> Select[Any] | None:
        if p is None:
            return use_index(query, BATCH_INDEX)  # a batch is small: its rows, sorted
        mine = p.valued if phase == 0 else p.matched - p.valued
        every = p.all_valued if phase == 0 else p.all_runs - p.all_valued
        if mine == 0:
            return None
        if not has_filter:
            return query  # the planner already walks the sort index
        need = query._limit or 1
        # Candidate plans by estimated rows read: walk the sort index until the page is full;
        # range-scan a filter index (reading all it matches, then sorting); or scan the table.
        options: list[tuple[float, str]] = [
            (_walk_cost(need, mine, every, p, descending, phase), SORT_INDEXES[sort_column]),
            (p.all_runs * _SCAN_COST, ""),
        ]
        for index, reads, full in p.by_index:
            if full and phase == 0 and sort_column == "started_at":
                options.append((need * reads / p.matched, index))  # already in page order
            else:
                options.append((float(reads), index))
        _, best = min(options)
        if best:
            return use_index(query, best)
        return query.with_hint(runs, "NOT INDEXED", dialect_name="sqlite")

    return plan
