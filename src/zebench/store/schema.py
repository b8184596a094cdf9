"""The SQL tables of the results store, as SQLAlchemy 2 typed declarative models.

The Alembic migrations in ``zebench/store/migrations`` create exactly these tables; a test compares the
migrated database with this metadata so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware in UTC.

    SQLite has no timezone type, so values are stored there as naive UTC text; PostgreSQL gets
    ``timestamp with time zone``. Naive input is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # pysqlite's DATETIME storage format has no offset; keep the text sortable as plain UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSONB on PostgreSQL (smaller, indexable), JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY, so the big integer is a variant there.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """The declarative base of every store table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSONType}


# Run columns the batch aggregates read, appended to the batch index so it covers them.
BATCH_AGGREGATE_COLUMNS = (
    "completed_at", "status", "is_successful", "total_score", "duration_ms", "cost_usd", "tokens_in", "tokens_out",
    "judge_cost_usd",
)  # fmt: skip


class BatchRow(Base):
    """A group of runs. No aggregate columns: aggregates are always computed from ``runs``."""

    __tablename__ = "batches"

    batch_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    batch_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)

    # Newest-first listing pages by (created_at, batch_id).
    __table_args__ = (Index("ix_batches_created_at", "created_at", "batch_id"),)


class RunRow(Base):
    """One run, with denormalised telemetry headlines so listings never join."""

    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Indexed by ix_runs_batch_started (batch_id leads it), so no single-column index of its own.
    batch_id: Mapped[str] = mapped_column(String(200), ForeignKey("batches.batch_id", ondelete="CASCADE"))
    suite: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(100))
    agent: Mapped[str] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    total_score: Mapped[float | None] = mapped_column(Float)
    success_threshold: Mapped[float] = mapped_column(Float)
    is_successful: Mapped[bool] = mapped_column(Boolean)
    attempt: Mapped[int] = mapped_column(Integer)
    specialist_name: Mapped[str | None] = mapped_column(String(200))
    specialist_version: Mapped[str | None] = mapped_column(String(100))
    prompt_sent: Mapped[str | None] = mapped_column(Text)
    # changed_files, dependency_changes, oracle_questions and RunRecord.metadata, under those keys.
    run_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    tokens_in: Mapped[int | None] = mapped_column(BigInteger)
    tokens_out: Mapped[int | None] = mapped_column(BigInteger)
    tool_calls: Mapped[int | None] = mapped_column(Integer)
    # telemetry.judge_cost_usd, denormalised so the rollups and batch aggregates never join telemetry.
    judge_cost_usd: Mapped[float | None] = mapped_column(Float)

    # Every sortable index ends with run_id, the keyset tie-breaker, so a page is one index range scan.
    # The filter indexes end with (started_at, run_id) too: a filtered newest-first page (the
    # default listing) is then a range scan of one index, with no sort of every matching row.
    __table_args__ = (
        Index("ix_runs_started_at", "started_at", "run_id"),
        # Covering for the batch aggregates (list_batches, get_batch): no table lookup per run.
        Index("ix_runs_batch_started", "batch_id", "started_at", "run_id", *BATCH_AGGREGATE_COLUMNS),
        Index("ix_runs_suite_scenario", "suite", "scenario", "started_at", "run_id"),
        Index("ix_runs_agent_model", "agent", "model", "started_at", "run_id"),
        Index("ix_runs_status", "status", "started_at", "run_id"),
        Index("ix_runs_total_score", "total_score", "run_id"),
        Index("ix_runs_duration_ms", "duration_ms", "run_id"),
        Index("ix_runs_cost_usd", "cost_usd", "run_id"),
        Index("ix_runs_specialist_name", "specialist_name", "started_at", "run_id"),
    )


class EvaluationRow(Base):
    """One evaluator's result for a run; ``id`` keeps the evaluators' original order."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("runs.run_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
    required: Mapped[bool] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    # The evaluator rollup's cell, then the score: a cell's min/max is one index probe when a
    # replaced run held it (see rollups.py).
    __table_args__ = (Index("ix_evaluations_cell", "name", "status", "passed", "score"),)


class TelemetryRow(Base):
    """A run's full telemetry: time, tokens (agent and judge apart), money and tool calls."""

    __tablename__ = "telemetry"

    run_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    agent_duration_ms: Mapped[int] = mapped_column(BigInteger)
    tool_calls: Mapped[int] = mapped_column(Integer)
    tool_call_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    turns: Mapped[int] = mapped_column(Integer)
    tokens_input: Mapped[int] = mapped_column(BigInteger)
    tokens_output: Mapped[int] = mapped_column(BigInteger)
    tokens_cache_read: Mapped[int] = mapped_column(BigInteger)
    tokens_cache_write: Mapped[int] = mapped_column(BigInteger)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    cost_kind: Mapped[str | None] = mapped_column(String(16))
    judge_tokens_input: Mapped[int] = mapped_column(BigInteger)
    judge_tokens_output: Mapped[int] = mapped_column(BigInteger)
    judge_tokens_cache_read: Mapped[int] = mapped_column(BigInteger)
    judge_tokens_cache_write: Mapped[int] = mapped_column(BigInteger)
    judge_cost_usd: Mapped[float | None] = mapped_column(Float)
    workspace_dir: Mapped[str | None] = mapped_column(Text)


