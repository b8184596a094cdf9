"""Rollup tables for stats, and filter indexes that also serve the newest-first listing.

* ``run_rollup`` / ``eval_rollup``: per-cell sums that every write keeps in step with the runs in
  its own transaction (see ``zebench.store.rollups``); backfilled here from the existing rows.
* The runs filter indexes gain ``(started_at, run_id)`` so a filtered default listing is one
  range scan; ``ix_runs_batch_id`` goes (``ix_runs_batch_started`` starts with batch_id).
* ``ix_runs_batch_started`` also covers the columns batch aggregates read.
* ``ix_evaluations_name`` becomes ``ix_evaluations_cell`` (name, status, passed, score).

Like 0001 this spells out its tables and the backfill rather than importing the models, so later
changes to them cannot rewrite what this revision did.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-01 00:00:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_KEY = ("suite", "scenario", "tier", "agent", "model", "status", "specialist_name", "is_successful")
EVAL_KEY = ("name", "status", "passed")
BOOL_KEYS = ("is_successful", "passed")
HIST = [f"hist_{i}" for i in range(10)]
# (name, old columns, new columns)
BATCH_COVERING = ["completed_at", "status", "is_successful", "total_score", "duration_ms", "cost_usd"]
BATCH_COVERING += ["tokens_in", "tokens_out"]
BATCH_OLD = ["batch_id", "started_at", "run_id"]
RUN_INDEXES = [
    ("ix_runs_batch_started", BATCH_OLD, [*BATCH_OLD, *BATCH_COVERING]),
    ("ix_runs_suite_scenario", ["suite", "scenario"], ["suite", "scenario", "started_at", "run_id"]),
    ("ix_runs_agent_model", ["agent", "model"], ["agent", "model", "started_at", "run_id"]),
    ("ix_runs_status", ["status"], ["status", "started_at", "run_id"]),
    ("ix_runs_specialist_name", ["specialist_name"], ["specialist_name", "started_at", "run_id"]),
]


def _sum_columns() -> list[sa.Column[Any]]:
    big, flt = sa.BigInteger(), sa.Float()
    return [
        sa.Column("cell_key", sa.String(40), nullable=False),
        sa.Column("n", big, nullable=False),
        sa.Column("scored", big, nullable=False),
        sa.Column("score_sum", flt, nullable=False),
        sa.Column("score_sumsq", flt, nullable=False),
        sa.Column("score_min", flt, nullable=True),
        sa.Column("score_max", flt, nullable=True),
        sa.Column("duration_n", big, nullable=False),
        sa.Column("duration_sum", big, nullable=False),
        sa.Column("cost_n", big, nullable=False),
        sa.Column("cost_sum", flt, nullable=False),
        sa.Column("tokens_in", big, nullable=False),
        sa.Column("tokens_out", big, nullable=False),
    ]


def upgrade() -> None:
    for name, _old, new in RUN_INDEXES:
        op.drop_index(name, table_name="runs")
        op.create_index(name, "runs", new)
    op.drop_index("ix_runs_batch_id", table_name="runs")
    op.drop_index("ix_evaluations_name", table_name="evaluations")
    op.create_index("ix_evaluations_cell", "evaluations", ["name", "status", "passed", "score"])

    run_rollup = op.create_table(
        "run_rollup",
        sa.Column("suite", sa.String(200), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("tier", sa.String(100), nullable=False),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("specialist_name", sa.String(200), nullable=True),
        sa.Column("is_successful", sa.Boolean(), nullable=False),
        *[sa.Column(h, sa.BigInteger(), nullable=False) for h in HIST],
        *_sum_columns(),
        sa.PrimaryKeyConstraint("cell_key", name="pk_run_rollup"),
    )
    eval_rollup = op.create_table(
        "eval_rollup",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        *_sum_columns(),
        sa.PrimaryKeyConstraint("cell_key", name="pk_eval_rollup"),
    )
    _backfill(run_rollup, eval_rollup)


def _measures(score: str) -> str:
    return f"""count(*) AS n, count({score}) AS scored,
        coalesce(sum({score}), 0) AS score_sum, coalesce(sum({score} * {score}), 0) AS score_sumsq,
        min({score}) AS score_min, max({score}) AS score_max,
        count(r.duration_ms) AS duration_n, coalesce(sum(r.duration_ms), 0) AS duration_sum,
        count(r.cost_usd) AS cost_n, coalesce(sum(r.cost_usd), 0) AS cost_sum,
        coalesce(sum(r.tokens_in), 0) AS tokens_in, coalesce(sum(r.tokens_out), 0) AS tokens_out"""


def _backfill(run_rollup: sa.Table | None, eval_rollup: sa.Table | None) -> None:
    assert run_rollup is not None and eval_rollup is not None
    bind = op.get_bind()
    hist = []
    for i in range(10):
        lower = f"r.total_score >= {i / 10!r}" if i else "r.total_score IS NOT NULL"
        cond = f"{lower} AND r.total_score < {(i + 1) / 10!r}" if i < 9 else lower
        hist.append(f"coalesce(sum(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS hist_{i}")
    run_keys = ", ".join(f"r.{k}" for k in RUN_KEY)
    run_sql = (
        f"SELECT {run_keys}, {_measures('r.total_score')}, {', '.join(hist)} FROM runs r GROUP BY {run_keys}"
    )
    eval_keys = ", ".join(f"e.{k}" for k in EVAL_KEY)
    eval_sql = (
        f"SELECT {eval_keys}, {_measures('e.score')} FROM evaluations e "
        f"JOIN runs r ON r.run_id = e.run_id GROUP BY {eval_keys}"
    )
    for table, sql, key in ((run_rollup, run_sql, RUN_KEY), (eval_rollup, eval_sql, EVAL_KEY)):
        rows = []
        for row in bind.execute(sa.text(sql)).mappings():
            values = [bool(row[k]) if k in BOOL_KEYS else row[k] for k in key]
            cell = dict(row)
            cell.update(zip(key, values, strict=True))
            cell["cell_key"] = hashlib.sha1(json.dumps(values, separators=(",", ":")).encode()).hexdigest()
            rows.append(cell)
        if rows:
            bind.execute(table.insert(), rows)


def downgrade() -> None:
    op.drop_table("eval_rollup")
    op.drop_table("run_rollup")
    op.drop_index("ix_evaluations_cell", table_name="evaluations")
    op.create_index("ix_evaluations_name", "evaluations", ["name"])
    op.create_index("ix_runs_batch_id", "runs", ["batch_id"])
    for name, old, _new in RUN_INDEXES:
        op.drop_index(name, table_name="runs")
        op.create_index(name, "runs", old)
