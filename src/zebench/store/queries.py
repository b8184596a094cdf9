"""What the store answers: run summaries, pages, batch details with breakdowns, stats.

The CLI, the HTTP API, the dashboard and the mint all read through these shapes, whether the store
is a local database or a remote results server.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.models import ControlResult, RunStatus

RunSort = Literal[
    "-started_at",
    "started_at",
    "-total_score",
    "total_score",
    "-duration_ms",
    "duration_ms",
    "-cost_usd",
    "cost_usd",
]

# What scenario_stats groups by: (suite, scenario, tier), or suite alone.
ScenarioLevel = Literal["scenario", "suite"]

# The kinds of stored ids a shortened id can stand for.
IdKind = Literal["run", "batch"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunFilters(_Model):
    suite: str | None = None
    scenario: str | None = None
    tier: str | None = None
    agent: str | None = None
    model: str | None = None
    status: RunStatus | None = None
    batch_id: str | None = None
    specialist: str | None = None  # a name, or "none" for baseline runs, or "any"
    successful: bool | None = None


class EvaluationBrief(_Model):
    """One evaluator's outcome for a run, as listed with a batch (``get_batch(with_evaluations=True)``)."""

    name: str
    status: str  # scored, skipped or error
    score: float | None = None
    passed: bool = False
    summary: str = ""  # the evaluator's one line (the error message when status is "error")


class RunSummary(_Model):
    """One run as listed: the row plus its headline telemetry."""

    run_id: str
    batch_id: str
    suite: str
    scenario: str
    tier: str
    agent: str
    model: str | None = None
    status: RunStatus
    reason: str | None = None
    started_at: datetime
    completed_at: datetime | None = None
    total_score: float | None = None
    success_threshold: float = 0.7
    is_successful: bool = False
    attempt: int = 1
    specialist_name: str | None = None
    specialist_version: str | None = None
    duration_ms: int | None = None
    cost_usd: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    tool_calls: int | None = None
    # Filled only by get_batch(..., with_evaluations=True); None means "not loaded", not "none".
    evaluations: list[EvaluationBrief] | None = None


class RunPage(_Model):
    items: list[RunSummary]
    next_cursor: str | None = None  # opaque; pass back to get the next page
    total: int | None = None


class ScoreStats(_Model):
    """Aggregates over a set of runs, computed from the runs themselves."""

    runs: int = 0
    successes: int = 0
    success_rate: float | None = None
    mean_score: float | None = None
    std_score: float | None = None
    min_score: float | None = None
    max_score: float | None = None
    mean_duration_ms: float | None = None
    total_cost_usd: float | None = None
    mean_cost_usd: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    status_counts: dict[str, int] = Field(default_factory=dict)
    # The LLM judge's spend (telemetry.judge_cost_usd), apart from total_cost_usd (the agent's).
    # None when no run has a judge cost, or when the answering server predates the field.
    judge_cost_usd: float | None = None


class BreakdownRow(ScoreStats):
    """Aggregates for one group: a scenario, a tier, an agent/model pair or an evaluator."""

    key: dict[str, str | None]  # e.g. {"suite": "examples", "scenario": "fix-tests"}


class BatchSummary(ScoreStats):
    batch_id: str
    created_at: datetime
    completed_at: datetime | None = None
    duration_ms: int | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class BatchPage(_Model):
    items: list[BatchSummary]
    next_cursor: str | None = None


class BatchDetail(_Model):
    summary: BatchSummary
    runs: list[RunSummary]
    by_scenario: list[BreakdownRow] = Field(default_factory=list)
    by_tier: list[BreakdownRow] = Field(default_factory=list)
    by_agent_model: list[BreakdownRow] = Field(default_factory=list)
    by_evaluator: list[BreakdownRow] = Field(default_factory=list)
    failed_runs: list[RunSummary] = Field(default_factory=list)  # not successful, with their reasons
    controls: list[ControlResult] = Field(default_factory=list)  # warmup results per scenario


class GlobalStats(ScoreStats):
    batches: int = 0
    score_histogram: list[int] = Field(default_factory=list)  # 10 buckets of 0.1 over total_score


class CostKindCount(_Model):
    """How many runs of one agent/model pair have a measured, estimated or unknown cost."""

    agent: str
    model: str | None = None
    # "measured", "estimated", "unknown" (no cost), or "unrecorded" (a cost without its kind)
    cost_kind: str
    runs: int = 0
    total_cost_usd: float | None = None


class IdMatches(_Model):
    """The stored ids a (possibly shortened) id can stand for: ``match_ids``'s answer.

    ``exact`` when ``query`` is itself a stored id (then ``ids`` is just that one); otherwise the
    ids that start or end with ``query``, newest first, at most the asked limit, and ``more`` when
    there were others.
    """

    kind: IdKind
    query: str
    exact: bool = False
    ids: list[str] = Field(default_factory=list)
    more: bool = False
