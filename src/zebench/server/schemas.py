"""Strict input models of the write API, in camelCase.

Each payload accepts two shapes so existing clients keep working: the original Worker's
``SubmitResultsPayload`` (``evaluatorName``, ``tokensIn``, ``promptSent`` in telemetry...) and
zebench's richer rendering of :class:`~zebench.results.RunRecord`. Scalars are strict (``false``
is not a number, ``1`` is not a boolean), floats must be finite, integers are bounded so that
PostgreSQL never sees an out-of-range value, and text may not hold NUL bytes or lone surrogates,
which PostgreSQL and UTF-8 encoding reject with an error the client could not act on.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from zebench.results.models import (
    CONTROL_FAILED_TESTS_CAP,
    CommandKind,
    CostKind,
    EvaluationStatus,
    RunStatus,
)

INT32_MAX = 2**31 - 1
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+\-]{0,199}$"
MAX_JSON_DEPTH = 32


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
    return value


def _clean_json(value: Any, depth: int = 0) -> Any:
    """Check free-form JSON (metadata, details) with the same rules as typed fields."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        _clean_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite")
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean_text(key)
            _clean_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _clean_json(item, depth + 1)
    return value


def _utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; the year range keeps every database and JSON happy."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date out of range") from exc
    if not 1970 <= value.year <= 9999:
        raise ValueError("year must be between 1970 and 9999")
    return value


def _no_bool(value: Any) -> Any:
    # Lax datetime parsing would read ``true`` as the epoch; a boolean is never a timestamp.
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    return value


Text = Annotated[str, Strict(), StringConstraints(max_length=1_000_000), AfterValidator(_clean_text)]
Name = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=200), AfterValidator(_clean_text)]
Label = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=100), AfterValidator(_clean_text)]
ShortText = Annotated[str, Strict(), StringConstraints(max_length=2000), AfterValidator(_clean_text)]
Id = Annotated[str, Strict(), StringConstraints(pattern=ID_PATTERN)]
Float = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Count = Annotated[int, Strict(), Field(ge=0, le=INT32_MAX)]
Int32 = Annotated[int, Strict(), Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
Bool = Annotated[bool, Strict()]
Timestamp = Annotated[datetime, BeforeValidator(_no_bool), AfterValidator(_utc)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_clean_json)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class TokenUsageIn(_In):
    input: Count = 0
    output: Count = 0
    cache_read: Count = 0
    cache_write: Count = 0


class EvaluationIn(_In):
    """One evaluator result: zebench's ``name`` form or the original's ``evaluatorName`` form."""

    name: Name | None = None
    evaluator_name: Name | None = None
    status: EvaluationStatus = "scored"
    score: Float | None = None
    max_score: Float = 1.0
    weight: Float = 1.0
    required: Bool = False
    passed: Bool | None = None
    summary: ShortText = ""
    details: JsonObject | Text | None = None

    @model_validator(mode="after")
    def _named(self) -> EvaluationIn:
        if self.name is None and self.evaluator_name is None:
            raise ValueError("name (or the original's evaluatorName) is required")
        if self.name is not None and self.evaluator_name is not None and self.name != self.evaluator_name:
            raise ValueError("name and evaluatorName differ")
        return self


class TelemetryIn(_In):
    """Telemetry: zebench's fields plus the original's ``tokensIn``/``tokensOut``/``promptSent``."""

    duration_ms: Count = 0
    agent_duration_ms: Count = 0
    tool_calls: Count = 0
    tool_call_counts: dict[Name, Count] = Field(default_factory=dict, max_length=1000)
    turns: Count = 0
    tokens: TokenUsageIn | None = None
    tokens_in: Count | None = None
    tokens_out: Count | None = None
    cost_usd: Float | None = None
    cost_kind: CostKind | None = None
    judge_tokens: TokenUsageIn | None = None
    judge_cost_usd: Float | None = None
    workspace_dir: ShortText | None = None
    prompt_sent: Text | None = None


class CommandResultIn(_In):
    name: Name
    kind: CommandKind = "custom"
    command: Text
    exit_code: Int32 | None = None
    stdout: Text = ""
    stderr: Text = ""
    duration_ms: Count = 0
    timed_out: Bool = False
    truncated: Bool = False
    error: ShortText | None = None
    network: Bool | None = None


class FileChangeIn(_In):
    path: ShortText
    change: Literal["added", "modified", "deleted", "renamed", "typechange"]
    old_path: ShortText | None = None
    binary: Bool = False


class DependencyChangeIn(_In):
    file: ShortText
    section: ShortText
    name: ShortText
    before: ShortText | None = None
    after: ShortText | None = None


class TestSummaryIn(_In):
    """A run's per-test counts and F2P/P2P outcome (``zebench.results.TestSummary``)."""

    __test__ = False  # not a pytest test class, despite the name

    passed: Count = 0
    failed: Count = 0
    errors: Count = 0
    skipped: Count = 0
    f2p_passed: Count | None = None
    f2p_total: Count | None = None
    p2p_passed: Count | None = None
    p2p_total: Count | None = None
    resolved: Bool | None = None


class SubmitRunPayload(_In):
    """``POST /api/results``: one run with its evaluations, telemetry and artifacts."""

    run_id: Id
    batch_id: Id | None = None
    suite: Name
    scenario: Name
    tier: Label
    agent: Name
    model: Name | None = None
    status: RunStatus
    reason: ShortText | None = None
    started_at: Timestamp
    completed_at: Timestamp | None = None
    total_score: Float | None = None
    weighted_score: Float | None = None  # original only; kept for read-back
    success_metric: Float | None = None  # original only; kept for read-back
    success_threshold: Float = 0.7
    is_successful: Bool = False
    attempt: Annotated[int, Strict(), Field(ge=1, le=10_000)] = 1
    specialist_enabled: Bool | None = None
    specialist_name: Name | None = None
    specialist_version: Label | None = None
    prompt_sent: Text | None = None
    metadata: JsonObject | None = None
    evaluations: list[EvaluationIn] = Field(default_factory=list, max_length=1000)
    telemetry: TelemetryIn | None = None
    validation: list[CommandResultIn] = Field(default_factory=list, max_length=1000)
    changed_files: list[FileChangeIn] = Field(default_factory=list, max_length=100_000)
    dependency_changes: list[DependencyChangeIn] = Field(default_factory=list, max_length=10_000)
    oracle_questions: list[dict[ShortText, Text]] = Field(default_factory=list, max_length=1000)
    tests: TestSummaryIn | None = None
    artifacts: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,100}$")], Text] = Field(
        default_factory=dict, max_length=100
    )


