"""The agent contract: what a run gives an agent, and what the agent gives back.

Built-in agents (echo, oracle) and plug-ins (entry point group ``zebench.agents``) implement
:class:`Agent`. An entry point names a class or factory called with one :class:`AgentOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.models import CostKind, TokenUsage
from zebench.results.trajectory import Trajectory

if TYPE_CHECKING:
    from zebench.scenarios.model import Scenario
    from zebench.tools.toolbox import Toolbox

AgentStatus = Literal["completed", "failed", "budget_exceeded", "infra_error", "timed_out"]


class AgentOptions(BaseModel):
    """How the user configured the agent on the command line or in a plan. Immutable per run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    base_url: str | None = None
    max_turns: int = 50
    max_tokens: int = 8192  # per LLM call
    max_tokens_total: int | None = None
    max_cost_usd: float | None = None
    time_limit_s: float | None = None
    temperature: float | None = None
    record_dir: Path | None = None
    replay_dir: Path | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


@dataclass
class AgentTask:
    """One run's work for an agent. Each run gets its own task, tools and trajectory: no shared state."""

    run_id: str
    prompt: str
    workspace: Path
    scenario: Scenario
    tier: str
    tools: Toolbox
    trajectory: Trajectory
    system_prompt: str | None = None
    model: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class AgentResult(BaseModel):
    """What the agent reports when it stops."""

    model_config = ConfigDict(extra="forbid")

    status: AgentStatus = "completed"
    reason: str | None = None  # why it did not complete, e.g. "budget exceeded: max_turns=50"
    final_message: str = ""
    model: str | None = None  # the model actually used
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float | None = None
    cost_kind: CostKind | None = None
    turns: int = 0
    metadata: dict[str, Any] = Field(default_factory=dict)


@runtime_checkable
class Agent(Protocol):
    """An agent under test. ``run`` edits files in ``task.workspace`` and returns an :class:`AgentResult`.

    It must not raise for ordinary agent failures: report them in the result. Raising is treated as
    an agent crash and the run is stored as ``failed`` with the exception as its reason.
    """

    name: str

    def run(self, task: AgentTask) -> AgentResult: ...
