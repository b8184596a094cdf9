"""The shapes of a run's model calls, as the model gateway (``zebench.gateway``) records them.

Every agent's tokens, cost and call timeline come from these records, measured the same way
for every agent. They are stored with the run as the ``model_calls`` artifact (a JSON list).
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from zebench.results.models import CostKind, TokenUsage

# The wire formats the gateway serves (and the fake LLM speaks).
Wire = Literal["anthropic-messages", "openai-chat", "openai-responses", "gemini"]
WIRES: tuple[Wire, ...] = ("anthropic-messages", "openai-chat", "openai-responses", "gemini")

# The providers a gateway forwards to (each with its own key from the harness's environment).
ModelProvider = Literal["anthropic", "openai", "openrouter", "google"]
PROVIDER_WIRES: dict[ModelProvider, tuple[Wire, ...]] = {
    "anthropic": ("anthropic-messages",),
    "openai": ("openai-chat", "openai-responses"),
    "openrouter": ("openai-chat",),
    "google": ("gemini",),
}

# Provider-side tools (they run at the provider: web search, code execution, MCP connectors...),
# by the names a scenario's ``model_gateway: {provider_tools: [...]}`` or ``--provider-tools`` grant.
PROVIDER_TOOLS = (
    "web_search",
    "web_fetch",
    "code_execution",
    "mcp",
    "file_search",
    "computer_use",
    "image_generation",
    "google_maps",
    "retrieval",
    "tool_search",
)
ALL_PROVIDER_TOOLS = "all"

# How a call failed: ``infra`` (429, 5xx, timeouts, connection errors: the provider, not the agent),
# ``rejected`` (the provider refused the request: another 4xx), ``budget`` (the gateway refused it:
# a run budget was spent), ``refused`` (not a model call the gateway serves), ``replay`` (a replayed
# run asked for a call the recording does not hold), ``interrupted`` (the agent hung up mid-reply).
ErrorClass = Literal["infra", "rejected", "budget", "refused", "replay", "interrupted"]

MODEL_CALLS_ARTIFACT = "model_calls"


class ModelUsage(TokenUsage):
    """Tokens of one model call, from the provider's own fields.

    ``input`` excludes cached tokens (``cache_read``, ``cache_write``), so each token is priced once.
    ``reasoning`` is the part of ``output`` spent on reasoning: it is *inside* ``output`` and so not
    added to :attr:`total`. ``cache_write_1h`` is likewise the part of ``cache_write`` written with
    Anthropic's 1-hour lifetime, which is priced higher than a 5-minute write.
    """

    reasoning: int = 0
    cache_write_1h: int = 0

    def plus(self, other: TokenUsage) -> ModelUsage:
        """The sum, keeping reasoning tokens (``+`` on TokenUsage drops them)."""
        return ModelUsage(
            input=self.input + other.input,
            output=self.output + other.output,
            cache_read=self.cache_read + other.cache_read,
            cache_write=self.cache_write + other.cache_write,
            reasoning=self.reasoning + getattr(other, "reasoning", 0),
            cache_write_1h=self.cache_write_1h + getattr(other, "cache_write_1h", 0),
        )

    def tokens(self) -> TokenUsage:
        """The plain TokenUsage (what run telemetry stores)."""
        return TokenUsage(
            input=self.input, output=self.output, cache_read=self.cache_read, cache_write=self.cache_write
        )


class GenerationSettings(BaseModel):
    """The generation settings a call went upstream with, after any pinning."""

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None  # max_tokens / max_completion_tokens / max_output_tokens / maxOutputTokens
    reasoning_effort: str | None = None  # OpenAI reasoning effort, Gemini thinking level
    thinking_budget: int | None = None  # Anthropic thinking.budget_tokens, Gemini thinkingBudget
    pinned: list[str] = Field(default_factory=list)  # which of these the gateway set (--pin-generation)


class ModelCall(BaseModel):
    """One request an agent sent to the gateway, and what came of it."""

    model_config = ConfigDict(extra="forbid")

    index: int  # 1-based, in arrival order
    wire: Wire
    provider: ModelProvider | None = None  # the upstream it went to (None: refused before that)
    path: str  # the route, e.g. /v1/messages (query strings, which may hold keys, are dropped)
    stream: bool = False
    model_requested: str | None = None  # the name the agent asked for
    model: str | None = None  # the name sent upstream, after aliases
    model_served: str | None = None  # the name the provider answered with
    status: int | None = None  # the HTTP status the agent received
    started_at: float  # unix seconds
    latency_ms: int = 0  # until the last byte of the reply
    first_byte_ms: int | None = None
    usage: ModelUsage = Field(default_factory=ModelUsage)
    cost_usd: float | None = None
    cost_kind: CostKind | None = None
    settings: GenerationSettings = Field(default_factory=GenerationSettings)
    withheld_tools: list[str] = Field(default_factory=list)  # provider-side tools taken out
    error_class: ErrorClass | None = None
    error: str | None = None
    replayed: bool = False


_CALLS = TypeAdapter(list[ModelCall])


def calls_to_json(calls: list[ModelCall]) -> str:
    """The ``model_calls`` artifact text."""
    return json.dumps([c.model_dump(mode="json") for c in calls], ensure_ascii=False)


def calls_from_json(text: str | None) -> list[ModelCall]:
    """The calls of a ``model_calls`` artifact; [] when absent or not that shape."""
    if not text:
        return []
    try:
        return _CALLS.validate_json(text)
    except ValidationError:
        return []


def sum_usage(calls: list[ModelCall]) -> ModelUsage:
    """Every call's tokens added up."""
    total = ModelUsage()
    for call in calls:
        total = total.plus(call.usage)
    return total
