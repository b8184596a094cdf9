"""Payload builders for the API tests: the original Worker's shape and zebench's own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from zebench.client.wire import to_wire
from zebench.results import CommandResult, EvaluationResult, FileChange, RunRecord, Telemetry, TokenUsage

WRITE_KEY = "test-write-key"
READ_KEY = "test-read-key"


def original_payload(run_id: str = "run_orig_1", **overrides: Any) -> dict[str, Any]:
    """The original Worker's SubmitResultsPayload, as the TypeScript harness sent it."""
    body: dict[str, Any] = {
        "runId": run_id,
        "batchId": "batch_orig",
        "suite": "nx",
        "scenario": "upgrade",
        "tier": "L1",
        "agent": "claude-code",
        "model": "claude-sonnet-4.5",
        "status": "completed",
        "startedAt": "2025-01-02T03:04:05.000Z",
        "completedAt": "2025-01-02T03:09:05.000Z",
        "totalScore": 0.85,  # a fraction (the weighted score was 0..10)
        "weightedScore": 8.2,
        "isSuccessful": True,
        "successMetric": 0.82,
        "specialistEnabled": True,
        "specialistName": "nx-expert",
        "specialistVersion": "1.2.0",
        "metadata": {"diffSummary": ["a.ts"], "packageManager": "pnpm"},
        "evaluations": [
            {"evaluatorName": "install", "score": 1, "maxScore": 1, "details": "ok"},
            {"evaluatorName": "llm_judge", "score": 0.7, "maxScore": 1},
        ],
        "telemetry": {
            "toolCalls": 12,
            "tokensIn": 1000,
            "tokensOut": 200,
            "costUsd": 0.05,
            "durationMs": 300000,
            "workspaceDir": "/tmp/ws",
            "promptSent": "Upgrade nx please",
        },
    }
    body.update(overrides)
    return body


def rich_run(run_id: str = "run_rich_1", **overrides: Any) -> RunRecord:
    """A RunRecord using every field."""
    fields: dict[str, Any] = dict(
        run_id=run_id,
        batch_id="batch_rich",
        suite="examples",
        scenario="fix-tests",
        tier="L0",
        agent="echo",
        model="fake-1",
        status="completed",
        started_at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        completed_at=datetime(2025, 3, 1, 12, 5, tzinfo=UTC),
        total_score=0.9,
        is_successful=True,
        specialist_name="py-expert",
        specialist_version="0.1",
        prompt_sent="Fix the tests",
        evaluations=[
            EvaluationResult(name="tests", score=1.0, weight=2.0, required=True, passed=True, summary="3/3"),
            EvaluationResult(name="judge", status="skipped"),
        ],
        telemetry=Telemetry(
            duration_ms=300_000,
            tool_calls=4,
            tokens=TokenUsage(input=10, output=20, cache_read=30, cache_write=40),
            cost_usd=0.01,
            cost_kind="measured",
            judge_tokens=TokenUsage(input=1),
            judge_cost_usd=0.001,
        ),
        validation=[
            CommandResult(name="test", kind="test", command="pytest", exit_code=0, stdout="3 passed")
        ],
        changed_files=[FileChange(path="src/a.py", change="modified")],
        oracle_questions=[{"question": "why?", "answer": "because"}],
        metadata={"note": "x"},
        artifacts={"diff": "--- a\n+++ b\n", "trajectory": '{"steps": []}'},
    )
    fields.update(overrides)
    return RunRecord(**fields)


def rich_payload(run_id: str = "run_rich_1", **overrides: Any) -> dict[str, Any]:
    """zebench's own shape (what zebench.client sends): a camelCase RunRecord."""
    body = to_wire(rich_run(run_id))
    body.update(overrides)
    return body
