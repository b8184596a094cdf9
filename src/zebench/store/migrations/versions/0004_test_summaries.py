"""Per-test grading: each run's test summary, and the control's per-test results.

* ``test_summaries``: one row per run that had per-test results or F2P/P2P lists: counts per
  status, how many fail-to-pass and pass-to-pass tests passed, and whether the run is resolved.
  A table of its own, not runs columns, so the runs table and its covering indexes stay as they
  are and a run without tests costs nothing. No backfill: older runs have no per-test results.
* ``controls.tests``: the control's summary and the tests failing on the pristine fixture.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "test_summaries",
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("passed", sa.BigInteger(), nullable=False),
        sa.Column("failed", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.Column("f2p_passed", sa.Integer(), nullable=True),
        sa.Column("f2p_total", sa.Integer(), nullable=True),
        sa.Column("p2p_passed", sa.Integer(), nullable=True),
        sa.Column("p2p_total", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name="fk_test_summaries_run_id_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", name="pk_test_summaries"),
    )
    op.add_column("controls", sa.Column("tests", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("controls") as batch:
        batch.drop_column("tests")
    op.drop_table("test_summaries")
