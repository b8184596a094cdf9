"""Injected faults look to the official SDKs like the real failures they stand for."""

from __future__ import annotations

import time
from typing import Any

import anthropic
import httpx2
import openai
import pytest

from zebench.llm.fake import FakeLLMServer, parse_script

HI: Any = [{"role": "user", "content": "hi"}]


def anthropic_client(
    fake: FakeLLMServer, *, max_retries: int = 0, timeout: float = 30
) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fake.url, api_key="sk-fake", max_retries=max_retries, timeout=timeout)


def test_429_with_retry_after_then_success() -> None:
    script = parse_script(
        {
            "faults": [{"at": 1, "kind": "status", "status": 429, "retry_after": 1}],
            "default": {"text": "made it"},
        }
    )
    with FakeLLMServer(script) as fake:
        started = time.monotonic()
        message = anthropic_client(fake, max_retries=1).messages.create(
            model="fake-model", max_tokens=10, messages=HI
        )
        elapsed = time.monotonic() - started
        requests = fake.requests
    assert message.content[0].text == "made it"  # type: ignore[union-attr]
    assert [r.outcome for r in requests] == ["fault status", "default"]
    assert elapsed >= 0.9, "the SDK should have honoured retry-after: 1"
    assert requests[1].headers.get("x-stainless-retry-count") == "1"


def test_429_error_shape_and_header() -> None:
    script = parse_script({"faults": [{"at": 1, "kind": "status", "status": 429, "retry_after": 7}]})
    with FakeLLMServer(script) as fake:
        response = httpx2.post(
            fake.url + "/v1/messages", json={"model": "m", "max_tokens": 1, "messages": HI}
        )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "injected fault: HTTP 429"},
    }


def test_500_raises_internal_server_error() -> None:
    script = parse_script(
        {"faults": [{"at": 1, "kind": "status", "status": 500}, {"at": 2, "kind": "status", "status": 529}]}
    )
    with FakeLLMServer(script) as fake:
        api = anthropic_client(fake)
        with pytest.raises(anthropic.InternalServerError) as caught:
            api.messages.create(model="fake-model", max_tokens=10, messages=HI)
        assert caught.value.status_code == 500
        with pytest.raises(anthropic.APIStatusError) as overloaded:
            api.messages.create(model="fake-model", max_tokens=10, messages=HI)
        assert overloaded.value.status_code == 529
        assert overloaded.value.body["error"]["type"] == "overloaded_error"  # type: ignore[index]
        # The fault is spent: the third request succeeds.
        assert api.messages.create(model="fake-model", max_tokens=10, messages=HI).content


def test_500_is_retried_by_the_openai_sdk() -> None:
    script = parse_script(
        {"faults": [{"at": 1, "kind": "status", "status": 500}], "default": {"text": "second try"}}
    )
    with FakeLLMServer(script) as fake:
        api = openai.OpenAI(base_url=fake.openai_base_url, api_key="sk-fake", max_retries=1)
        completion = api.chat.completions.create(model="fake-model", messages=HI)
        assert completion.choices[0].message.content == "second try"
        assert len(fake.requests) == 2


def test_drop_closes_the_connection_without_a_reply() -> None:
    script = parse_script({"faults": [{"at": 1, "kind": "drop"}, {"at": 2, "kind": "drop"}]})
    with FakeLLMServer(script) as fake:
        with pytest.raises(anthropic.APIConnectionError):
            anthropic_client(fake).messages.create(model="fake-model", max_tokens=10, messages=HI)
        with pytest.raises(openai.APIConnectionError):
            openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0).chat.completions.create(
                model="fake-model",
                messages=HI,
            )
        assert [r.outcome for r in fake.requests] == ["fault drop", "fault drop"]


def test_invalid_json_body() -> None:
    script = parse_script({"faults": [{"at": 1, "kind": "invalid_json"}, {"at": 2, "kind": "invalid_json"}]})
    with FakeLLMServer(script) as fake:
        raw = httpx2.post(fake.url + "/v1/messages", json={"model": "m", "max_tokens": 1, "messages": HI})
        assert raw.status_code == 200 and raw.headers["content-type"] == "application/json"
        with pytest.raises(ValueError):
            raw.json()
        with pytest.raises(ValueError):  # json.JSONDecodeError surfaces from the SDK
            anthropic_client(fake).messages.create(model="fake-model", max_tokens=10, messages=HI)


def test_truncated_stream_is_an_error_not_a_short_reply() -> None:
    script = parse_script({"faults": [{"at": 1, "kind": "truncate"}], "default": {"text": "x" * 200}})
    with (
        FakeLLMServer(script) as fake,
        pytest.raises((anthropic.APIConnectionError, httpx2.TransportError)),
        anthropic_client(fake).messages.stream(model="fake-model", max_tokens=10, messages=HI) as stream,
    ):
        stream.get_final_message()


def test_truncated_json_body() -> None:
    script = parse_script({"faults": [{"at": 1, "kind": "truncate"}]})
    with FakeLLMServer(script) as fake, pytest.raises(anthropic.APIConnectionError):
        anthropic_client(fake).messages.create(model="fake-model", max_tokens=10, messages=HI)


def test_slow_reply_is_delayed_and_can_time_out() -> None:
    script = parse_script(
        {
            "faults": [{"at": 1, "kind": "slow", "delay_s": 0.6}, {"at": 2, "kind": "slow", "delay_s": 2}],
            "default": {"text": "late"},
        }
    )
    with FakeLLMServer(script) as fake:
        started = time.monotonic()
        message = anthropic_client(fake).messages.create(model="fake-model", max_tokens=10, messages=HI)
        assert time.monotonic() - started >= 0.55
        assert message.content[0].text == "late"  # type: ignore[union-attr]
        with pytest.raises(anthropic.APITimeoutError):
            anthropic_client(fake, timeout=0.5).messages.create(
                model="fake-model", max_tokens=10, messages=HI
            )
