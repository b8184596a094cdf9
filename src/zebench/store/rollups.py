"""The rollup tables: per-cell sums of the runs and evaluations, maintained inside every write.

A cell is one combination of the low-cardinality key columns (``RUN_KEY`` / ``EVAL_KEY``). Each
save adds its rows' contributions and, when it replaces runs, subtracts the old rows' first, in
the same transaction as the rows themselves, so a reader never sees a rollup out of step with the
runs (it is not a cache). Sums subtract exactly; a min or max cannot, so a cell whose extreme a
removed row may have held is recomputed from its source rows before the transaction commits.

Cells are keyed by a SHA-1 of their key values so the upsert has a unique key even when a key
column is NULL (NULLs never conflict in a unique index on SQLite or PostgreSQL).

Scores and costs are added clamped into their ranges, as every aggregate reads them (see
``aggregates``), so no stored row can make a cell's sums overflow.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, case, delete, func, select, tuple_, update

from zebench.results.ranges import clamp_cost, clamp_score
from zebench.store import schema
from zebench.store.aggregates import HISTOGRAM_BUCKETS, clamped_score, score_bucket

RUN_KEY = ("suite", "scenario", "tier", "agent", "model", "status", "specialist_name", "is_successful")
EVAL_KEY = ("name", "status", "passed")
# Run columns an evaluation cell also sums (time, money and tokens of the run it belongs to).
RUN_MEASURES = ("duration_ms", "cost_usd", "tokens_in", "tokens_out", "judge_cost_usd")
HIST = tuple(f"hist_{i}" for i in range(HISTOGRAM_BUCKETS))
_SUMS = (
    "n", "scored", "duration_n", "duration_sum", "cost_n", "cost_sum", "tokens_in", "tokens_out",
    "judge_cost_n", "judge_cost_sum",
)  # fmt: skip
_FLOAT_SUMS = ("score_sum", "score_sumsq")
_IN_CHUNK = 500


def cell_key(values: Sequence[Any]) -> str:
    """The primary key of the cell with these key values (stable across processes and backends)."""
    return hashlib.sha1(json.dumps(list(values), separators=(",", ":")).encode()).hexdigest()


@dataclass
class Cell:
    """The net change of one cell within a write: added minus removed rows."""

    key: dict[str, Any]
    sums: dict[str, float] = field(default_factory=dict)
    added_min: float | None = None
    added_max: float | None = None
    removed_scores: list[float] = field(default_factory=list)

    def add(self, score: float | None, measures: Mapping[Any, Any], sign: int, histogram: bool) -> None:
        """Add (sign 1) or subtract (sign -1) one row's contribution."""
        s = self.sums
        duration = measures["duration_ms"]
        cost, judge = clamp_cost(measures["cost_usd"]), clamp_cost(measures["judge_cost_usd"])
        score = clamp_score(score)
        for name, value in (
            ("n", 1),
            ("duration_n", duration is not None),
            ("duration_sum", duration or 0),
            ("cost_n", cost is not None),
            ("cost_sum", cost or 0.0),
            ("tokens_in", measures["tokens_in"] or 0),
            ("tokens_out", measures["tokens_out"] or 0),
            ("judge_cost_n", judge is not None),
            ("judge_cost_sum", judge or 0.0),
        ):
            s[name] = s.get(name, 0) + sign * value
        if score is None:
            return
        s["scored"] = s.get("scored", 0) + sign
        s["score_sum"] = s.get("score_sum", 0.0) + sign * score
        s["score_sumsq"] = s.get("score_sumsq", 0.0) + sign * score * score
        if histogram:
            bucket = HIST[score_bucket(score)]
            s[bucket] = s.get(bucket, 0) + sign
        if sign > 0:
            self.added_min = score if self.added_min is None else min(self.added_min, score)
            self.added_max = score if self.added_max is None else max(self.added_max, score)
        else:
            self.removed_scores.append(score)


