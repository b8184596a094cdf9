"""Retrying transient provider failures: 429, 5xx, 408/409, connection errors and timeouts.

The SDKs' own retries are switched off (``max_retries=0``) so every wait is ours: reported through
``on_retry`` before it happens, bounded by a retry count *and* a total wait budget.
Backoff is exponential with full jitter; ``retry-after`` / ``retry-after-ms`` from the server win.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

from zebench.llm.types import LLMRequestError, LLMUnavailableError, RetryCallback, RetryEvent

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``max_retries`` counts retries, not attempts (5 → at most 6 requests)."""

    max_retries: int = 5
    max_total_wait_s: float = 120.0
    base_s: float = 1.0
    cap_s: float = 30.0

    def backoff(self, retry_index: int, rng: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(cap, base · 2^retry_index))."""
        return rng() * min(self.cap_s, self.base_s * (2**retry_index))


@dataclass(frozen=True)
class Failure:
    """A classified provider failure."""

    retryable: bool
    reason: str  # short, e.g. "429 rate limited", "503", "connection error"
    message: str  # the provider's own message, for the final error
    status_code: int | None = None
    retry_after_s: float | None = None


Classifier = Callable[[BaseException], Failure | None]


def parse_retry_after(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date); None if absent."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def status_failure(status: int, message: str, headers: Mapping[str, str] | None) -> Failure:
    """Classify an HTTP error status."""
    retry_after = parse_retry_after(headers)
    if status == 429:
        return Failure(True, "429 rate limited", message, status, retry_after)
    if status >= 500 or status in RETRYABLE_STATUS:
        return Failure(True, str(status), message, status, retry_after)
    return Failure(False, str(status), message, status)


def call_with_retries(
    fn: Callable[[], T],
    *,
    classify: Classifier,
    policy: RetryPolicy,
    on_retry: RetryCallback | None = None,
    describe: str = "LLM request",
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> T:
    """Call ``fn`` until it succeeds, a failure is not retryable, or the retry budget runs out.

    Raises :class:`LLMRequestError` for a non-retryable rejection and :class:`LLMUnavailableError`
    when retries are exhausted. Exceptions ``classify`` does not recognise propagate unchanged.
    """
    waited = 0.0
    retries = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            if not failure.retryable:
                raise LLMRequestError(
                    f"{describe} rejected ({failure.reason}): {failure.message}",
                    status_code=failure.status_code,
                ) from exc
            remaining = policy.max_total_wait_s - waited
            if retries >= policy.max_retries or remaining <= 0:
                raise LLMUnavailableError(
                    f"{describe} failed after {retries + 1} attempts "
                    f"({waited:.1f}s waited): {failure.reason}: {failure.message}"
                ) from exc
            if failure.retry_after_s is not None:
                wait = failure.retry_after_s
                if wait > remaining:
                    # Waiting less than the server asked would only earn another 429.
                    raise LLMUnavailableError(
                        f"{describe} failed: {failure.reason}; the server asked to wait {wait:.1f}s, "
                        f"beyond the remaining retry budget of {remaining:.1f}s"
                    ) from exc
            else:
                wait = min(policy.backoff(retries, rng), remaining)
            retries += 1
            if on_retry is not None:
                on_retry(RetryEvent(attempt=retries, wait_s=wait, reason=failure.reason))
            sleep(wait)
            waited += wait


def sdk_classifier(
    status_error: type[BaseException],
    connection_error: type[BaseException],
    timeout_error: type[BaseException],
    invalid_response: tuple[type[BaseException], ...] = (),
) -> Classifier:
    """A classifier for an official SDK's exception hierarchy (anthropic and openai share its shape).

    ``invalid_response`` lists errors for a garbled reply body (not JSON, wrong shape): a glitch on the
    provider's side, so it is retried like a 5xx.
    """

    def classify(exc: BaseException) -> Failure | None:
        if invalid_response and isinstance(exc, invalid_response):
            return Failure(True, "invalid response", str(exc) or type(exc).__name__)
        if isinstance(exc, status_error):
            status = int(getattr(exc, "status_code", 0) or 0)
            response = getattr(exc, "response", None)
            headers = getattr(response, "headers", None)
            message = getattr(exc, "api_message", None) or getattr(exc, "message", None) or str(exc)
            return status_failure(status, str(message), headers)
        if isinstance(exc, timeout_error):
            return Failure(True, "timeout", str(exc) or "request timed out")
        if isinstance(exc, connection_error):
            cause = exc.__cause__ or exc.__context__
            detail = f"{exc}: {cause}" if cause else str(exc)
            return Failure(True, "connection error", detail)
        return None

    return classify
