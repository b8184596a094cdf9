"""``create_client``: one provider connection per run, with retries, pricing and optional recording."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from zebench.llm.config import PROVIDERS, resolve_api_key, resolve_base_url
from zebench.llm.pricing import PricingTable
from zebench.llm.recording import Recorder, RecordingClient
from zebench.llm.retry import RetryPolicy
from zebench.llm.types import LLMClient, Provider, RetryCallback


def create_client(
    provider: Provider,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    max_retries: int = 5,
    max_total_wait_s: float = 120,
    on_retry: RetryCallback | None = None,
    recorder: Recorder | None = None,
    backoff_base_s: float = 1.0,
    backoff_cap_s: float = 30.0,
    timeout_s: float = 300.0,
    pricing: PricingTable | None = None,
    pricing_file: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> LLMClient:
    """A client for ``provider`` (``anthropic``, ``openai`` or ``openrouter``).

    The key comes from ``api_key``, else the environment, else ``.env`` in the working directory;
    a missing key raises :class:`~zebench.llm.types.MissingAPIKeyError` before anything else happens.
    The base URL comes from ``base_url``, else ``<PROVIDER>_BASE_URL``, else the public endpoint.
    Transient failures are retried up to ``max_retries`` times and ``max_total_wait_s`` seconds of
    waiting, with ``on_retry`` told before each wait. With ``recorder`` every exchange is stored.
    """
    if provider not in PROVIDERS:
        from zebench.errors import AgentConfigError

        raise AgentConfigError(
            f"unknown LLM provider {provider!r}", hint=f"use one of: {', '.join(PROVIDERS)}"
        )
    url = resolve_base_url(provider, base_url)
    key = resolve_api_key(provider, api_key, base_url=url)
    policy = RetryPolicy(
        max_retries=max_retries, max_total_wait_s=max_total_wait_s, base_s=backoff_base_s, cap_s=backoff_cap_s
    )
    table = pricing or PricingTable.load(pricing_file)
    client: LLMClient
    if provider == "anthropic":
        from zebench.llm.anthropic_client import AnthropicClient

        client = AnthropicClient(
            api_key=key,
            base_url=url,
            policy=policy,
            on_retry=on_retry,
            pricing=table,
            timeout_s=timeout_s,
            sleep=sleep,
        )
    else:
        from zebench.llm.openai_client import OpenAICompatClient

        client = OpenAICompatClient(
            provider=provider,
            api_key=key,
            base_url=url,
            policy=policy,
            on_retry=on_retry,
            pricing=table,
            timeout_s=timeout_s,
            sleep=sleep,
        )
    if recorder is not None:
        client = RecordingClient(client, recorder)
    return client