class Delta:
    """The rollup changes of one write transaction, for both tables."""

    def __init__(self) -> None:
        self.runs: dict[str, Cell] = {}
        self.evals: dict[str, Cell] = {}
        # Net runs added per (run cell, batch): the run_batch_cells rows to adjust.
        self.pairs: dict[tuple[str, str], int] = {}

    @staticmethod
    def _cell(cells: dict[str, Cell], names: Sequence[str], row: Mapping[Any, Any]) -> tuple[str, Cell]:
        values = [bool(row[n]) if n in ("is_successful", "passed") else row[n] for n in names]
        key = cell_key(values)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell(dict(zip(names, values, strict=True)))
        return key, cell

    def run(self, row: Mapping[Any, Any], sign: int) -> None:
        """Count a runs row (a mapping with the RUN_KEY, batch_id and measure columns)."""
        key, cell = self._cell(self.runs, RUN_KEY, row)
        cell.add(row["total_score"], row, sign, histogram=True)
        pair = (key, row["batch_id"])
        self.pairs[pair] = self.pairs.get(pair, 0) + sign

    def evaluation(self, row: Mapping[Any, Any], run: Mapping[Any, Any], sign: int) -> None:
        """Count an evaluations row, with the measures of its run."""
        self._cell(self.evals, EVAL_KEY, row)[1].add(row["score"], run, sign, histogram=False)


def removed_rows(
    conn: Connection, run_ids: Sequence[str]
) -> tuple[list[Mapping[Any, Any]], list[Mapping[Any, Any]]]:
    """The stored runs and evaluations (with their runs' measures) that saving ``run_ids`` replaces."""
    runs, evals = schema.runs, schema.evaluations
    run_cols = [runs.c[n] for n in (*RUN_KEY, "run_id", "batch_id", "total_score", *RUN_MEASURES)]
    eval_cols = [evals.c[n] for n in (*EVAL_KEY, "score")] + [runs.c[n] for n in RUN_MEASURES]
    old_runs: list[Mapping[Any, Any]] = []
    old_evals: list[Mapping[Any, Any]] = []
    for i in range(0, len(run_ids), _IN_CHUNK):
        chunk = run_ids[i : i + _IN_CHUNK]
        old_runs += conn.execute(select(*run_cols).where(runs.c.run_id.in_(chunk))).mappings().all()
        if old_runs:  # no stored run, no stored evaluation: skip the join on fresh inserts
            join = evals.join(runs, evals.c.run_id == runs.c.run_id)
            query = select(*eval_cols).select_from(join).where(evals.c.run_id.in_(chunk))
            old_evals += conn.execute(query).mappings().all()
    return old_runs, old_evals


def apply(conn: Connection, delta: Delta, upsert: Any) -> None:
    """Write ``delta`` into both rollup tables; ``upsert(table)`` is the dialect's INSERT."""
    _apply(conn, schema.run_rollup, delta.runs, upsert, _run_source)
    _apply(conn, schema.eval_rollup, delta.evals, upsert, _eval_source)
    _apply_pairs(conn, delta.pairs, upsert)


def _apply_pairs(conn: Connection, pairs: dict[tuple[str, str], int], upsert: Any) -> None:
    """Adjust run_batch_cells by the net runs per (cell, batch); drop the pairs left empty."""
    changed = sorted(p for p, n in pairs.items() if n)  # sorted: one lock order (see _apply)
    if not changed:
        return
    table = schema.run_batch_cells
    stmt = _UPSERTS.get((table.name, conn.dialect.name))
    if stmt is None:
        stmt = upsert(table)
        stmt = _UPSERTS[(table.name, conn.dialect.name)] = stmt.on_conflict_do_update(
            index_elements=["cell_key", "batch_id"], set_={"n": table.c.n + stmt.excluded.n}
        )
    rows = [{"cell_key": k, "batch_id": b, "n": pairs[(k, b)]} for k, b in changed]
    conn.execute(stmt, rows)
    shrunk = [p for p in changed if pairs[p] < 0]
    for i in range(0, len(shrunk), _IN_CHUNK):
        chunk = shrunk[i : i + _IN_CHUNK]
        conn.execute(
            delete(table).where(tuple_(table.c.cell_key, table.c.batch_id).in_(chunk), table.c.n <= 0)
        )


# The upsert statements, built once per (table, dialect): they do not depend on the rows (passed
# as executemany parameters), and building the ~30-column SET clause and its cache key on every
# save was most of a single-run write's time.
_UPSERTS: dict[tuple[str, str], Any] = {}


def _cell_upsert(conn: Connection, table: Table, upsert: Any) -> Any:
    cached = _UPSERTS.get((table.name, conn.dialect.name))
    if cached is not None:
        return cached
    c = table.c
    stmt = upsert(table)
    ex = stmt.excluded
    scored = c.scored + ex.scored
    set_: dict[str, Any] = {n: c[n] + ex[n] for n in (*_SUMS, *(h for h in HIST if h in c))}
    # Reset float sums when no scored row is left, so no rounding residue survives.
    set_ |= {n: case((scored == 0, 0.0), else_=c[n] + ex[n]) for n in _FLOAT_SUMS}
    set_["score_min"] = _extreme(c.score_min, ex.score_min, lower=True)
    set_["score_max"] = _extreme(c.score_max, ex.score_max, lower=False)
    built = _UPSERTS[(table.name, conn.dialect.name)] = stmt.on_conflict_do_update(
        index_elements=["cell_key"], set_=set_
    )
    return built


