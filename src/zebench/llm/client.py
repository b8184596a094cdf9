"""``create_client``: one provider connection per run, with retries, pricing and optional recording."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from zebench.llm.config import PROVIDERS, resolve_api_key, resolve_base_url
from zebench.llm.pricing import PRICING_FILE_ENV, ModelPrice, PricingTable, bundled_prices, load_user_prices
from zebench.llm.recording import Recorder, RecordingClient
from zebench.llm.retry import RetryPolicy
from zebench.llm.types import LLMClient, Provider, RetryCallback

_prices_lock = threading.Lock()
_prices: dict[tuple[str | None, tuple[int, int] | None], dict[str, ModelPrice]] = {}


def pricing_table(pricing_file: Path | None) -> PricingTable:
    """A fresh table (its own warned-about set) over prices parsed once per process and file version.

    Same result as ``PricingTable.load``; parsing the bundled table on every run cost ~10 ms. The
    cached dicts hold frozen ``ModelPrice`` values and are copied into each table, never shared.
    """
    user = pricing_file
    if user is None and os.environ.get(PRICING_FILE_ENV):
        user = Path(os.environ[PRICING_FILE_ENV]).expanduser()
    signature: tuple[int, int] | None = None
    if user is not None:
        try:
            info = user.stat()
        except OSError:
            return PricingTable.load(pricing_file)  # reports the unreadable file as it always has
        signature = (info.st_mtime_ns, info.st_size)
    key = (str(user) if user is not None else None, signature)
    with _prices_lock:
        prices = _prices.get(key)
    if prices is None:
        prices = bundled_prices()
        if user is not None:
            prices.update(load_user_prices(user))
        with _prices_lock:
            _prices[key] = prices
    return PricingTable(prices)  # PricingTable copies the dict


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
    table = pricing or pricing_table(pricing_file)
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
