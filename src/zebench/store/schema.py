"""The SQL tables of the results store, as SQLAlchemy Core tables in one ``metadata``.

The Alembic migrations in ``zebench/store/migrations`` create exactly these tables; a test compares the
migrated database with this metadata so the two cannot drift apart.

Plain Core, not ORM models: the store only ever runs Core statements, and ``sqlalchemy.orm`` plus
the declarative class machinery cost ~0.1 s of every CLI start-up. Likewise the PostgreSQL dialect
is imported only when a PostgreSQL database is used (see :class:`JSONDocument`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.types import TypeEngine

# Stable constraint names so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


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


class JSONDocument(TypeDecorator[Any]):
    """A JSON document: JSONB on PostgreSQL (smaller, indexable), JSON text elsewhere.

    ``JSON().with_variant(JSONB(), "postgresql")`` would say the same, but needs a JSONB instance,
    and so the whole PostgreSQL dialect, when this module is imported, even for SQLite.
    """

    impl = JSON
    cache_ok = True
    # Like JSON(): values are dicts and lists, and None is stored as the JSON null.
    hashable = False
    should_evaluate_none = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


# SQLite only auto-increments an INTEGER PRIMARY KEY, so the big integer is a variant there.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


def _timestamp(name: str, *, nullable: bool = False) -> Column[datetime]:
    return Column(name, UTCDateTime(), nullable=nullable)


def _str(name: str, length: int, *, nullable: bool = False) -> Column[str]:
    return Column(name, String(length), nullable=nullable)


def _bigint(name: str, *, nullable: bool = False) -> Column[int]:
    return Column(name, BigInteger(), nullable=nullable)


def _float(name: str, *, nullable: bool = False) -> Column[float]:
    return Column(name, Float(), nullable=nullable)


# Run columns the batch aggregates read, appended to the batch index so it covers them.
BATCH_AGGREGATE_COLUMNS = (
    "completed_at", "status", "is_successful", "total_score", "duration_ms", "cost_usd", "tokens_in", "tokens_out",
    "judge_cost_usd",
)  # fmt: skip

# A group of runs. No aggregate columns: aggregates are always computed from ``runs``.
batches = Table(
    "batches",
    metadata,
    Column("batch_id", String(200), primary_key=True),
    _timestamp("created_at"),
    _timestamp("completed_at", nullable=True),
    Column("metadata", JSONDocument(), nullable=False, default=dict),
    # Newest-first listing pages by (created_at, batch_id).
    Index("ix_batches_created_at", "created_at", "batch_id"),
)

# One run, with denormalised telemetry headlines so listings never join.
runs = Table(
    "runs",
    metadata,
    Column("run_id", String(200), primary_key=True),
    # Indexed by ix_runs_batch_started (batch_id leads it), so no single-column index of its own.
    Column("batch_id", String(200), ForeignKey("batches.batch_id", ondelete="CASCADE"), nullable=False),
    _str("suite", 200),
    _str("scenario", 200),
    _str("tier", 100),
    _str("agent", 200),
    _str("model", 200, nullable=True),
    _str("status", 32),
    Column("reason", Text(), nullable=True),
    _timestamp("started_at"),
    _timestamp("completed_at", nullable=True),
    _float("total_score", nullable=True),
    _float("success_threshold"),
    Column("is_successful", Boolean(), nullable=False),
    Column("attempt", Integer(), nullable=False),
    _str("specialist_name", 200, nullable=True),
    _str("specialist_version", 100, nullable=True),
    Column("prompt_sent", Text(), nullable=True),
    # changed_files, dependency_changes, oracle_questions and RunRecord.metadata, under those keys.
    Column("metadata", JSONDocument(), nullable=False, default=dict),
    _bigint("duration_ms", nullable=True),
    _float("cost_usd", nullable=True),
    _bigint("tokens_in", nullable=True),
    _bigint("tokens_out", nullable=True),
    Column("tool_calls", Integer(), nullable=True),
    # telemetry.judge_cost_usd, denormalised so the rollups and batch aggregates never join telemetry.
    _float("judge_cost_usd", nullable=True),
    # Every sortable index ends with run_id, the keyset tie-breaker, so a page is one index range scan.
    # The filter indexes end with (started_at, run_id) too: a filtered newest-first page (the
    # default listing) is then a range scan of one index, with no sort of every matching row.
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

# One evaluator's result for a run; ``id`` keeps the evaluators' original order.
evaluations = Table(
    "evaluations",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("run_id", String(200), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False, index=True),
    _str("name", 200),
    _str("status", 32),
    _float("score", nullable=True),
    _float("max_score"),
    _float("weight"),
    Column("required", Boolean(), nullable=False),
    Column("passed", Boolean(), nullable=False),
    Column("summary", Text(), nullable=False),
    Column("details", JSONDocument(), nullable=False, default=dict),
    # The evaluator rollup's cell, then the score: a cell's min/max is one index probe when a
    # replaced run held it (see rollups.py).
    Index("ix_evaluations_cell", "name", "status", "passed", "score"),
)

# A run's full telemetry: time, tokens (agent and judge apart), money and tool calls.
telemetry = Table(
    "telemetry",
    metadata,
    Column("run_id", String(200), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    _bigint("duration_ms"),
    _bigint("agent_duration_ms"),
    Column("tool_calls", Integer(), nullable=False),
    Column("tool_call_counts", JSONDocument(), nullable=False, default=dict),
    Column("turns", Integer(), nullable=False),
    _bigint("tokens_input"),
    _bigint("tokens_output"),
    _bigint("tokens_cache_read"),
    _bigint("tokens_cache_write"),
    _float("cost_usd", nullable=True),
    _str("cost_kind", 16, nullable=True),
    _bigint("judge_tokens_input"),
    _bigint("judge_tokens_output"),
    _bigint("judge_tokens_cache_read"),
    _bigint("judge_tokens_cache_write"),
    _float("judge_cost_usd", nullable=True),
    Column("workspace_dir", Text(), nullable=True),
)

# A large text of a run (diff, trajectory, validation output), zlib-compressed.
artifacts = Table(
    "artifacts",
    metadata,
    Column("run_id", String(200), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(100), primary_key=True),
    _str("encoding", 16),
    _bigint("size"),  # bytes of the UTF-8 text before compression
    _str("sha256", 64),  # of the UTF-8 text, to check integrity on read
    Column("data", LargeBinary(), nullable=False),
)

# The warmup result of one scenario in one batch.
controls = Table(
    "controls",
    metadata,
    Column("batch_id", String(200), ForeignKey("batches.batch_id", ondelete="CASCADE"), primary_key=True),
    Column("suite", String(200), primary_key=True),
    Column("scenario", String(200), primary_key=True),
    Column("passed", Boolean(), nullable=False),
    _timestamp("ran_at"),
    Column("commands", JSONDocument(), nullable=False, default=list),
    # {"summary": TestSummary, "failed_tests": [...]}: the tests failing before the fix; NULL before 0004.
    Column("tests", JSONDocument(), nullable=True),
)

# A run's per-test results in numbers (the ids are its "tests" artifact): counts per status and the
# F2P/P2P outcome. Only runs that had per-test results or F2P/P2P lists have a row.
test_summaries = Table(
    "test_summaries",
    metadata,
    Column("run_id", String(200), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    _bigint("passed"),
    _bigint("failed"),
    _bigint("errors"),
    _bigint("skipped"),
    Column("f2p_passed", Integer(), nullable=True),
    Column("f2p_total", Integer(), nullable=True),
    Column("p2p_passed", Integer(), nullable=True),
    Column("p2p_total", Integer(), nullable=True),
    Column("resolved", Boolean(), nullable=True),
)


def _rollup_sums() -> list[Column[Any]]:
    """The additive sums of a rollup cell (fresh columns: each rollup table gets its own).

    Every column but min/max is a plain sum, so a write adds its rows' contribution and a
    replacement subtracts the old row's; min/max are recomputed from the source rows when a
    removed row held them. Integer sums are exact; float sums are reset to 0 when a cell's scored
    count reaches 0, so no rounding residue outlives the rows it came from.
    """
    return [
        Column("cell_key", String(40), primary_key=True),  # sha1 of the key columns
        _bigint("n"),
        _bigint("scored"),  # rows with a score
        _float("score_sum"),
        _float("score_sumsq"),
        _float("score_min", nullable=True),
        _float("score_max", nullable=True),
        _bigint("duration_n"),
        _bigint("duration_sum"),
        _bigint("cost_n"),
        _float("cost_sum"),
        _bigint("tokens_in"),
        _bigint("tokens_out"),
        # Rows whose run has a judge cost, and their sum. The server default (0) is only there so
        # migration 0003 could add the columns to filled tables; writes always set both.
        Column("judge_cost_n", BigInteger(), nullable=False, server_default="0"),
        Column("judge_cost_sum", Float(), nullable=False, server_default="0"),
    ]


# Run aggregates per cell of the low-cardinality run columns, kept in each write's transaction.
# Not a cache: save_run/save_runs update it in the same transaction as the runs themselves, so
# global stats, breakdowns and totals read a few thousand cells instead of every run.
run_rollup = Table(
    "run_rollup",
    metadata,
    _str("suite", 200),
    _str("scenario", 200),
    _str("tier", 100),
    _str("agent", 200),
    _str("model", 200, nullable=True),
    _str("status", 32),
    _str("specialist_name", 200, nullable=True),
    Column("is_successful", Boolean(), nullable=False),
    # Score histogram: hist_i counts scores in [i/10, (i+1)/10) (the last bucket includes 1.0).
    *[_bigint(f"hist_{i}") for i in range(10)],
    *_rollup_sums(),
)

# Evaluation aggregates per (evaluator, status, passed), with the run's time, cost and tokens.
eval_rollup = Table(
    "eval_rollup",
    metadata,
    _str("name", 200),
    _str("status", 32),
    Column("passed", Boolean(), nullable=False),
    *_rollup_sums(),
)

# How many runs of each batch lie in each run_rollup cell, kept in each write's transaction.
# The run rollup cannot say how many distinct batches a filter matches (a batch spans many
# cells); this table can, reading only the (cell, batch) pairs of the cells the filter selects.
run_batch_cells = Table(
    "run_batch_cells",
    metadata,
    Column("cell_key", String(40), primary_key=True),  # run_rollup.cell_key
    Column("batch_id", String(200), primary_key=True),
    _bigint("n"),
)
