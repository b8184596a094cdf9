"""What both provider adapters share: retries around one SDK call, timing, and pricing."""

from __future__ import annotations

import os
import ssl
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from zebench.llm.pricing import PricingTable
from zebench.llm.retry import Classifier, RetryPolicy, call_with_retries
from zebench.llm.types import LLMRequest, LLMResponse, Provider, RetryCallback
from zebench.results.models import TokenUsage

_ssl_lock = threading.Lock()
_ssl_contexts: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def shared_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context per process, shared by every SDK client.

    Loading the CA bundle costs 25-70 ms, and each SDK client used to build its own context, on
    every run. The context is never changed after creation, so sharing it shares no per-run state
    (each client keeps its own connection pool). Keyed by the variables httpx2 reads for CA files.
    """
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _ssl_lock:
        context = _ssl_contexts.get(key)
        if context is None:
            import httpx2  # the SDKs' transport; imported here to keep this module light

            context = httpx2.create_ssl_context()
            _ssl_contexts[key] = context
        return context


class RetryingClient:
    """Base for the SDK adapters. Subclasses implement :meth:`_send`, one attempt, no retries."""

    provider: Provider

    def __init__(
        self,
        *,
        base_url: str,
        policy: RetryPolicy,
        on_retry: RetryCallback | None,
        pricing: PricingTable,
        classify: Classifier,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.policy = policy
        self.on_retry = on_retry
        self.pricing = pricing
        self._classify = classify
        self._sleep = sleep

    def _send(self, request: LLMRequest) -> LLMResponse:  # pragma: no cover - abstract
        raise NotImplementedError

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Send ``request``, retrying transient failures; the duration includes every retry wait."""
        started = time.monotonic()
        response = call_with_retries(
            lambda: self._send(request),
            classify=self._classify,
            policy=self.policy,
            on_retry=self.on_retry,
            describe=f"{self.provider} request for {request.model}",
            sleep=self._sleep,
        )
        response.duration_ms = int((time.monotonic() - started) * 1000)
        return response

    def _estimate(self, models: list[str], usage: TokenUsage) -> float | None:
        """Price from the table, trying the served model id first, then the requested one."""
        for model in models:
            if model and self.pricing.lookup(model) is not None:
                return self.pricing.price_for(model, usage)
        return self.pricing.price_for(models[-1], usage) if models else None


class ClosesOnCollect:
    """Mixin for an SDK's HTTP client: close its connection pool when the client is collected.

    Each run builds its own client, so pools must not outlive them; both SDKs' default clients
    share this behaviour through the mixin.
    """

    if TYPE_CHECKING:  # provided by the SDK client the mixin is combined with, which must win
        is_closed: bool

        def close(self) -> None: ...

    def __del__(self) -> None:
        if not self.is_closed:
            with suppress(Exception):  # interpreter shutdown: nothing useful left to do
                self.close()
