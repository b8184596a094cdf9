"""The agent contract: what a run gives an agent, and what the agent gives back.

Built-in agents (echo, oracle) and plug-ins (entry point group ``zebench.agents``) implement
:class:`Agent`. An entry point names a class or factory called with one :class:`AgentOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.model_calls import ModelProvider, Wire
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
    # The model gateway (zebench.gateway), for agents that reach a model through it.
    max_model_calls: int | None = Field(default=None, ge=1)
    provider_tools: list[str] = Field(default_factory=list)  # provider-side tools granted ("all": every one)
    pin_generation: dict[str, Any] | None = (
        None  # temperature, top_p, max_tokens, reasoning_effort, thinking_budget
    )
    model_aliases: dict[str, str] = Field(default_factory=dict)  # agent's model name -> model sent upstream
    # The tool-loop agents: prompt-cache breakpoints on Anthropic's wire (OpenAI and Gemini cache by
    # themselves), and the context budget in tokens beyond which old tool outputs are trimmed
    # (zebench.agents.context; None: never, so the model sees every output as the agent got it).
    prompt_cache: bool = True
    context_budget: int | None = Field(default=None, ge=1000, le=2_000_000)
    extra: dict[str, Any] = Field(default_factory=dict)


class ModelAccess(BaseModel):
    """What an agent declares when it needs a model (see :meth:`Agent.model_access`).

    The pipeline then starts a model gateway for the run, forwarding to ``provider`` with the
    harness's key, and fills :attr:`AgentTask.model_endpoint`. ``runs_in`` says where the agent's
    model client runs: ``"sandbox"`` (a CLI started through the run's command runner: it gets a URL
    on the sandbox's own loopback) or ``"harness"`` (in zebench's process, like the tool-loop agents).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: ModelProvider
    wires: tuple[Wire, ...]
    runs_in: Literal["sandbox", "harness"] = "sandbox"
    base_url: str | None = None  # the upstream's URL; default: <PROVIDER>_BASE_URL, else the public API
    model_aliases: dict[str, str] = Field(default_factory=dict)  # the agent's side models -> model under test


class ModelEndpoint(BaseModel):
    """Where an agent reaches its model: the run's gateway, as seen from where the agent runs.

    ``base_url`` is the root (``http://127.0.0.1:PORT``): inside the sandbox a port on the sandbox's
    own loopback, forwarded to the gateway; under ``--sandbox none`` or for agents running in the
    harness, the gateway's TCP port on the host. ``api_key`` is a per-run placeholder the gateway
    checks and replaces with the real key: no API key ever reaches the agent.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str
    api_key: str
    model: str | None = None
    wires: tuple[Wire, ...] = ()

    @property
    def anthropic_base_url(self) -> str:
        """For ANTHROPIC_BASE_URL and the anthropic SDK (they add ``/v1/messages``)."""
        return self.base_url

    @property
    def openai_base_url(self) -> str:
        """For OPENAI_BASE_URL and the openai SDK (``/chat/completions``, ``/responses`` follow)."""
        return self.base_url + "/v1"

    @property
    def gemini_base_url(self) -> str:
        """For GOOGLE_GEMINI_BASE_URL and google-genai (they add ``/v1beta/models/...``)."""
        return self.base_url

    def url_for(self, wire: Wire) -> str:
        """The base URL a client of ``wire`` is configured with."""
        if wire in ("openai-chat", "openai-responses"):
            return self.openai_base_url
        return self.base_url


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
    # Filled by the pipeline for agents whose model_access() declares a model (None otherwise).
    model_endpoint: ModelEndpoint | None = None
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
    # The usage the agent itself reported (a CLI's own output or logs), for comparison with the
    # gateway's record; None when it reports none. When the run went through a gateway, the run's
    # telemetry comes from the gateway and this figure is stored beside it, a mismatch flagged.
    reported_usage: TokenUsage | None = None
    reported_cost_usd: float | None = None
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


def model_access_of(agent: object) -> ModelAccess | None:
    """What ``agent`` declares through its optional ``model_access()`` method (None: no model).

    An agent needing a model implements ``def model_access(self) -> ModelAccess | None``; it is
    optional so that plug-ins and the built-in test agents need nothing.
    """
    method = getattr(agent, "model_access", None)
    if not callable(method):
        return None
    access = method()
    return access if isinstance(access, ModelAccess) else None
