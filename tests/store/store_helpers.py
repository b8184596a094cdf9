"""Builders of fully populated result records for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from zebench.results.models import (
    CommandResult,
    DependencyChange,
    EvaluationResult,
    FileChange,
    RunRecord,
    RunStatus,
    Telemetry,
    TokenUsage,
)

T0 = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def full_run(**overrides: Any) -> RunRecord:
    """A run with every field populated (non-default values everywhere)."""
    fields: dict[str, Any] = dict(
        run_id="run_full_1",
        batch_id="batch_full",
        suite="examples",
        scenario="fix-tests",
        tier="L2",
        agent="anthropic",
        model="claude-sonnet",
        status=RunStatus.COMPLETED,
        reason="score below threshold",
        started_at=T0,
        completed_at=T0 + timedelta(seconds=93, microseconds=7),
        total_score=0.6543,
        success_threshold=0.75,
        is_successful=False,
        attempt=2,
        specialist_name="next-expert",
        specialist_version="1.2.3",
        prompt_sent="SYSTEM: be good\nUSER: fix the tests ✓",
        evaluations=[
            EvaluationResult(
                name="tests", status="scored", score=0.5, max_score=1.0, weight=2.0, required=True,
                passed=False, summary="3/6 passed", details={"passed": 3, "failed": ["a", "b"], "nested": {"x": 1.5}},
            ),
            EvaluationResult(name="judge", status="skipped", score=None, weight=0.5, summary="no key"),
            EvaluationResult(name="lint", status="error", score=0.0, passed=False, details={"error": "boom"}),
        ],
        telemetry=Telemetry(
            duration_ms=93_000, agent_duration_ms=80_000, tool_calls=17, tool_call_counts={"read": 10, "bash": 7},
            turns=9, tokens=TokenUsage(input=5_000_000_000, output=2345, cache_read=10, cache_write=20),
            cost_usd=1.2345, cost_kind="estimated", judge_tokens=TokenUsage(input=7, output=8, cache_read=9, cache_write=1),
            judge_cost_usd=0.01, workspace_dir="/tmp/ws/1",
        ),
        validation=[
            CommandResult(name="test", kind="test", command="pytest -q", exit_code=1, stdout="F" * 500,
                          stderr="err", duration_ms=1234, timed_out=False, truncated=True),
            CommandResult(name="build", kind="build", command="make", exit_code=None, timed_out=True, error="killed"),
        ],
        changed_files=[
            FileChange(path="src/a.py", change="modified"),
            FileChange(path="src/b.py", change="renamed", old_path="src/old_b.py"),
            FileChange(path="img.png", change="added", binary=True),
        ],
        dependency_changes=[
            DependencyChange(file="package.json", section="dependencies", name="react", before="18.0.0", after="18.2.0")
        ],
        oracle_questions=[{"question": "which db?", "answer": "sqlite"}],
        metadata={"package_manager": "pnpm", "numbers": [1, 2.5, None], "flag": True},
        artifacts={"diff": "--- a\n+++ b\n" * 50, "trajectory": '{"steps": []}'},
    )  # fmt: skip
    fields.update(overrides)
    return RunRecord(**fields)


def simple_run(run_id: str, **overrides: Any) -> RunRecord:
    """A small completed run; override what the test cares about."""
    fields: dict[str, Any] = dict(
        run_id=run_id, batch_id="b1", suite="s1", scenario="sc1", tier="L1", agent="echo", model="m1",
        status=RunStatus.COMPLETED, started_at=T0, completed_at=T0 + timedelta(seconds=10), total_score=0.5,
        is_successful=False,
    )  # fmt: skip
    fields.update(overrides)
    return RunRecord(**fields)
