"""The fake server speaks OpenAI Chat Completions (and OpenRouter's extras) for the official SDK."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from zebench.llm.fake import FakeLLMServer, parse_script

SCRIPT = {
    "models": [
        "fake-model",
        {"id": "vendor/fake-pro", "name": "Fake Pro", "prompt_price": 0.000003, "completion_price": 0.000015},
        {"id": "vendor/no-tools", "supports_tools": False, "context_length": 8000},
    ],
    "turns": [
        {
            "text": "Checking.",
            "tool_calls": [
                {"name": "read_file", "arguments": {"path": "app.py"}},
                {"name": "run_command", "arguments": {"command": "pytest -q", "timeout": 60}},
            ],
        },
        {"text": "All good."},
    ],
    "usage": {"input_tokens": 100, "output_tokens": 25, "cache_read_input_tokens": 20},
    "cost": 0.0042,
}


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(parse_script(SCRIPT)) as server:
        yield server


def client(fake: FakeLLMServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.openai_base_url, api_key="sk-fake-openai", max_retries=0)


def test_non_stream_with_tool_calls(fake: FakeLLMServer) -> None:
    completion = client(fake).chat.completions.create(
        model="fake-model", messages=[{"role": "user", "content": "check"}]
    )
    choice = completion.choices[0]
    assert completion.object == "chat.completion" and completion.model == "fake-model"
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Checking."
    calls = choice.message.tool_calls or []
    assert [c.function.name for c in calls] == ["read_file", "run_command"]  # type: ignore[union-attr]
    assert json.loads(calls[1].function.arguments) == {"command": "pytest -q", "timeout": 60}  # type: ignore[union-attr]
    assert all(c.id.startswith("call_") for c in calls)
    usage = completion.usage
    assert usage is not None
    # OpenAI's prompt_tokens include the cached ones.
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (120, 25, 145)
    assert usage.prompt_tokens_details is not None and usage.prompt_tokens_details.cached_tokens == 20
    assert usage.model_extra is not None and usage.model_extra["cost"] == pytest.approx(0.0042)


def test_stream_tool_calls_reassembled(fake: FakeLLMServer) -> None:
    with client(fake).chat.completions.stream(
        model="fake-model",
        messages=[{"role": "user", "content": "check"}],
        stream_options={"include_usage": True},
    ) as stream:
        chunks = [event for event in stream if event.type == "chunk"]
        final = stream.get_final_completion()
    # Arguments arrive in several fragments per call.
    fragments = [
        tc.function.arguments
        for ev in chunks
        for choice in ev.chunk.choices
        for tc in choice.delta.tool_calls or []
        if tc.function and tc.function.arguments
    ]
    assert len(fragments) >= 4
    calls = final.choices[0].message.tool_calls or []
    assert [c.function.name for c in calls] == ["read_file", "run_command"]
    assert json.loads(calls[0].function.arguments) == {"path": "app.py"}
    assert json.loads(calls[1].function.arguments) == {"command": "pytest -q", "timeout": 60}
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.choices[0].message.content == "Checking."
    assert final.usage is not None and final.usage.total_tokens == 145


def test_stream_wire_format_ends_with_done(fake: FakeLLMServer) -> None:
    body = {
        "model": "fake-model",
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": "y"},
            {"role": "user", "content": "z"},
        ],
    }
    response = httpx2.post(fake.openai_base_url + "/chat/completions", json=body)
    data = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    usage_chunk = json.loads(data[-2])
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["cost"] == pytest.approx(0.0042)
    finish = json.loads(data[-3])
    assert finish["object"] == "chat.completion.chunk" and finish["choices"][0]["finish_reason"] == "stop"


def test_stream_without_usage_option_has_no_usage_chunk(fake: FakeLLMServer) -> None:
    stream = client(fake).chat.completions.create(
        model="fake-model", messages=[{"role": "user", "content": "x"}], stream=True
    )
    chunks = list(stream)
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_second_turn_after_tool_messages(fake: FakeLLMServer) -> None:
    api = client(fake)
    first = api.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "go"}])
    calls = first.choices[0].message.tool_calls or []
    messages: list[Any] = [
        {"role": "user", "content": "go"},
        first.choices[0].message.model_dump(exclude_none=True),
        *({"role": "tool", "tool_call_id": c.id, "content": "result"} for c in calls),
    ]
    second = api.chat.completions.create(model="fake-model", messages=messages)
    assert second.choices[0].message.content == "All good."
    assert second.choices[0].finish_reason == "stop"


def test_models_openai_format(fake: FakeLLMServer) -> None:
    models = client(fake).models.list()
    assert [m.id for m in models.data] == ["fake-model", "vendor/fake-pro", "vendor/no-tools"]
    assert models.data[0].object == "model" and models.data[0].owned_by


def test_models_follow_the_anthropic_version_header(fake: FakeLLMServer) -> None:
    body = httpx2.get(fake.url + "/v1/models", headers={"anthropic-version": "2023-06-01"}).json()
    assert body["data"][0] == {
        "type": "model",
        "id": "fake-model",
        "display_name": "fake-model",
        "created_at": "2025-01-01T00:00:00Z",
    }
    assert body["has_more"] is False and body["last_id"] == "vendor/no-tools"


def test_openrouter_catalogue_and_base_url(fake: FakeLLMServer) -> None:
    catalogue = httpx2.get(fake.openrouter_base_url + "/models").json()["data"]
    pro = next(m for m in catalogue if m["id"] == "vendor/fake-pro")
    assert pro["name"] == "Fake Pro"
    assert float(pro["pricing"]["prompt"]) == pytest.approx(0.000003)
    assert float(pro["pricing"]["completion"]) == pytest.approx(0.000015)
    assert "tools" in pro["supported_parameters"]
    no_tools = next(m for m in catalogue if m["id"] == "vendor/no-tools")
    assert "tools" not in no_tools["supported_parameters"] and no_tools["context_length"] == 8000
    # Chat completions work under the OpenRouter-shaped base URL too.
    router = openai.OpenAI(base_url=fake.openrouter_base_url, api_key="sk-or-fake")
    completion = router.chat.completions.create(
        model="vendor/fake-pro", messages=[{"role": "user", "content": "x"}]
    )
    assert completion.model == "vendor/fake-pro"


def test_error_in_openai_format() -> None:
    script = parse_script({"faults": [{"at": 1, "kind": "status", "status": 400, "message": "bad things"}]})
    with FakeLLMServer(script) as fake, pytest.raises(openai.BadRequestError) as caught:
        client(fake).chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "x"}])
    assert caught.value.status_code == 400
    assert caught.value.body == {
        "message": "bad things",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
