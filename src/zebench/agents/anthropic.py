"""The Anthropic agent: the tool-use loop over the Messages API."""

from __future__ import annotations

from typing import ClassVar

from zebench.agents.tool_loop import ProviderAgent
from zebench.llm.types import Provider


class AnthropicAgent(ProviderAgent):
    """Claude through the Anthropic Messages API (``ANTHROPIC_API_KEY``, optional ``ANTHROPIC_BASE_URL``)."""

    name: ClassVar[str] = "anthropic"
    provider: ClassVar[Provider] = "anthropic"
    default_model: ClassVar[str | None] = "claude-sonnet-4-6"
