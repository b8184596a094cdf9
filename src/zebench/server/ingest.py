"""Turn accepted payloads into zebench records, and decide what a re-submitted run means.

Idempotency by ``runId`` rests on a canonical hash of the record, kept in the run's metadata under
:data:`RESERVED_KEY` (stripped again on every read). The same record again is a duplicate, a
different one is a conflict, except that a run stored as ``running`` may be replaced by its final
version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from zebench.results.models import (
    BatchRecord,
    CommandResult,
    ControlResult,
    DependencyChange,
    EvaluationResult,
    FileChange,
    RunRecord,
    RunStatus,
    Telemetry,
    TokenUsage,
    utcnow,
)
from zebench.server.schemas import (
    CommandResultIn,
    EvaluationIn,
    SubmitBatchPayload,
    SubmitControlPayload,
    SubmitRunPayload,
    TelemetryIn,
    TokenUsageIn,
)
from zebench.store.codec import API_METADATA_KEY

RESERVED_KEY = API_METADATA_KEY  # metadata key owned by the server; clients cannot set it
DEFAULT_BATCH_ID = "unbatched"  # the original allowed runs without a batch

Outcome = Literal["created", "duplicate", "replaced", "conflict"]


def _tokens(payload: TokenUsageIn | None) -> TokenUsage:
    return TokenUsage() if payload is None else TokenUsage(**payload.model_dump())


def _evaluation(e: EvaluationIn) -> EvaluationResult:
    details = e.details if isinstance(e.details, dict) else ({} if e.details is None else {"text": e.details})
    passed = e.passed
    if passed is None:
        # The original had no pass flag; full marks is the only reading that invents nothing.
        passed = e.score is not None and e.score >= e.max_score
    return EvaluationResult(
        name=e.name or e.evaluator_name or "",
        status=e.status,
        score=e.score,
        max_score=e.max_score,
        weight=e.weight,
        required=e.required,
        passed=passed,
        summary=e.summary,
        details=details,
    )


def _telemetry(t: TelemetryIn | None) -> Telemetry:
    if t is None:
        return Telemetry()
    tokens = _tokens(t.tokens)
    if t.tokens is None:
        tokens = TokenUsage(input=t.tokens_in or 0, output=t.tokens_out or 0)
    return Telemetry(
        duration_ms=t.duration_ms,
        agent_duration_ms=t.agent_duration_ms,
        tool_calls=t.tool_calls,
        tool_call_counts=dict(t.tool_call_counts),
        turns=t.turns,
        tokens=tokens,
        cost_usd=t.cost_usd,
        cost_kind=t.cost_kind,
        judge_tokens=_tokens(t.judge_tokens),
        judge_cost_usd=t.judge_cost_usd,
        workspace_dir=t.workspace_dir,
    )


def _command(c: CommandResultIn) -> CommandResult:
    return CommandResult(**c.model_dump())


def run_from_payload(p: SubmitRunPayload) -> RunRecord:
    """Map either payload shape onto a :class:`RunRecord` (without the server's hash yet)."""
    metadata = dict(p.metadata or {})
    metadata.pop(RESERVED_KEY, None)
    compat = {
        key: value
        for key, value in (
            ("weightedScore", p.weighted_score),
            ("successMetric", p.success_metric),
            ("specialistEnabled", p.specialist_enabled),
        )
        if value is not None
    }
    if compat:
        metadata[RESERVED_KEY] = compat
    prompt = (
        p.prompt_sent if p.prompt_sent is not None else (p.telemetry.prompt_sent if p.telemetry else None)
    )
    return RunRecord(
        run_id=p.run_id,
        batch_id=p.batch_id or DEFAULT_BATCH_ID,
        suite=p.suite,
        scenario=p.scenario,
        tier=p.tier,
        agent=p.agent,
        model=p.model,
        status=p.status,
        reason=p.reason,
        started_at=p.started_at,
        completed_at=p.completed_at,
        total_score=p.total_score,
        success_threshold=p.success_threshold,
        is_successful=p.is_successful,
        attempt=p.attempt,
        specialist_name=p.specialist_name,
        specialist_version=p.specialist_version,
        prompt_sent=prompt,
        evaluations=[_evaluation(e) for e in p.evaluations],
        telemetry=_telemetry(p.telemetry),
        validation=[_command(c) for c in p.validation],
        changed_files=[FileChange(**f.model_dump()) for f in p.changed_files],
        dependency_changes=[DependencyChange(**d.model_dump()) for d in p.dependency_changes],
        oracle_questions=[dict(q) for q in p.oracle_questions],
        metadata=metadata,
        artifacts=dict(p.artifacts),
    )


def batch_from_payload(p: SubmitBatchPayload) -> BatchRecord:
    return BatchRecord(
        batch_id=p.batch_id,
        created_at=p.created_at or utcnow(),
        completed_at=p.completed_at,
        metadata=dict(p.metadata or {}),
    )


def control_from_payload(p: SubmitControlPayload) -> ControlResult:
    return ControlResult(
        suite=p.suite,
        scenario=p.scenario,
        passed=p.passed,
        commands=[_command(c) for c in p.commands],
        ran_at=p.ran_at or utcnow(),
    )


def content_hash(run: RunRecord, *, with_artifacts: bool = True) -> str:
    """A canonical SHA-256 of the record, ignoring the server's own metadata entry."""
    data = run.model_dump(mode="json", exclude={"artifacts"} if not with_artifacts else None)
    meta = dict(data.get("metadata") or {})
    compat = dict(meta.pop(RESERVED_KEY, None) or {})
    compat.pop("payloadSha256", None)
    if compat:
        meta[RESERVED_KEY] = compat
    data["metadata"] = meta
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stamp(run: RunRecord, digest: str | None = None) -> RunRecord:
    """The record with its content hash (``digest`` if already computed) in the reserved metadata entry."""
    metadata = dict(run.metadata)
    reserved = dict(metadata.get(RESERVED_KEY) or {})
    reserved["payloadSha256"] = digest or content_hash(run)
    metadata[RESERVED_KEY] = reserved
    return run.model_copy(update={"metadata": metadata})


def classify(new: RunRecord, stored: RunRecord | None) -> Outcome:
    """What submitting ``new`` means given the run already stored under its id (if any)."""
    if stored is None:
        return "created"
    reserved: dict[str, Any] = stored.metadata.get(RESERVED_KEY) or {}
    stored_hash = reserved.get("payloadSha256")
    if stored_hash is not None:
        same = stored_hash == content_hash(new)
    else:
        # Written by a local CLI to a shared database: no hash, and artifacts are not loaded by get_run.
        same = content_hash(stored, with_artifacts=False) == content_hash(new, with_artifacts=False)
    if same:
        return "duplicate"
    if stored.status == RunStatus.RUNNING:
        return "replaced"
    return "conflict"


def classify_stored(new_hash: str, stored_status: str, stored_hash: str) -> Outcome:
    """``classify`` from a stored run's fingerprint (status, payload hash) and the new run's hash."""
    if stored_hash == new_hash:
        return "duplicate"
    if stored_status == RunStatus.RUNNING.value:
        return "replaced"
    return "conflict"
