"""Pydantic models for everything a run produces."""

from __future__ import annotations

import secrets
import string
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.scores import out_of_ten

_ALPHABET = string.ascii_lowercase + string.digits


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_run_id() -> str:
    """A fresh run id, ``run_<unix-ms>_<random>``; sortable by creation time."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"run_{int(time.time() * 1000)}_{suffix}"


def new_batch_id() -> str:
    """A fresh batch id, ``batch_<unix-ms>``."""
    return f"batch_{int(time.time() * 1000)}"


class RunStatus(StrEnum):
    """How a run ended. Only ``completed`` runs went through every stage; all are stored."""

    COMPLETED = "completed"
    FAILED = "failed"  # the pipeline could not finish: agent crash, solution did not apply, ...
    TIMED_OUT = "timed_out"
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM
    BUDGET_EXCEEDED = "budget_exceeded"  # a turn, token, cost or time budget stopped the agent
    INFRA_ERROR = "infra_error"  # the provider or the machine failed, not the agent
    RUNNING = "running"


CommandKind = Literal["install", "build", "lint", "typecheck", "test", "custom"]
CostKind = Literal["measured", "estimated"]
EvaluationStatus = Literal["scored", "skipped", "error"]
ArtifactName = Literal[
    "diff", "trajectory", "validation", "control", "agent_output", "judge", "recording", "tests"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class CommandResult(_Model):
    """One shell command that ran: validation, heuristic, warmup or agent tool."""

    name: str
    kind: CommandKind = "custom"
    command: str
    exit_code: int | None = None  # None when the process never started or was killed on timeout
    stdout: str = ""
    stderr: str = ""
    duration_ms: int = 0
    timed_out: bool = False
    truncated: bool = False  # stdout or stderr hit the output cap
    error: str | None = None  # why it could not run, e.g. "command not found"
    network: bool | None = None  # whether it could reach the network; None in records from before

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and self.error is None


class TestSummary(_Model):
    """A run's per-test results in numbers: counts per status and, when the scenario has F2P/P2P
    lists, how many of each pass and whether the run is resolved (SWE-bench's rules)."""

    __test__ = False  # not a pytest test class, despite the name

    passed: int = 0  # xfail included
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    f2p_passed: int | None = None
    f2p_total: int | None = None
    p2p_passed: int | None = None
    p2p_total: int | None = None
    resolved: bool | None = None  # None: the scenario has no F2P/P2P lists

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped


class ControlResult(_Model):
    """The warmup: validation commands, hidden tests included, on a pristine copy of the fixture,
    once per batch and scenario. ``failed_tests`` names the tests failing there (the F2P tests,
    for a bug scenario), up to :data:`CONTROL_FAILED_TESTS_CAP`."""

    suite: str
    scenario: str
    commands: list[CommandResult] = Field(default_factory=list)
    passed: bool
    ran_at: datetime = Field(default_factory=utcnow)
    tests: TestSummary | None = None
    failed_tests: list[str] = Field(default_factory=list)


CONTROL_FAILED_TESTS_CAP = 200


class EvaluationResult(_Model):
    """The outcome of one evaluator. ``score`` is None when the evaluator was skipped."""

    name: str
    status: EvaluationStatus = "scored"
    score: float | None = None  # 0..1
    max_score: float = 1.0
    weight: float = 1.0
    required: bool = False
    passed: bool = False
    summary: str = ""  # one line for tables
    details: dict[str, Any] = Field(default_factory=dict)


class TokenUsage(_Model):
    """Tokens of one LLM call or a sum of calls."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            input=self.input + other.input,
            output=self.output + other.output,
            cache_read=self.cache_read + other.cache_read,
            cache_write=self.cache_write + other.cache_write,
        )

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_read + self.cache_write


class Telemetry(_Model):
    """What a run cost: time, tokens, money and tool calls. The judge's share is kept apart."""

    duration_ms: int = 0
    agent_duration_ms: int = 0
    tool_calls: int = 0
    tool_call_counts: dict[str, int] = Field(default_factory=dict)
    turns: int = 0
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float | None = None  # None: unknown model price, never a silent 0
    cost_kind: CostKind | None = None
    judge_tokens: TokenUsage = Field(default_factory=TokenUsage)
    judge_cost_usd: float | None = None
    workspace_dir: str | None = None


class FileChange(_Model):
    """A file the agent added, modified, deleted or renamed, from ``git diff --name-status``."""

    path: str
    change: Literal["added", "modified", "deleted", "renamed", "typechange"]
    old_path: str | None = None
    binary: bool = False


class DependencyChange(_Model):
    """A dependency version that changed in package.json, pyproject.toml or requirements*.txt."""

    file: str
    section: str
    name: str
    before: str | None = None
    after: str | None = None


class RunRecord(_Model):
    """Everything stored about one run. Failed, timed-out and interrupted runs are records too."""

    run_id: str = Field(default_factory=new_run_id)
    batch_id: str
    suite: str
    scenario: str
    tier: str
    agent: str
    model: str | None = None
    status: RunStatus = RunStatus.RUNNING
    reason: str | None = None  # why a non-completed run ended, or why it did not succeed
    started_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    total_score: float | None = None  # 0..1, Σ(score × weight) / Σ(weights of evaluators that ran)
    success_threshold: float = 0.7
    is_successful: bool = False
    attempt: int = 1
    specialist_name: str | None = None
    specialist_version: str | None = None
    prompt_sent: str | None = None  # the exact prompt (and system prompt) the agent received
    evaluations: list[EvaluationResult] = Field(default_factory=list)
    telemetry: Telemetry = Field(default_factory=Telemetry)
    validation: list[CommandResult] = Field(default_factory=list)
    changed_files: list[FileChange] = Field(default_factory=list)
    dependency_changes: list[DependencyChange] = Field(default_factory=list)
    oracle_questions: list[dict[str, str]] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    tests: TestSummary | None = None  # per-test counts and F2P/P2P outcome; the ids are the "tests" artifact
    # Large texts (diff, trajectory JSON, logs) travel with the record but are stored as compressed blobs.
    artifacts: dict[str, str] = Field(default_factory=dict)

    @property
    def specialist_enabled(self) -> bool:
        return self.specialist_name is not None

    @property
    def score_out_of_ten(self) -> float | None:
        return out_of_ten(self.total_score)  # rounded down: a failing run never shows 10/10


class BatchRecord(_Model):
    """A group of runs. Aggregates are always computed from the runs, never cached."""

    batch_id: str = Field(default_factory=new_batch_id)
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)  # the plan: suites, tiers, agents, iterations...
