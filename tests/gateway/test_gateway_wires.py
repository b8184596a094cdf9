"""The gateway in front of the fake LLM, driven by the real SDKs of every wire, streaming and not:
the replies arrive intact and the gateway records the tokens the fake served."""

from __future__ import annotations

import json

import anthropic
import openai
import pytest
from gatewaykit import USAGE, fake_and_gateway, generation_calls, require_google_genai

from zebench.results.model_calls import ModelUsage

# What the gateway must record per call: input without the cache, reasoning inside output.
SERVED = ModelUsage(
    input=USAGE["input_tokens"],
    output=USAGE["output_tokens"],
    cache_read=USAGE["cache_read_input_tokens"],
    reasoning=USAGE["reasoning_tokens"],
)


def test_anthropic_messages_json_and_stream() -> None:
    with fake_and_gateway() as (fake, gw):
        client = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        message = client.messages.create(
            model="fake-model",
            max_tokens=300,
            messages=[{"role": "user", "content": "go"}],
            extra_body={"temperature": 0.2},  # this SDK release takes it only in the body
        )
        assert [b.type for b in message.content] == ["text", "tool_use"]
        assert message.usage.input_tokens == 50 and message.usage.cache_read_input_tokens == 20
        with client.messages.stream(
            model="fake-model", max_tokens=300, messages=[{"role": "user", "content": "go"}]
        ) as s:
            final = s.get_final_message()
        assert final.content[1].input == {"path": "app.py"}  # type: ignore[union-attr]
        calls = generation_calls(gw, expected=2)
        assert [c.stream for c in calls] == [False, True]
        # Anthropic reports no reasoning count: the gateway records none; the rest is exact.
        expected = SERVED.model_copy(update={"reasoning": 0})
        assert all(c.usage == expected for c in calls)
        assert calls[0].settings.temperature == 0.2 and calls[0].settings.max_tokens == 300
        assert gw.usage().total == 2 * expected.total
        # The fake never saw the placeholder, only the upstream's key.
        assert all(r.headers.get("x-api-key") == "fake-key" for r in fake.requests)


@pytest.mark.parametrize("stream", [False, True])
def test_openai_chat(stream: bool) -> None:
    with fake_and_gateway() as (fake, gw):
        client = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        messages = [{"role": "user", "content": "go"}]
        if stream:
            chunks = list(client.chat.completions.create(model="fake-model", messages=messages, stream=True))  # type: ignore[arg-type]
            # The agent did not ask for usage, so it sees no usage chunk; the gateway still counts it.
            assert all(c.choices for c in chunks) and all(c.usage is None for c in chunks)
            assert fake.requests[-1].body["stream_options"] == {"include_usage": True}
        else:
            reply = client.chat.completions.create(model="fake-model", messages=messages, max_tokens=77)  # type: ignore[arg-type]
            assert reply.choices[0].message.tool_calls
            assert reply.usage is not None and reply.usage.prompt_tokens == 70
        (call,) = generation_calls(gw, expected=1)
        assert call.wire == "openai-chat" and call.stream is stream and call.status == 200
        assert call.usage == SERVED
        assert call.settings.max_tokens == (None if stream else 77)


@pytest.mark.parametrize("stream", [False, True])
def test_openai_responses(stream: bool) -> None:
    with fake_and_gateway() as (_fake, gw):
        client = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        if stream:
            with client.responses.stream(model="fake-model", input="go", reasoning={"effort": "low"}) as s:
                final = s.get_final_response()
        else:
            final = client.responses.create(model="fake-model", input="go", reasoning={"effort": "low"})
        assert [item.type for item in final.output] == ["message", "function_call"]
        assert json.loads(final.output[1].arguments) == {"path": "app.py"}  # type: ignore[union-attr]
        assert final.usage is not None and final.usage.output_tokens_details.reasoning_tokens == 10
        (call,) = generation_calls(gw, expected=1)
        assert call.wire == "openai-responses" and call.stream is stream
        assert call.usage == SERVED
        assert call.settings.reasoning_effort == "low"


@pytest.mark.parametrize("stream", [False, True])
def test_gemini(stream: bool) -> None:
    genai = require_google_genai()
    from google.genai import types

    with fake_and_gateway() as (fake, gw):
        client = genai.Client(api_key=gw.api_key, http_options=types.HttpOptions(base_url=gw.host_url))
        config = types.GenerateContentConfig(temperature=0.5, max_output_tokens=123)
        if stream:
            chunks = list(
                client.models.generate_content_stream(model="fake-model", contents="go", config=config)
            )
            names = [fc.name for chunk in chunks for fc in (chunk.function_calls or [])]
            assert "".join(chunk.text or "" for chunk in chunks if not chunk.function_calls) == "Looking."
        else:
            reply = client.models.generate_content(model="fake-model", contents="go", config=config)
            names = [fc.name for fc in reply.function_calls or []]
            assert reply.usage_metadata.thoughts_token_count == 10
        assert names == ["read_file"]
        (call,) = generation_calls(gw, expected=1)
        assert call.wire == "gemini" and call.stream is stream and call.model == "fake-model"
        assert call.usage == SERVED
        assert (call.settings.temperature, call.settings.max_tokens) == (0.5, 123)
        assert fake.requests[-1].headers.get("x-goog-api-key") == "fake-key"


def test_model_aliases_map_the_agents_names_to_the_model_under_test() -> None:
    aliases = {"claude-haiku-side": "fake-model", "*": "fake-model"}
    with fake_and_gateway(aliases=aliases) as (fake, gw):
        client = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        client.messages.create(
            model="claude-haiku-side", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
        genai = require_google_genai()
        from google.genai import types

        gclient = genai.Client(api_key=gw.api_key, http_options=types.HttpOptions(base_url=gw.host_url))
        gclient.models.generate_content(model="gemini-any", contents="x")
        assert [r.body["model"] for r in fake.requests if r.path == "/v1/messages"] == ["fake-model"]
        assert fake.requests[-1].path.endswith("/models/fake-model:generateContent")
        calls = gw.calls
        assert [(c.model_requested, c.model) for c in calls] == [
            ("claude-haiku-side", "fake-model"),
            ("gemini-any", "fake-model"),
        ]


def test_token_counts_and_model_lists_pass_unmetered() -> None:
    with fake_and_gateway() as (_fake, gw):
        client = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        count = client.messages.count_tokens(
            model="fake-model", messages=[{"role": "user", "content": "hello"}]
        )
        assert count.input_tokens > 0
        models = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0).models.list()
        assert [m.id for m in models] == ["fake-model"]
        assert gw.calls == []
