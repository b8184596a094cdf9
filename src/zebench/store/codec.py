"""Translate between the result models and table rows: runs, artifacts, controls and summaries."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from zebench.results.models import (
    CommandResult,
    ControlResult,
    DependencyChange,
    EvaluationResult,
    FileChange,
    RunRecord,
    RunStatus,
    Telemetry,
    TestSummary,
    TokenUsage,
)
from zebench.store import schema
from zebench.store.queries import EvaluationBrief, RunSummary

VALIDATION_ARTIFACT = "validation"
ARTIFACT_ENCODING = "zlib"
# Level 1, not zlib's default 6: on diffs and trajectories it is ~2.5× faster for blobs ~10% larger,
# and compression was the largest single cost of ingesting a run. Any level decompresses the same
# way, so rows written at 6 before stay readable.
ARTIFACT_LEVEL = 1
_COMMANDS = TypeAdapter(list[CommandResult])

# The run columns a RunSummary is built from, in one place for every listing query.
# ``evaluations`` is no runs column: get_batch fills it from the evaluations table on request.
SUMMARY_FIELDS = tuple(name for name in RunSummary.model_fields if name != "evaluations")
SUMMARY_COLUMNS = [schema.runs.c[name] for name in SUMMARY_FIELDS]


def compress_artifact(run_id: str, name: str, text: str) -> dict[str, Any]:
    """An artifacts row for ``text``: zlib-compressed UTF-8 with its size and SHA-256."""
    raw = text.encode("utf-8")
    return {
        "run_id": run_id,
        "name": name,
        "encoding": ARTIFACT_ENCODING,
        "size": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "data": zlib.compress(raw, ARTIFACT_LEVEL),
    }


def decompress_artifact(encoding: str, data: bytes) -> str:
    """The text of a stored artifact."""
    raw = zlib.decompress(data) if encoding == ARTIFACT_ENCODING else bytes(data)
    return raw.decode("utf-8")


def test_summary_row(run: RunRecord) -> dict[str, Any] | None:
    """The test_summaries row of a run, or None when the run has no test summary."""
    if run.tests is None:
        return None
    return {"run_id": run.run_id, **run.tests.model_dump()}


def test_summary_from_row(row: Mapping[Any, Any] | None) -> TestSummary | None:
    """The TestSummary of a test_summaries row (None for no row)."""
    if row is None:
        return None
    return TestSummary(**{name: row[name] for name in TestSummary.model_fields})


def run_rows(
    run: RunRecord,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """The run, evaluation, telemetry and artifact rows of one RunRecord."""
    tel = run.telemetry
    finished = run.status != RunStatus.RUNNING
    run_row = {
        "run_id": run.run_id,
        "batch_id": run.batch_id,
        "suite": run.suite,
        "scenario": run.scenario,
        "tier": run.tier,
        "agent": run.agent,
        "model": run.model,
        "status": run.status.value,
        "reason": run.reason,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "total_score": run.total_score,
        "success_threshold": run.success_threshold,
        "is_successful": run.is_successful,
        "attempt": run.attempt,
        "specialist_name": run.specialist_name,
        "specialist_version": run.specialist_version,
        "prompt_sent": run.prompt_sent,
        "metadata": {
            "changed_files": [c.model_dump(mode="json") for c in run.changed_files],
            "dependency_changes": [d.model_dump(mode="json") for d in run.dependency_changes],
            "oracle_questions": run.oracle_questions,
            "metadata": run.metadata,
        },
        # A running run has no duration yet; NULL keeps it out of duration means and sorts last.
        "duration_ms": tel.duration_ms if finished else None,
        "cost_usd": tel.cost_usd,
        "tokens_in": tel.tokens.input,
        "tokens_out": tel.tokens.output,
        "tool_calls": tel.tool_calls,
        "judge_cost_usd": tel.judge_cost_usd,
    }
    eval_rows = [
        {"run_id": run.run_id, **e.model_dump(mode="json", include=_EVAL_FIELDS)} for e in run.evaluations
    ]
    tel_row = {
        "run_id": run.run_id,
        "duration_ms": tel.duration_ms,
        "agent_duration_ms": tel.agent_duration_ms,
        "tool_calls": tel.tool_calls,
        "tool_call_counts": tel.tool_call_counts,
        "turns": tel.turns,
        **_token_columns("", tel.tokens),
        **_token_columns("judge_", tel.judge_tokens),
        "cost_usd": tel.cost_usd,
        "cost_kind": tel.cost_kind,
        "judge_cost_usd": tel.judge_cost_usd,
        "workspace_dir": tel.workspace_dir,
    }
    texts = dict(run.artifacts)
    if run.validation:
        # The validation output can be large; keep it off the run row. The record's list wins.
        texts[VALIDATION_ARTIFACT] = json.dumps([c.model_dump(mode="json") for c in run.validation])
    artifact_rows = [compress_artifact(run.run_id, name, text) for name, text in texts.items()]
    return run_row, eval_rows, tel_row, artifact_rows


_EVAL_FIELDS = {"name", "status", "score", "max_score", "weight", "required", "passed", "summary", "details"}


def _token_columns(prefix: str, tokens: TokenUsage) -> dict[str, int]:
    return {
        f"{prefix}tokens_input": tokens.input,
        f"{prefix}tokens_output": tokens.output,
        f"{prefix}tokens_cache_read": tokens.cache_read,
        f"{prefix}tokens_cache_write": tokens.cache_write,
    }


def _tokens(prefix: str, row: Mapping[Any, Any]) -> TokenUsage:
    return TokenUsage(
        input=row[f"{prefix}tokens_input"],
        output=row[f"{prefix}tokens_output"],
        cache_read=row[f"{prefix}tokens_cache_read"],
        cache_write=row[f"{prefix}tokens_cache_write"],
    )


def telemetry_from_row(row: Mapping[Any, Any] | None) -> Telemetry:
    """The Telemetry model of a telemetry row (defaults when the row is missing)."""
    if row is None:
        return Telemetry()
    return Telemetry(
        duration_ms=row["duration_ms"],
        agent_duration_ms=row["agent_duration_ms"],
        tool_calls=row["tool_calls"],
        tool_call_counts=row["tool_call_counts"] or {},
        turns=row["turns"],
        tokens=_tokens("", row),
        cost_usd=row["cost_usd"],
        cost_kind=row["cost_kind"],
        judge_tokens=_tokens("judge_", row),
        judge_cost_usd=row["judge_cost_usd"],
        workspace_dir=row["workspace_dir"],
    )


def evaluation_from_row(row: Mapping[Any, Any]) -> EvaluationResult:
    """The EvaluationResult of an evaluations row."""
    return EvaluationResult(**{name: row[name] for name in _EVAL_FIELDS})


def validation_from_artifact(text: str | None) -> list[CommandResult]:
    """The validation commands stored as the ``validation`` artifact; [] when absent or not that shape."""
    if not text:
        return []
    try:
        return _COMMANDS.validate_json(text)
    except ValidationError:
        return []  # a free-form artifact that happens to be called "validation"


def run_from_rows(
    run_row: Mapping[Any, Any],
    eval_rows: Sequence[Mapping[Any, Any]],
    tel_row: Mapping[Any, Any] | None,
    validation_text: str | None,
    tests_row: Mapping[Any, Any] | None = None,
) -> RunRecord:
    """Rebuild a RunRecord (without artifacts) from its stored rows."""
    meta = run_row["metadata"] or {}
    return RunRecord(
        tests=test_summary_from_row(tests_row),
        **{name: run_row[name] for name in _RUN_COLUMNS},
        evaluations=[evaluation_from_row(r) for r in eval_rows],
        telemetry=telemetry_from_row(tel_row),
        validation=validation_from_artifact(validation_text),
        changed_files=[FileChange.model_validate(c) for c in meta.get("changed_files", [])],
        dependency_changes=[DependencyChange.model_validate(d) for d in meta.get("dependency_changes", [])],
        oracle_questions=meta.get("oracle_questions", []),
        metadata=meta.get("metadata", {}),
    )


_RUN_COLUMNS = (
    "run_id", "batch_id", "suite", "scenario", "tier", "agent", "model", "status", "reason", "started_at",
    "completed_at", "total_score", "success_threshold", "is_successful", "attempt", "specialist_name",
    "specialist_version", "prompt_sent",
)  # fmt: skip


_STATUSES = {s.value: s for s in RunStatus}
M = TypeVar("M", bound=BaseModel)


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` from ``values`` (every field, correctly typed) without validation.

    For rows of our own typed columns only. Pydantic's ``model_construct`` walks the fields in
    Python and is slower than validating; this fills the instance the way it does, minus the
    walk. Tests check the results equal ``model_validate`` of the same rows.
    """
    instance = cls.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def summary_from_row(row: Mapping[Any, Any], evaluations: list[EvaluationBrief] | None = None) -> RunSummary:
    """A RunSummary from a row selected with SUMMARY_COLUMNS (trusted: see ``trusted``)."""
    values = {name: row[name] for name in SUMMARY_FIELDS}
    values["status"] = _STATUSES[values["status"]]  # the one column stored as plain text
    values["evaluations"] = evaluations
    return trusted(RunSummary, values)


