"""Turn accepted payloads into zebench records, and decide what a re-submitted run means.

Idempotency by ``runId`` rests on a canonical hash of the record, kept in the run's metadata under
:data:`RESERVED_KEY` (stripped again on every read). The same record again is a duplicate, a
different one is a conflict, except that a run stored as ``running`` may be replaced by its final
version.

Two hash versions exist. :func:`payload_digest` (v2, written now) hashes each artifact on its own
and the rest as canonical JSON, which costs a third of hashing the artifacts' escaped JSON text as
:func:`content_hash` (v1, written by earlier servers) does. A run stored with a v1 hash is compared
by its v1 hash, so a client re-sending it after an upgrade still gets "duplicate".
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from zebench.errors import NotFoundError
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
    TestSummary,
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
from zebench.store.base import ResultStore
from zebench.store.codec import API_METADATA_KEY, DIGEST_KEY, LEGACY_DIGEST_KEY

RESERVED_KEY = API_METADATA_KEY  # metadata key owned by the server; clients cannot set it
DEFAULT_BATCH_ID = "unbatched"  # the original allowed runs without a batch
DIGEST_PREFIX = "v2:"  # marks a payload_digest; v1 hashes are bare hex

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
        tests=TestSummary(**p.tests.model_dump()) if p.tests is not None else None,
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
        tests=TestSummary(**p.tests.model_dump()) if p.tests is not None else None,
        failed_tests=list(p.failed_tests),
    )


def _hashable(run: RunRecord, *, with_artifacts: bool) -> dict[str, Any]:
    """The record as JSON data, without the server's own hash entries."""
    data = run.model_dump(mode="json", exclude=None if with_artifacts else {"artifacts"})
    meta = dict(data.get("metadata") or {})
    compat = dict(meta.pop(RESERVED_KEY, None) or {})
    compat.pop(DIGEST_KEY, None)
    compat.pop(LEGACY_DIGEST_KEY, None)
    if compat:
        meta[RESERVED_KEY] = compat
    data["metadata"] = meta
    return data


def _sha256(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash(run: RunRecord, *, with_artifacts: bool = True) -> str:
    """The v1 hash: SHA-256 of the whole record as canonical JSON, ignoring the server's entries.

    Still needed to recognise runs stored by earlier servers, and (without artifacts, which
    ``get_run`` does not load) to compare with runs written by a local CLI.
    """
    return _sha256(_hashable(run, with_artifacts=with_artifacts))


def payload_digest(run: RunRecord) -> str:
    """The v2 hash, ``v2:<hex>``: canonical JSON of the record with each artifact replaced by the
    SHA-256 of its UTF-8 text, so the (large) artifacts are hashed as bytes, never JSON-escaped."""
    data = _hashable(run, with_artifacts=True)
    data["artifacts"] = {
        name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in run.artifacts.items()
    }
    return DIGEST_PREFIX + _sha256(data)


def same_content(run: RunRecord, digest: str, stored_hash: str) -> bool:
    """Whether ``run`` (v2 ``digest``) has the content a stored run's hash, of either version, stands for."""
    if stored_hash.startswith(DIGEST_PREFIX):
        return stored_hash == digest
    return stored_hash == content_hash(run)  # stored before v2


def stamp(run: RunRecord, digest: str | None = None) -> RunRecord:
    """The record with its v2 digest (``digest`` if already computed) in the reserved metadata entry."""
    metadata = dict(run.metadata)
    reserved = dict(metadata.get(RESERVED_KEY) or {})
    reserved.pop(LEGACY_DIGEST_KEY, None)
    reserved[DIGEST_KEY] = digest or payload_digest(run)
    metadata[RESERVED_KEY] = reserved
    return run.model_copy(update={"metadata": metadata})


def classify(new: RunRecord, stored: RunRecord | None, digest: str | None = None) -> Outcome:
    """What submitting ``new`` (v2 ``digest`` if computed) means given the run stored under its id."""
    if stored is None:
        return "created"
    reserved: dict[str, Any] = stored.metadata.get(RESERVED_KEY) or {}
    stored_hash = reserved.get(DIGEST_KEY, reserved.get(LEGACY_DIGEST_KEY))
    if isinstance(stored_hash, str):
        same = same_content(new, digest or payload_digest(new), stored_hash)
    else:
        # Written by a local CLI to a shared database: no hash, and artifacts are not loaded by get_run.
        same = content_hash(stored, with_artifacts=False) == content_hash(new, with_artifacts=False)
    return _outcome(same, stored.status.value)


def _outcome(same: bool, stored_status: str) -> Outcome:
    if same:
        return "duplicate"
    if stored_status == RunStatus.RUNNING.value:
        return "replaced"
    return "conflict"


Fingerprint = tuple[str, str | None]  # (status, payload hash or None) of a stored run


def decide(store: ResultStore, run: RunRecord, digest: str, stored: Fingerprint | None) -> Outcome:
    """What submitting ``run`` (v2 ``digest``) means given the stored run's fingerprint.

    Only a run written without the API (no payload hash: a local CLI on a shared database) is
    loaded whole, to compare its content.
    """
    if stored is None:
        return "created"
    status, stored_hash = stored
    if stored_hash is None:
        try:
            loaded: RunRecord | None = store.get_run(run.run_id)
        except NotFoundError:
            loaded = None
        return classify(run, loaded, digest)
    return _outcome(same_content(run, digest, stored_hash), status)