class ArtifactRow(Base):
    """A large text of a run (diff, trajectory, validation output), zlib-compressed."""

    __tablename__ = "artifacts"

    run_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    encoding: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger)  # bytes of the UTF-8 text before compression
    sha256: Mapped[str] = mapped_column(String(64))  # of the UTF-8 text, to check integrity on read
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ControlRow(Base):
    """The warmup result of one scenario in one batch."""

    __tablename__ = "controls"

    batch_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("batches.batch_id", ondelete="CASCADE"), primary_key=True
    )
    suite: Mapped[str] = mapped_column(String(200), primary_key=True)
    scenario: Mapped[str] = mapped_column(String(200), primary_key=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    ran_at: Mapped[datetime]
    commands: Mapped[list[Any]] = mapped_column(JSONType, default=list)


class _RollupSums:
    """The additive sums of a rollup cell (a mixin: each rollup table gets its own columns).

    Every column but min/max is a plain sum, so a write adds its rows' contribution and a
    replacement subtracts the old row's; min/max are recomputed from the source rows when a
    removed row held them. Integer sums are exact; float sums are reset to 0 when a cell's scored
    count reaches 0, so no rounding residue outlives the rows it came from.
    """

    cell_key: Mapped[str] = mapped_column(String(40), primary_key=True)  # sha1 of the key columns
    n: Mapped[int] = mapped_column(BigInteger)
    scored: Mapped[int] = mapped_column(BigInteger)  # rows with a score
    score_sum: Mapped[float] = mapped_column(Float)
    score_sumsq: Mapped[float] = mapped_column(Float)
    score_min: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    duration_n: Mapped[int] = mapped_column(BigInteger)
    duration_sum: Mapped[int] = mapped_column(BigInteger)
    cost_n: Mapped[int] = mapped_column(BigInteger)
    cost_sum: Mapped[float] = mapped_column(Float)
    tokens_in: Mapped[int] = mapped_column(BigInteger)
    tokens_out: Mapped[int] = mapped_column(BigInteger)
    # Rows whose run has a judge cost, and their sum. The server default (0) is only there so
    # migration 0003 could add the columns to filled tables; writes always set both.
    judge_cost_n: Mapped[int] = mapped_column(BigInteger, server_default="0")
    judge_cost_sum: Mapped[float] = mapped_column(Float, server_default="0")


class RunRollupRow(_RollupSums, Base):
    """Run aggregates per cell of the low-cardinality run columns, kept in each write's transaction.

    Not a cache: save_run/save_runs update it in the same transaction as the runs themselves,
    so global stats, breakdowns and totals read a few thousand cells instead of every run.
    """

    __tablename__ = "run_rollup"

    suite: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(100))
    agent: Mapped[str] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    specialist_name: Mapped[str | None] = mapped_column(String(200))
    is_successful: Mapped[bool] = mapped_column(Boolean)
    # Score histogram: hist_i counts scores in [i/10, (i+1)/10) (the last bucket includes 1.0).
    hist_0: Mapped[int] = mapped_column(BigInteger)
    hist_1: Mapped[int] = mapped_column(BigInteger)
    hist_2: Mapped[int] = mapped_column(BigInteger)
    hist_3: Mapped[int] = mapped_column(BigInteger)
    hist_4: Mapped[int] = mapped_column(BigInteger)
    hist_5: Mapped[int] = mapped_column(BigInteger)
    hist_6: Mapped[int] = mapped_column(BigInteger)
    hist_7: Mapped[int] = mapped_column(BigInteger)
    hist_8: Mapped[int] = mapped_column(BigInteger)
    hist_9: Mapped[int] = mapped_column(BigInteger)


class EvalRollupRow(_RollupSums, Base):
    """Evaluation aggregates per (evaluator, status, passed), with the run's time, cost and tokens."""

    __tablename__ = "eval_rollup"

    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    passed: Mapped[bool] = mapped_column(Boolean)


class RunBatchCellRow(Base):
    """How many runs of each batch lie in each run_rollup cell, kept in each write's transaction.

    The run rollup cannot say how many distinct batches a filter matches (a batch spans many
    cells); this table can, reading only the (cell, batch) pairs of the cells the filter selects.
    """

    __tablename__ = "run_batch_cells"

    cell_key: Mapped[str] = mapped_column(String(40), primary_key=True)  # run_rollup.cell_key
    batch_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


# Core handles for fast bulk writes and aggregate queries.
batches = Base.metadata.tables["batches"]
runs = Base.metadata.tables["runs"]
evaluations = Base.metadata.tables["evaluations"]
telemetry = Base.metadata.tables["telemetry"]
artifacts = Base.metadata.tables["artifacts"]
controls = Base.metadata.tables["controls"]
run_rollup = Base.metadata.tables["run_rollup"]
eval_rollup = Base.metadata.tables["eval_rollup"]
run_batch_cells = Base.metadata.tables["run_batch_cells"]
