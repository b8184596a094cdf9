"""Judge cost on runs and in the rollups, and the per-(cell, batch) run counts.

* ``runs.judge_cost_usd``: telemetry's judge cost, denormalised like ``cost_usd`` (backfilled), and
  appended to the covering ``ix_runs_batch_started`` so batch aggregates still read only the index.
* ``run_rollup`` / ``eval_rollup`` gain ``judge_cost_n`` / ``judge_cost_sum`` (backfilled per cell).
  They are added NOT NULL with a server default of 0, which SQLite needs to add such a column; the
  store always writes both, so the default never decides a value.
* ``run_batch_cells``: runs per (run_rollup cell, batch), so filtered stats count distinct batches
  from the few pairs of the matching cells instead of every matching run (backfilled).

Like 0001 and 0002 this spells out its tables and the backfill rather than importing the models.

Revision ID: 0003
Revises: 0002
Create Date: 2025-07-01 00:00:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_KEY = ("suite", "scenario", "tier", "agent", "model", "status", "specialist_name", "is_successful")
EVAL_KEY = ("name", "status", "passed")
BOOL_KEYS = ("is_successful", "passed")
BATCH_OLD = ["batch_id", "started_at", "run_id", "completed_at", "status", "is_successful", "total_score"]
BATCH_OLD += ["duration_ms", "cost_usd", "tokens_in", "tokens_out"]
BATCH_NEW = [*BATCH_OLD, "judge_cost_usd"]


def _cell_key(row: sa.RowMapping, key: Sequence[str]) -> str:
    values = [bool(row[k]) if k in BOOL_KEYS else row[k] for k in key]
    return hashlib.sha1(json.dumps(values, separators=(",", ":")).encode()).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("runs", sa.Column("judge_cost_usd", sa.Float(), nullable=True))
    bind.execute(
        sa.text(
            "UPDATE runs SET judge_cost_usd = "
            "(SELECT t.judge_cost_usd FROM telemetry t WHERE t.run_id = runs.run_id)"
        )
    )
    op.drop_index("ix_runs_batch_started", table_name="runs")
    op.create_index("ix_runs_batch_started", "runs", BATCH_NEW)

    for table in ("run_rollup", "eval_rollup"):
        op.add_column(table, sa.Column("judge_cost_n", sa.BigInteger(), nullable=False, server_default="0"))
        op.add_column(table, sa.Column("judge_cost_sum", sa.Float(), nullable=False, server_default="0"))
    measures = "count(r.judge_cost_usd) AS jn, coalesce(sum(r.judge_cost_usd), 0) AS js"
    run_keys = ", ".join(f"r.{k}" for k in RUN_KEY)
    eval_keys = ", ".join(f"e.{k}" for k in EVAL_KEY)
    for table, sql, key in (
        ("run_rollup", f"SELECT {run_keys}, {measures} FROM runs r GROUP BY {run_keys}", RUN_KEY),
        (
            "eval_rollup",
            f"SELECT {eval_keys}, {measures} FROM evaluations e "
            f"JOIN runs r ON r.run_id = e.run_id GROUP BY {eval_keys}",
            EVAL_KEY,
        ),
    ):
        rows = [
            {"k": _cell_key(row, key), "jn": row["jn"], "js": row["js"]}
            for row in bind.execute(sa.text(sql)).mappings()
            if row["jn"]
        ]
        if rows:
            update = f"UPDATE {table} SET judge_cost_n = :jn, judge_cost_sum = :js WHERE cell_key = :k"
            bind.execute(sa.text(update), rows)

    pairs = op.create_table(
        "run_batch_cells",
        sa.Column("cell_key", sa.String(40), nullable=False),
        sa.Column("batch_id", sa.String(200), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cell_key", "batch_id", name="pk_run_batch_cells"),
    )
    assert pairs is not None
    sql = f"SELECT {run_keys}, r.batch_id, count(*) AS n FROM runs r GROUP BY {run_keys}, r.batch_id"
    rows = [
        {"cell_key": _cell_key(row, RUN_KEY), "batch_id": row["batch_id"], "n": row["n"]}
        for row in bind.execute(sa.text(sql)).mappings()
    ]
    if rows:
        bind.execute(pairs.insert(), rows)


def downgrade() -> None:
    op.drop_table("run_batch_cells")
    for table in ("eval_rollup", "run_rollup"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("judge_cost_sum")
            batch.drop_column("judge_cost_n")
    op.drop_index("ix_runs_batch_started", table_name="runs")
    op.create_index("ix_runs_batch_started", "runs", BATCH_OLD)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("judge_cost_usd")
