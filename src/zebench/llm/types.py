"""Provider-neutral LLM request and response shapes, and the client protocol.

The agent loop, the LLM judge and template enrichment speak only these types; the adapters in
``zebench.llm`` translate them to the Anthropic Messages API and to OpenAI Chat Completions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from zebench.errors import AgentConfigError
from zebench.results.models import CostKind, TokenUsage

Provider = Literal["anthropic", "openai", "openrouter"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolDefinition(_Model):
    """A tool offered to the model, with its full JSON schema (never stripped)."""

    name: str
    description: str
    parameters: dict[str, Any]


class TextBlock(_Model):
    type: Literal["text"] = "text"
    text: str


class ToolUseBlock(_Model):
    type: Literal["tool_use"] = "tool_use"
    id: str
    name: str
    input: dict[str, Any] = Field(default_factory=dict)
    # Set when the provider sent arguments that are not a JSON object; the loop reports it to the model
    # instead of calling the tool with made-up arguments.
    parse_error: str | None = None


class ToolResultBlock(_Model):
    type: Literal["tool_result"] = "tool_result"
    tool_use_id: str
    content: str
    is_error: bool = False


ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock


class LLMMessage(_Model):
    """A conversation turn. Tool results travel in a ``user`` message of ToolResultBlocks."""

    role: Literal["user", "assistant"]
    content: str | list[ContentBlock]


class LLMRequest(_Model):
    model: str
    messages: list[LLMMessage]
    system: str | None = None
    tools: list[ToolDefinition] = Field(default_factory=list)
    max_tokens: int = 8192
    temperature: float | None = None
    json_mode: bool = False  # ask for a JSON object reply where the provider supports it
    # Mark prompt-cache breakpoints where the provider wants them marked (Anthropic): for a
    # conversation that grows over many requests. A one-off request (the judge) gains nothing.
    prompt_cache: bool = False


class LLMResponse(_Model):
    text: str = ""
    tool_calls: list[ToolUseBlock] = Field(default_factory=list)
    stop_reason: str | None = None
    model: str
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float | None = None
    cost_kind: CostKind | None = None
    duration_ms: int = 0


class RetryEvent(_Model):
    """Reported before each retry wait, so the progress line can show it."""

    attempt: int
    wait_s: float
    reason: str  # e.g. "429 rate limited", "503", "connection error"


RetryCallback = Callable[[RetryEvent], None]


class LLMUnavailableError(Exception):
    """The provider kept failing after every retry: an infrastructure error, not an agent failure."""


class LLMRequestError(Exception):
    """The provider rejected the request (a 4xx other than 408/409/429): retrying would not help."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class MissingAPIKeyError(AgentConfigError):
    """The provider's API key is not in the environment or .env."""


class LLMClient(Protocol):
    """One provider connection. Safe to use from one run; create one per run."""

    provider: Provider

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Send one request; retries transient failures; raises LLMUnavailableError when exhausted."""
        ...
