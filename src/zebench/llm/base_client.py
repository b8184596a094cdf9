"""What both provider adapters share: retries around one SDK call, timing, and pricing."""

from __future__ import annotations

import time
from collections.abc import Callable

from zebench.llm.pricing import PricingTable
from zebench.llm.retry import Classifier, RetryPolicy, call_with_retries
from zebench.llm.types import LLMRequest, LLMResponse, Provider, RetryCallback
from zebench.results.models import TokenUsage


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
