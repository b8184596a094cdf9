"""Recompute the rollups (and run_batch_cells) from the runs and compare: ``verify_rollups(store) -> list[str]``.

The recomputation is plain GROUP BY SQL over the source rows, independent of the incremental
arithmetic in ``rollups``, so the tests can check every kind of write against it. Scores and
costs are clamped into their ranges in SQL, as the rollups clamp them in Python.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, Engine, Select, Table, case, func, select

from zebench.store import schema
from zebench.store.aggregates import HISTOGRAM_BUCKETS, clamped_cost, clamped_score, square
from zebench.store.rollups import EVAL_KEY, HIST, RUN_KEY, cell_key

_INTS = (
    "n",
    "scored",
    "duration_n",
    "duration_sum",
    "cost_n",
    "tokens_in",
    "tokens_out",
    "judge_cost_n",
    *HIST,
)
_FLOATS = ("score_sum", "score_sumsq", "score_min", "score_max", "cost_sum", "judge_cost_sum")


class _HasEngine(Protocol):
    engine: Engine


def _measures(score: ColumnElement[Any], runs: Table) -> list[Any]:
    def total(col: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(col), 0)

    score = clamped_score(score)
    cost, judge = clamped_cost(runs.c.cost_usd), clamped_cost(runs.c.judge_cost_usd)
    return [
        func.count().label("n"),
        func.count(score).label("scored"),
        total(score).label("score_sum"),
        total(square(score)).label("score_sumsq"),
        func.min(score).label("score_min"),
        func.max(score).label("score_max"),
        func.count(runs.c.duration_ms).label("duration_n"),
        total(runs.c.duration_ms).label("duration_sum"),
        func.count(cost).label("cost_n"),
        total(cost).label("cost_sum"),
        total(runs.c.tokens_in).label("tokens_in"),
        total(runs.c.tokens_out).label("tokens_out"),
        func.count(judge).label("judge_cost_n"),
        total(judge).label("judge_cost_sum"),
    ]


def run_cells_query() -> Select[Any]:
    """The run rollup as computed from ``runs`` by one GROUP BY."""
    runs = schema.runs
    score = clamped_score(runs.c.total_score)
    hist = []
    for i in range(HISTOGRAM_BUCKETS):
        lower = score >= i / HISTOGRAM_BUCKETS if i else score.is_not(None)
        cond = lower & (score < (i + 1) / HISTOGRAM_BUCKETS) if i < HISTOGRAM_BUCKETS - 1 else lower
        hist.append(func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(HIST[i]))
    keys = [runs.c[n] for n in RUN_KEY]
    return select(*keys, *_measures(runs.c.total_score, runs), *hist).group_by(*keys)


def eval_cells_query() -> Select[Any]:
    """The evaluator rollup as computed from ``evaluations`` joined to their runs."""
    runs, evals = schema.runs, schema.evaluations
    keys = [evals.c[n] for n in EVAL_KEY]
    join = evals.join(runs, evals.c.run_id == runs.c.run_id)
    return select(*keys, *_measures(evals.c.score, runs)).select_from(join).group_by(*keys)


def expected_cells(conn: Connection, query: Select[Any], key: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Rollup rows (with ``cell_key``) from a ``*_cells_query``."""
    out = {}
    for row in conn.execute(query).mappings():
        values = [bool(row[n]) if n in ("is_successful", "passed") else row[n] for n in key]
        out[cell_key(values)] = {"cell_key": cell_key(values), **dict(row)}
    return out


def _differs(name: str, want: Any, got: Any) -> bool:
    if want is None or got is None:
        return (want is None) != (got is None)
    if name in _INTS:
        return int(want) != int(got)
    return not math.isclose(float(want), float(got), rel_tol=1e-9, abs_tol=1e-9)


def _compare(
    table: Table, want: Mapping[str, Mapping[Any, Any]], got: Mapping[str, Mapping[Any, Any]]
) -> list[str]:
    problems = []
    for key in sorted(want.keys() | got.keys()):
        w, g = want.get(key), got.get(key)
        if g is None:
            problems.append(f"{table.name}: missing cell {dict(w or {})}")
        elif w is None:
            problems.append(f"{table.name}: stale cell {dict(g)}")
        else:
            for name in (*_INTS, *_FLOATS):
                if name in table.c and _differs(name, w[name], g[name]):
                    problems.append(f"{table.name} {key[:8]}: {name} is {g[name]!r}, runs say {w[name]!r}")
    return problems


def expected_pairs(conn: Connection) -> dict[tuple[str, str], int]:
    """run_batch_cells as computed from ``runs``: runs per (run cell, batch)."""
    runs = schema.runs
    keys = [runs.c[n] for n in RUN_KEY]
    query = select(*keys, runs.c.batch_id, func.count().label("n")).group_by(*keys, runs.c.batch_id)
    out = {}
    for row in conn.execute(query).mappings():
        values = [bool(row[n]) if n == "is_successful" else row[n] for n in RUN_KEY]
        out[(cell_key(values), row["batch_id"])] = int(row["n"])
    return out


def _compare_pairs(conn: Connection) -> list[str]:
    table = schema.run_batch_cells
    want = expected_pairs(conn)
    got = {(r.cell_key, r.batch_id): int(r.n) for r in conn.execute(select(table))}
    problems = []
    for pair in sorted(want.keys() | got.keys()):
        if want.get(pair) != got.get(pair):
            problems.append(
                f"{table.name} {pair[0][:8]}/{pair[1]}: n is {got.get(pair)}, runs say {want.get(pair)}"
            )
    return problems


def verify_rollups(store: _HasEngine) -> list[str]:
    """Differences between the rollup tables and a recomputation from the runs; [] when consistent."""
    with store.engine.connect() as conn, conn.begin():
        problems = []
        for table, query, key in (
            (schema.run_rollup, run_cells_query(), RUN_KEY),
            (schema.eval_rollup, eval_cells_query(), EVAL_KEY),
        ):
            want = expected_cells(conn, query, key)
            got = {r["cell_key"]: r for r in conn.execute(select(table)).mappings()}
            problems += _compare(table, want, got)
        return problems + _compare_pairs(conn)
