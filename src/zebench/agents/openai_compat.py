"""Agents over OpenAI Chat Completions: OpenRouter, OpenAI, and any compatible server."""

from __future__ import annotations

from typing import ClassVar

from zebench.agents.tool_loop import ProviderAgent
from zebench.llm.types import Provider


class OpenRouterAgent(ProviderAgent):
    """Any model on OpenRouter (``OPENROUTER_API_KEY``); cost is OpenRouter's measured cost."""

    name: ClassVar[str] = "openrouter"
    provider: ClassVar[Provider] = "openrouter"
    default_model: ClassVar[str | None] = "anthropic/claude-sonnet-4.6"


class OpenAIAgent(ProviderAgent):
    """OpenAI, or any compatible server (vLLM, Ollama, llama.cpp) via ``--base-url``; ``--model`` is required.

    A server other than api.openai.com may run without ``OPENAI_API_KEY``.
    """

    name: ClassVar[str] = "openai"
    provider: ClassVar[Provider] = "openai"
    default_model: ClassVar[str | None] = None