class SubmitBatchPayload(_In):
    """``POST /api/results/batch``: the original's batch upsert. Totals are accepted but ignored,
    because aggregates are always computed from the runs."""

    batch_id: Id
    created_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    metadata: JsonObject | None = None
    total_runs: Count | None = None
    successful_runs: Count | None = None
    avg_score: Float | None = None
    avg_weighted_score: Float | None = None


class SubmitControlPayload(_In):
    """``POST /api/results/control``: a warmup result for a batch and scenario."""

    batch_id: Id
    suite: Name
    scenario: Name
    passed: Bool
    commands: list[CommandResultIn] = Field(default_factory=list, max_length=1000)
    ran_at: Timestamp | None = None
    tests: TestSummaryIn | None = None
    failed_tests: list[ShortText] = Field(default_factory=list, max_length=CONTROL_FAILED_TESTS_CAP)


# -- bulk ingest ----------------------------------------------------------------------------------

MAX_BULK_RUNS = 500  # runs per POST /api/results:batch; the body limit usually binds first


class _RunItem:
    """One item of a bulk submission: taken as any JSON value here and validated by the route
    item by item (so one bad run cannot fail the others), but documented as a SubmitRunPayload."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.any_schema()

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(SubmitRunPayload.__pydantic_core_schema__)


class SubmitRunsPayload(_In):
    """``POST /api/results:batch``: several runs, each in the shape ``POST /api/results`` takes."""

    runs: list[Annotated[Any, _RunItem]] = Field(max_length=MAX_BULK_RUNS)


BulkOutcome = Literal["created", "duplicate", "replaced", "conflict", "invalid", "failed"]


class _Out(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class BulkItemResult(_Out):
    """What happened to one run of a bulk submission: the status ``POST /api/results`` would have
    answered for it at that position (201, 200, 409, 422, or 503 when the store refused it)."""

    index: int  # position in the request's ``runs``
    run_id: str | None  # None when the item has no usable runId
    status: Literal[200, 201, 409, 422, 503]
    outcome: BulkOutcome
    error: str | None = None
    details: Any | None = None


class BulkSubmitResponse(_Out):
    """The answer of ``POST /api/results:batch``: one result per submitted run, in order, and counts."""

    results: list[BulkItemResult]
    created: int
    duplicate: int
    replaced: int
    conflict: int
    invalid: int
    failed: int
