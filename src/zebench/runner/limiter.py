"""Adaptive concurrency per LLM provider, shared by the runs of a batch.

AIMD, as TCP does it: a 429 halves the provider's concurrency and blocks new calls for the
retry-after the provider asked for; each success grows the limit by 1/limit, so it takes about
``limit`` successes to add one slot. A big batch therefore backs off quickly and creeps back up
instead of hammering a provider that already said no.

The LLM agents use it through ``options.extra["limiter"]`` (a :class:`ProviderLimiters`)::

    with limiter.slot(self.provider):
        response = client.complete(request)

and report retries with ``limiter.on_retry(self.provider, event)`` from their RetryEvent callback.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

WaitCallback = Callable[[str, str], None]  # (provider, message)

DEFAULT_BLOCK_S = 1.0  # when a 429 carries no retry-after
_RATE_LIMIT_MARKERS = ("429", "rate limit", "rate_limit", "too many requests")


def is_rate_limit(reason: str) -> bool:
    """Whether a RetryEvent's reason says the provider rate-limited us."""
    lowered = reason.lower()
    return any(marker in lowered for marker in _RATE_LIMIT_MARKERS)


class AdaptiveLimiter:
    """Concurrency limit for one provider; thread-safe."""

    def __init__(
        self,
        provider: str,
        *,
        initial: int = 4,
        min_limit: int = 1,
        max_limit: int | None = None,
        on_wait: WaitCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.min_limit = max(1, min_limit)
        self.max_limit = max(self.min_limit, max_limit if max_limit is not None else initial)
        self.limit = float(min(max(initial, self.min_limit), self.max_limit))
        self.in_flight = 0
        self.blocked_until = 0.0
        self.cuts = 0
        self.total_wait_s = 0.0
        self._on_wait = on_wait
        self._clock = clock
        self._cond = threading.Condition()
        self._last_cut = -math.inf

    @property
    def capacity(self) -> int:
        """How many calls may be in flight now."""
        return max(self.min_limit, int(self.limit))

    def acquire(self, timeout: float | None = None) -> float:
        """Wait for a slot; returns the seconds waited. TimeoutError after ``timeout`` seconds."""
        started = self._clock()
        reported = False
        with self._cond:
            while True:
                now = self._clock()
                if timeout is not None and now - started > timeout:
                    raise TimeoutError(f"no {self.provider} slot within {timeout:g}s")
                if now < self.blocked_until:
                    delay = self.blocked_until - now
                    if not reported:
                        reported = True
                        self._report(f"waiting {delay:.1f}s (rate limited, limit {self.capacity})")
                    self._cond.wait(delay)
                elif self.in_flight >= self.capacity:
                    if not reported:
                        reported = True
                        self._report(f"waiting for a slot ({self.in_flight}/{self.capacity} in flight)")
                    self._cond.wait(0.5)  # a timed wait also notices a retry-after expiring
                else:
                    self.in_flight += 1
                    waited = self._clock() - started
                    self.total_wait_s += waited
                    return waited

    def release(self, *, success: bool) -> None:
        """Give the slot back; a success grows the limit additively."""
        with self._cond:
            self.in_flight = max(0, self.in_flight - 1)
            if success and self.limit < self.max_limit:
                self.limit = min(float(self.max_limit), self.limit + 1.0 / self.limit)
            self._cond.notify_all()

    def rate_limited(self, retry_after_s: float | None = None) -> None:
        """A 429: halve the limit (once per burst) and block new calls for the retry-after."""
        with self._cond:
            now = self._clock()
            # Concurrent calls of one burst all get their 429 at once: cut once, not n times.
            if now - self._last_cut >= max(retry_after_s or 0.0, DEFAULT_BLOCK_S):
                self.limit = max(float(self.min_limit), self.limit / 2)
                self.cuts += 1
                self._last_cut = now
            wait = retry_after_s if retry_after_s and retry_after_s > 0 else DEFAULT_BLOCK_S
            self.blocked_until = max(self.blocked_until, now + wait)
            self._cond.notify_all()
        self._report(f"rate limited: limit now {self.capacity}, pausing {wait:.1f}s")

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot around one provider call."""
        self.acquire()
        ok = False
        try:
            yield
            ok = True
        finally:
            self.release(success=ok)

    def _report(self, message: str) -> None:
        if self._on_wait is not None:
            self._on_wait(self.provider, message)


class ProviderLimiters:
    """One :class:`AdaptiveLimiter` per provider, created on first use; shared by a batch's runs."""

    def __init__(
        self, initial: int = 4, *, max_limit: int | None = None, on_wait: WaitCallback | None = None
    ) -> None:
        self.initial = initial
        self.max_limit = max_limit
        self.on_wait = on_wait
        self._lock = threading.Lock()
        self._limiters: dict[str, AdaptiveLimiter] = {}

    def get(self, provider: str) -> AdaptiveLimiter:
        with self._lock:
            limiter = self._limiters.get(provider)
            if limiter is None:
                limiter = AdaptiveLimiter(
                    provider, initial=self.initial, max_limit=self.max_limit, on_wait=self.on_wait
                )
                self._limiters[provider] = limiter
            return limiter

    def slot(self, provider: str) -> Any:
        """Context manager holding one call's slot for ``provider``."""
        return self.get(provider).slot()

    def on_retry(self, provider: str, event: Any) -> None:
        """Feed an LLM RetryEvent (attempt, wait_s, reason): a 429 cuts the provider's limit."""
        if is_rate_limit(str(getattr(event, "reason", ""))):
            self.get(provider).rate_limited(float(getattr(event, "wait_s", 0.0)) or None)

    def snapshot(self) -> dict[str, dict[str, float]]:
        """Per provider: limit, in flight, cuts, seconds waited (for the live view and reports)."""
        with self._lock:
            limiters = list(self._limiters.values())
        return {
            lim.provider: {
                "limit": lim.capacity,
                "in_flight": lim.in_flight,
                "cuts": lim.cuts,
                "waited_s": round(lim.total_wait_s, 3),
            }
            for lim in limiters
        }
