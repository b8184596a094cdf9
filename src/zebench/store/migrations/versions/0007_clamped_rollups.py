"""Rebuild the rollups with scores and costs clamped into their ranges.

Earlier servers accepted any finite score and cost, so a run stored with a total score of 1e308
put 1e308 into its rollup cell's sum and infinity into its sum of squares, and every stats read
answered 500 from then on. The store now adds scores clamped into 0..1 and costs into 0..1e9 (NaN
as 0; see ``zebench.results.ranges``); this revision recomputes both rollup tables from the rows
the same way, so cells summed by earlier versions agree with what later writes add and subtract.
The rows themselves are left as they were stored. ``run_batch_cells`` counts runs and is unchanged.

Like the earlier revisions this spells out its SQL rather than importing the store's code.
Downgrading leaves the cells as they are: they equal the earlier code's unclamped sums wherever
every stored value lies in its range, and recomputing 1e308 squared would overflow PostgreSQL.

Revision ID: 0007
Revises: 0004
Create Date: 2025-08-01 00:00:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_KEY = ("suite", "scenario", "tier", "agent", "model", "status", "specialist_name", "is_successful")
EVAL_KEY = ("name", "status", "passed")
BOOL_KEYS = ("is_successful", "passed")
HIST = [f"hist_{i}" for i in range(10)]
SUMS = [
    "n", "scored", "score_sum", "score_sumsq", "score_min", "score_max", "duration_n", "duration_sum",
    "cost_n", "cost_sum", "tokens_in", "tokens_out", "judge_cost_n", "judge_cost_sum",
]  # fmt: skip
MAX_COST_USD = "1e9"
TINY = "1e-150"  # squares below 1e-300 count as 0 (PostgreSQL raises an underflow error instead)


def _clamp(column: str, high: str, *, postgres: bool) -> str:
    # PostgreSQL orders NaN above every number; SQLite cannot store one.
    nan = f"WHEN {column} = 'NaN'::float8 THEN 0 " if postgres else ""
    return f"(CASE {nan}WHEN {column} < 0 THEN 0 WHEN {column} > {high} THEN {high} ELSE {column} END)"


def _measures(score: str, *, postgres: bool) -> str:
    s = _clamp(score, "1", postgres=postgres)
    cost = _clamp("r.cost_usd", MAX_COST_USD, postgres=postgres)
    judge = _clamp("r.judge_cost_usd", MAX_COST_USD, postgres=postgres)
    return f"""count(*) AS n, count({s}) AS scored,
        coalesce(sum({s}), 0) AS score_sum,
        coalesce(sum(CASE WHEN abs({s}) < {TINY} THEN 0 ELSE {s} * {s} END), 0) AS score_sumsq,
        min({s}) AS score_min, max({s}) AS score_max,
        count(r.duration_ms) AS duration_n, coalesce(sum(r.duration_ms), 0) AS duration_sum,
        count({cost}) AS cost_n, coalesce(sum({cost}), 0) AS cost_sum,
        coalesce(sum(r.tokens_in), 0) AS tokens_in, coalesce(sum(r.tokens_out), 0) AS tokens_out,
        count({judge}) AS judge_cost_n, coalesce(sum({judge}), 0) AS judge_cost_sum"""


def _histogram(score: str) -> str:
    parts = []
    for i in range(10):
        lower = f"{score} >= {i / 10!r}" if i else f"{score} IS NOT NULL"
        cond = f"{lower} AND {score} < {(i + 1) / 10!r}" if i < 9 else lower
        parts.append(f"coalesce(sum(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS hist_{i}")
    return ", ".join(parts)


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    run_keys = ", ".join(f"r.{k}" for k in RUN_KEY)
    run_score = _clamp("r.total_score", "1", postgres=postgres)
    run_sql = (
        f"SELECT {run_keys}, {_measures('r.total_score', postgres=postgres)}, "
        f"{_histogram(run_score)} FROM runs r GROUP BY {run_keys}"
    )
    eval_keys = ", ".join(f"e.{k}" for k in EVAL_KEY)
    eval_sql = (
        f"SELECT {eval_keys}, {_measures('e.score', postgres=postgres)} FROM evaluations e "
        f"JOIN runs r ON r.run_id = e.run_id GROUP BY {eval_keys}"
    )
    for name, sql, key, extra in (
        ("run_rollup", run_sql, RUN_KEY, HIST),
        ("eval_rollup", eval_sql, EVAL_KEY, []),
    ):
        table = sa.table(name, *(sa.column(c) for c in (*key, *extra, "cell_key", *SUMS)))
        rows = []
        for row in bind.execute(sa.text(sql)).mappings():
            values = [bool(row[k]) if k in BOOL_KEYS else row[k] for k in key]
            cell = dict(row)
            cell.update(zip(key, values, strict=True))
            cell["cell_key"] = hashlib.sha1(json.dumps(values, separators=(",", ":")).encode()).hexdigest()
            rows.append(cell)
        bind.execute(sa.text(f"DELETE FROM {name}"))
        if rows:
            bind.execute(table.insert(), rows)


def downgrade() -> None:
    pass
