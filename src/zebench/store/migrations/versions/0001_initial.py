"""The initial results schema: batches, runs, evaluations, telemetry, artifacts, controls.

Hand-written to match ``zebench.store.schema``; the types are spelled out here rather than
imported so later model changes cannot silently rewrite history.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)
BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("metadata", JSON, nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name="pk_batches"),
    )
    op.create_index("ix_batches_created_at", "batches", ["created_at", "batch_id"])

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("batch_id", sa.String(200), nullable=False),
        sa.Column("suite", sa.String(200), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("tier", sa.String(100), nullable=False),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("total_score", sa.Float(), nullable=True),
        sa.Column("success_threshold", sa.Float(), nullable=False),
        sa.Column("is_successful", sa.Boolean(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("specialist_name", sa.String(200), nullable=True),
        sa.Column("specialist_version", sa.String(100), nullable=True),
        sa.Column("prompt_sent", sa.Text(), nullable=True),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("tokens_in", sa.BigInteger(), nullable=True),
        sa.Column("tokens_out", sa.BigInteger(), nullable=True),
        sa.Column("tool_calls", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.batch_id"], name="fk_runs_batch_id_batches", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_runs_batch_id", "runs", ["batch_id"])
    op.create_index("ix_runs_started_at", "runs", ["started_at", "run_id"])
    op.create_index("ix_runs_batch_started", "runs", ["batch_id", "started_at", "run_id"])
    op.create_index("ix_runs_suite_scenario", "runs", ["suite", "scenario"])
    op.create_index("ix_runs_agent_model", "runs", ["agent", "model"])
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_index("ix_runs_total_score", "runs", ["total_score", "run_id"])
    op.create_index("ix_runs_duration_ms", "runs", ["duration_ms", "run_id"])
    op.create_index("ix_runs_cost_usd", "runs", ["cost_usd", "run_id"])
    op.create_index("ix_runs_specialist_name", "runs", ["specialist_name"])

    op.create_table(
        "evaluations",
        sa.Column("id", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluations"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name="fk_evaluations_run_id_runs", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_evaluations_run_id", "evaluations", ["run_id"])
    op.create_index("ix_evaluations_name", "evaluations", ["name"])

    token_columns = [
        sa.Column(f"{prefix}tokens_{kind}", sa.BigInteger(), nullable=False)
        for prefix in ("", "judge_")
        for kind in ("input", "output", "cache_read", "cache_write")
    ]
    op.create_table(
        "telemetry",
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("agent_duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("tool_calls", sa.Integer(), nullable=False),
        sa.Column("tool_call_counts", JSON, nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        *token_columns,
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("cost_kind", sa.String(16), nullable=True),
        sa.Column("judge_cost_usd", sa.Float(), nullable=True),
        sa.Column("workspace_dir", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_telemetry"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name="fk_telemetry_run_id_runs", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "artifacts",
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("encoding", sa.String(16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "name", name="pk_artifacts"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name="fk_artifacts_run_id_runs", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "controls",
        sa.Column("batch_id", sa.String(200), nullable=False),
        sa.Column("suite", sa.String(200), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("ran_at", TS, nullable=False),
        sa.Column("commands", JSON, nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "suite", "scenario", name="pk_controls"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.batch_id"], name="fk_controls_batch_id_batches", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    for table in ("controls", "artifacts", "telemetry", "evaluations", "runs", "batches"):
        op.drop_table(table)
