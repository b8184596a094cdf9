"""The retry loop in isolation: classification, retry-after parsing, budgets and jitter bounds."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable

import pytest

from zebench.llm.retry import Failure, RetryPolicy, call_with_retries, parse_retry_after, status_failure
from zebench.llm.types import LLMRequestError, LLMUnavailableError, RetryEvent


class Boom(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def classify(exc: BaseException) -> Failure | None:
    return exc.failure if isinstance(exc, Boom) else None


def flaky(failures: list[Failure], value: str = "ok") -> tuple[Callable[[], str], dict[str, int]]:
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if failures:
            raise Boom(failures.pop(0))
        return value

    return fn, calls


def test_parse_retry_after_seconds_ms_and_date() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    now = time.time()
    date = email.utils.formatdate(now + 10, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(10, abs=1.0)
    assert parse_retry_after({"retry-after": "garbage"}) is None
    assert parse_retry_after({}) is None


def test_status_classification() -> None:
    assert status_failure(429, "slow down", {"retry-after": "2"}).retryable
    assert status_failure(429, "", {"retry-after": "2"}).retry_after_s == 2.0
    assert status_failure(503, "", None).retryable
    assert status_failure(408, "", None).retryable
    assert status_failure(409, "", None).retryable
    assert not status_failure(400, "", None).retryable
    assert not status_failure(401, "", None).retryable


def test_retries_then_succeeds_reporting_each_wait() -> None:
    waits: list[float] = []
    events: list[RetryEvent] = []
    fn, calls = flaky([Failure(True, "503", "down"), Failure(True, "429 rate limited", "slow", 429, 0.5)])
    result = call_with_retries(
        fn,
        classify=classify,
        policy=RetryPolicy(),
        on_retry=events.append,
        sleep=waits.append,
        rng=lambda: 0.5,
    )
    assert result == "ok"
    assert calls["n"] == 3
    assert [e.reason for e in events] == ["503", "429 rate limited"]
    assert waits == [0.5, 0.5]  # jitter 0.5 × base 1s, then the server's retry-after
    assert [e.wait_s for e in events] == waits


def test_backoff_is_exponential_capped_full_jitter() -> None:
    policy = RetryPolicy(base_s=1, cap_s=30)
    assert [policy.backoff(i, rng=lambda: 1.0) for i in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.backoff(3, rng=lambda: 0.0) == 0


def test_gives_up_after_max_retries() -> None:
    waits: list[float] = []
    fn, calls = flaky([Failure(True, "500", "boom")] * 10)
    with pytest.raises(LLMUnavailableError, match="after 4 attempts"):
        call_with_retries(fn, classify=classify, policy=RetryPolicy(max_retries=3), sleep=waits.append)
    assert calls["n"] == 4
    assert len(waits) == 3


def test_total_wait_budget_bounds_retries() -> None:
    waits: list[float] = []
    fn, _ = flaky([Failure(True, "500", "boom")] * 10)
    policy = RetryPolicy(max_retries=10, max_total_wait_s=2.5)
    with pytest.raises(LLMUnavailableError):
        call_with_retries(fn, classify=classify, policy=policy, sleep=waits.append, rng=lambda: 1.0)
    assert sum(waits) <= 2.5 + 1e-9
    assert waits == [1.0, 1.5]  # the second wait is clamped to what is left of the budget


def test_retry_after_beyond_budget_fails_fast() -> None:
    waits: list[float] = []
    fn, _ = flaky([Failure(True, "429 rate limited", "slow", 429, 500.0)])
    with pytest.raises(LLMUnavailableError, match="asked to wait 500"):
        call_with_retries(fn, classify=classify, policy=RetryPolicy(max_total_wait_s=10), sleep=waits.append)
    assert waits == []


def test_non_retryable_raises_request_error_immediately() -> None:
    fn, calls = flaky([Failure(False, "400", "bad schema", 400)])
    with pytest.raises(LLMRequestError, match="bad schema") as err:
        call_with_retries(fn, classify=classify, policy=RetryPolicy(), sleep=lambda s: None)
    assert err.value.status_code == 400
    assert calls["n"] == 1


def test_unclassified_exceptions_propagate() -> None:
    def fn() -> str:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        call_with_retries(fn, classify=classify, policy=RetryPolicy(), sleep=lambda s: None)