def _apply(conn: Connection, table: Table, cells: dict[str, Cell], upsert: Any, source: Any) -> None:
    if not cells:
        return
    c = table.c
    # Sorted so concurrent PostgreSQL writers lock cells in one order and cannot deadlock.
    rows = [_insert_row(table, k, cells[k]) for k in sorted(cells)]
    conn.execute(_cell_upsert(conn, table, upsert), rows)

    shrunk = sorted(k for k, cell in cells.items() if cell.sums.get("n", 0) < 0 or cell.removed_scores)
    for i in range(0, len(shrunk), _IN_CHUNK):
        chunk = shrunk[i : i + _IN_CHUNK]
        conn.execute(delete(table).where(c.cell_key.in_(chunk), c.n <= 0))
        _fix_extremes(conn, table, {k: cells[k] for k in chunk if cells[k].removed_scores}, source)


def _insert_row(table: Table, key: str, cell: Cell) -> dict[str, Any]:
    row: dict[str, Any] = {
        "cell_key": key,
        **cell.key,
        "score_min": cell.added_min,
        "score_max": cell.added_max,
    }
    for name in (*_SUMS, *_FLOAT_SUMS, *(h for h in HIST if h in table.c)):
        row[name] = cell.sums.get(name, 0)
    return row


def _extreme(current: ColumnElement[Any], new: ColumnElement[Any], *, lower: bool) -> ColumnElement[Any]:
    # Portable LEAST/GREATEST that ignores NULLs (SQLite's min(a, b) is NULL if either is).
    better = new < current if lower else new > current
    return case((current.is_(None), new), (new.is_(None), current), (better, new), else_=current)


def _fix_extremes(conn: Connection, table: Table, cells: dict[str, Cell], source: Any) -> None:
    """Recompute min/max of the cells where a removed score was (or tied) the extreme."""
    if not cells:
        return
    c = table.c
    current = conn.execute(
        select(c.cell_key, c.score_min, c.score_max).where(c.cell_key.in_(list(cells)))
    ).all()
    for key, lo, hi in current:
        removed = cells[key].removed_scores
        if lo is not None and hi is not None and lo < min(removed) and max(removed) < hi:
            continue  # the removed scores lay strictly inside: the extremes still stand
        col, where = source(cells[key].key)
        # A later statement than the upsert that locked the cell: on PostgreSQL (READ COMMITTED)
        # its snapshot includes every concurrent writer that committed to this cell first.
        conn.execute(
            update(table)
            .where(c.cell_key == key)
            .values(
                score_min=select(func.min(col)).where(*where).scalar_subquery(),
                score_max=select(func.max(col)).where(*where).scalar_subquery(),
            )
        )


def _matches(table: Table, key: Mapping[Any, Any]) -> list[ColumnElement[bool]]:
    # Plain equality (not IS NOT DISTINCT FROM) so PostgreSQL can use the indexes.
    return [table.c[n].is_(None) if v is None else table.c[n] == v for n, v in key.items()]


def _run_source(key: Mapping[Any, Any]) -> tuple[ColumnElement[Any], list[ColumnElement[bool]]]:
    return clamped_score(schema.runs.c.total_score), _matches(schema.runs, key)


def _eval_source(key: Mapping[Any, Any]) -> tuple[ColumnElement[Any], list[ColumnElement[bool]]]:
    return clamped_score(schema.evaluations.c.score), _matches(schema.evaluations, key)


def record_writes(
    delta: Delta,
    old_runs: Iterable[Mapping[Any, Any]],
    old_evals: Iterable[Mapping[Any, Any]],
    new_runs: Iterable[Mapping[Any, Any]],
    new_evals: Iterable[Mapping[Any, Any]],
) -> None:
    """Subtract the replaced rows and add the new ones (``new_evals`` rows carry ``run_id``)."""
    for row in old_runs:
        delta.run(row, -1)
    for row in old_evals:
        delta.evaluation(row, row, -1)
    by_id: dict[str, Mapping[Any, Any]] = {}
    for row in new_runs:
        delta.run(row, 1)
        by_id[row["run_id"]] = row
    for row in new_evals:
        delta.evaluation(row, by_id[row["run_id"]], 1)
