"""One interface over the Anthropic and OpenAI SDKs: retries, pricing, record and replay.

Import the pieces from their modules (``zebench.llm.client.create_client`` and so on) or from here.
Nothing is imported eagerly, not even the contract's pydantic models: ``zebench.llm.redact`` scrubs
every run's records, LLM agent or not, and ``zebench.llm.fake`` must stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zebench._lazy import load_lazy

if TYPE_CHECKING:
    from zebench.llm.client import create_client
    from zebench.llm.models import ModelInfo, list_models
    from zebench.llm.pricing import PricingTable, price_for
    from zebench.llm.recording import Recorder, Recording
    from zebench.llm.redact import redact
    from zebench.llm.types import (
        LLMClient,
        LLMMessage,
        LLMRequest,
        LLMRequestError,
        LLMResponse,
        LLMUnavailableError,
        MissingAPIKeyError,
        Provider,
        RetryEvent,
        ToolDefinition,
    )

_TYPES = (
    "LLMClient", "LLMMessage", "LLMRequest", "LLMRequestError", "LLMResponse", "LLMUnavailableError",
    "MissingAPIKeyError", "Provider", "RetryEvent", "ToolDefinition",
)  # fmt: skip
_LAZY = {
    "create_client": "zebench.llm.client",
    "ModelInfo": "zebench.llm.models",
    "list_models": "zebench.llm.models",
    "PricingTable": "zebench.llm.pricing",
    "price_for": "zebench.llm.pricing",
    "Recorder": "zebench.llm.recording",
    "Recording": "zebench.llm.recording",
    "redact": "zebench.llm.redact",
    **dict.fromkeys(_TYPES, "zebench.llm.types"),
}


def __getattr__(name: str) -> Any:
    # Lazy so that importing the fake server or the types does not pull in both SDKs.
    return load_lazy(__name__, _LAZY, globals(), name)


__all__ = [
    "LLMClient",
    "LLMMessage",
    "LLMRequest",
    "LLMRequestError",
    "LLMResponse",
    "LLMUnavailableError",
    "MissingAPIKeyError",
    "ModelInfo",
    "PricingTable",
    "Provider",
    "Recorder",
    "Recording",
    "RetryEvent",
    "ToolDefinition",
    "create_client",
    "list_models",
    "price_for",
    "redact",
]