def evaluation_brief(row: Mapping[Any, Any]) -> EvaluationBrief:
    """An EvaluationBrief from an evaluations row (name, status, score, passed, summary)."""
    return trusted(
        EvaluationBrief,
        {
            "name": row["name"],
            "status": row["status"],
            "score": row["score"],
            "passed": row["passed"],
            "summary": row["summary"],
        },
    )


# The results API keeps its idempotency data in the run's metadata under this key
# (``{"payloadDigest": "v2:..."}``, or ``{"payloadSha256": ...}`` from servers before the v2
# digest); the store reads the hash back for duplicate checks.
API_METADATA_KEY = "zebench:api"
DIGEST_KEY = "payloadDigest"
LEGACY_DIGEST_KEY = "payloadSha256"


def payload_hash(stored_metadata: Mapping[str, Any] | None) -> str | None:
    """The API's payload hash in a runs row's ``metadata`` column (the v2 digest when there is one), or None."""
    user = (stored_metadata or {}).get("metadata")
    reserved = user.get(API_METADATA_KEY) if isinstance(user, dict) else None
    if not isinstance(reserved, dict):
        return None
    value = reserved.get(DIGEST_KEY, reserved.get(LEGACY_DIGEST_KEY))
    return value if isinstance(value, str) else None


def control_row(batch_id: str, control: ControlResult) -> dict[str, Any]:
    """The controls row of a warmup result."""
    return {
        "batch_id": batch_id,
        "suite": control.suite,
        "scenario": control.scenario,
        "passed": control.passed,
        "ran_at": control.ran_at,
        "commands": [c.model_dump(mode="json") for c in control.commands],
        "tests": None
        if control.tests is None and not control.failed_tests
        else {
            "summary": control.tests.model_dump() if control.tests is not None else None,
            "failed_tests": control.failed_tests,
        },
    }


def control_from_row(row: Mapping[Any, Any]) -> ControlResult:
    """The ControlResult of a controls row."""
    tests = row["tests"] or {}
    return ControlResult(
        suite=row["suite"],
        scenario=row["scenario"],
        passed=row["passed"],
        ran_at=row["ran_at"],
        commands=[CommandResult.model_validate(c) for c in row["commands"] or []],
        tests=TestSummary.model_validate(tests["summary"]) if tests.get("summary") else None,
        failed_tests=list(tests.get("failed_tests") or []),
    )
