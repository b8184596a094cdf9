"""The fake server speaks the Anthropic Messages API well enough for the official SDK."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from zebench.llm.fake import FakeLLMServer, FakeScript, parse_script

TOOL_SCRIPT = {
    "turns": [
        {
            "text": "Let me look.",
            "tool_calls": [
                {
                    "name": "read_file",
                    "arguments": {"path": "app.py", "lines": [1, 20], "opts": {"raw": True}},
                }
            ],
        },
        {"text": "Done. The bug is on line 3."},
    ],
    "usage": {
        "input_tokens": 120,
        "output_tokens": 40,
        "cache_read_input_tokens": 7,
        "cache_creation_input_tokens": 3,
    },
}


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(parse_script(TOOL_SCRIPT)) as server:
        yield server


def client(fake: FakeLLMServer, **kwargs: object) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fake.url, api_key="sk-fake-anthropic", **kwargs)  # type: ignore[arg-type]


def test_non_stream_text() -> None:
    with FakeLLMServer(FakeScript.model_validate({"default": {"text": "hello there"}})) as fake:
        message = client(fake).messages.create(
            model="fake-model", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        )
    assert message.id.startswith("msg_")
    assert message.type == "message" and message.role == "assistant"
    assert message.model == "fake-model"
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == "hello there"  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.usage.input_tokens == 120 and message.usage.output_tokens == 40
    assert message.usage.cache_read_input_tokens == 0 and message.usage.cache_creation_input_tokens == 0


def test_stream_text_arrives_in_several_deltas() -> None:
    text = "A fairly long reply that must be split into several text deltas."
    with (
        FakeLLMServer(parse_script({"default": {"text": text}})) as fake,
        client(fake).messages.stream(
            model="fake-model", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        ) as stream,
    ):
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 2
    assert "".join(pieces) == text
    assert final.content[0].text == text  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 40


def test_raw_stream_event_sequence(fake: FakeLLMServer) -> None:
    events = list(
        client(fake).messages.create(
            model="fake-model", max_tokens=100, messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )
    kinds = [e.type for e in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    assert "ping" not in kinds  # the SDK swallows pings; they are on the wire (checked below)
    json_deltas = [
        e.delta.partial_json
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
    ]
    assert len(json_deltas) >= 2, "tool input must arrive in several partial_json fragments"
    message_delta = next(e for e in events if e.type == "message_delta")
    assert message_delta.delta.stop_reason == "tool_use"
    assert message_delta.usage.output_tokens == 40


def test_wire_has_named_events_and_ping(fake: FakeLLMServer) -> None:
    import httpx2

    body = {
        "model": "fake-model",
        "max_tokens": 10,
        "stream": True,
        "messages": [{"role": "user", "content": "hi"}],
    }
    response = httpx2.post(fake.url + "/v1/messages?beta=true", json=body, headers={"x-api-key": "k"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    names = [
        line.removeprefix("event: ") for line in response.text.splitlines() if line.startswith("event: ")
    ]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names.count("content_block_stop") == 2 and names[-1] == "message_stop"


def test_tool_use_non_stream(fake: FakeLLMServer) -> None:
    message = client(fake).messages.create(
        model="fake-model", max_tokens=100, messages=[{"role": "user", "content": "find the bug"}]
    )
    assert message.stop_reason == "tool_use"
    text, tool = message.content
    assert text.type == "text" and text.text == "Let me look."
    assert tool.type == "tool_use" and tool.id.startswith("toolu_")
    assert tool.name == "read_file"
    assert tool.input == {"path": "app.py", "lines": [1, 20], "opts": {"raw": True}}
    assert message.usage.cache_read_input_tokens == 7 and message.usage.cache_creation_input_tokens == 3


def test_tool_use_streamed_is_reassembled_by_the_sdk(fake: FakeLLMServer) -> None:
    with client(fake).messages.stream(
        model="fake-model", max_tokens=100, messages=[{"role": "user", "content": "find the bug"}]
    ) as stream:
        final = stream.get_final_message()
    tool = final.content[1]
    assert tool.type == "tool_use"
    assert tool.input == {"path": "app.py", "lines": [1, 20], "opts": {"raw": True}}
    assert final.stop_reason == "tool_use"


def test_second_turn_after_tool_result(fake: FakeLLMServer) -> None:
    api = client(fake)
    first = api.messages.create(
        model="fake-model", max_tokens=100, messages=[{"role": "user", "content": "go"}]
    )
    tool = first.content[1]
    assert tool.type == "tool_use"
    second = api.messages.create(
        model="fake-model",
        max_tokens=100,
        messages=[
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": first.content},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": "x = 1"}],
            },
        ],
    )
    assert second.content[0].text == "Done. The bug is on line 3."  # type: ignore[union-attr]
    assert [r.outcome for r in fake.requests] == ["turn 0", "turn 1"]


def test_max_tokens_stop_reason() -> None:
    script = parse_script({"default": {"text": "cut sh", "stop_reason": "max_tokens"}})
    with FakeLLMServer(script) as fake:
        message = client(fake).messages.create(
            model="fake-model", max_tokens=3, messages=[{"role": "user", "content": "hi"}]
        )
    assert message.stop_reason == "max_tokens"


def test_count_tokens(fake: FakeLLMServer) -> None:
    counted = client(fake).messages.count_tokens(
        model="fake-model", messages=[{"role": "user", "content": "hello " * 50}]
    )
    assert counted.input_tokens > 10
    assert fake.requests[-1].path == "/v1/messages/count_tokens"


def test_models_in_anthropic_format() -> None:
    script = parse_script({"models": ["fake-a", {"id": "fake-b", "name": "Fake B"}]})
    with FakeLLMServer(script) as fake:
        page = client(fake).models.list()
    assert [m.id for m in page.data] == ["fake-a", "fake-b"]
    assert page.data[1].display_name == "Fake B" and page.data[0].type == "model"
    assert page.has_more is False and page.first_id == "fake-a" and page.last_id == "fake-b"


def test_error_shape_for_unknown_route(fake: FakeLLMServer) -> None:
    import httpx2

    response = httpx2.post(fake.url + "/v1/nope", json={}, headers={"anthropic-version": "2023-06-01"})
    assert response.status_code == 404
    assert response.json()["type"] == "error"
    assert response.json()["error"]["type"] == "not_found_error"


def test_bad_json_body_is_a_400_in_anthropic_format(fake: FakeLLMServer) -> None:
    import httpx2

    response = httpx2.post(
        fake.url + "/v1/messages", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
