"""Cached tokens through the gateway: each wire's cache reads and writes, as the fake LLM bills
them, are recorded per call and priced with the cache prices, never counted twice."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import openai
import pytest
from gatewaykit import fake_and_gateway, generation_calls, require_google_genai

SCRIPT: dict[str, Any] = {"caching": {}, "default": {"text": "ok"}, "usage": {"output_tokens": 10}}
LONG = "L" * 9000


def per_million(**parts: float) -> float:
    return sum(parts.values()) / 1e6


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_reads_writes_and_hour_writes_are_recorded_and_priced(stream: bool) -> None:
    with fake_and_gateway(SCRIPT) as (_, gw):
        client = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        system = [
            {"type": "text", "text": LONG, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        ]
        seen = []
        mark = {"type": "ephemeral"}
        opening = {
            "role": "user",
            "content": [{"type": "text", "text": "task " * 300, "cache_control": mark}],
        }
        follow = {"role": "user", "content": [{"type": "text", "text": "more " * 300, "cache_control": mark}]}
        for messages in ([opening], [opening, {"role": "assistant", "content": "ok"}, follow]):
            params = {"model": "claude-sonnet-4-6", "max_tokens": 50, "system": system, "messages": messages}
            if stream:
                with client.messages.stream(**params) as s:
                    seen.append(s.get_final_message().usage)
            else:
                seen.append(client.messages.create(**params).usage)
        calls = generation_calls(gw, expected=2)
    assert len(calls) == 2
    for call, usage in zip(calls, seen, strict=True):
        assert call.usage.input == usage.input_tokens
        assert call.usage.cache_read == usage.cache_read_input_tokens
        assert call.usage.cache_write == usage.cache_creation_input_tokens
        assert call.usage.cache_write_1h == usage.cache_creation.ephemeral_1h_input_tokens  # type: ignore[union-attr]
        hour = call.usage.cache_write_1h
        # claude-sonnet-4-6: $3 in, $15 out, reads $0.30, 5-minute writes $3.75, 1-hour writes $6.
        hand = per_million(
            inp=usage.input_tokens * 3,
            out=usage.output_tokens * 15,
            read=usage.cache_read_input_tokens * 0.3,
            write=(usage.cache_creation_input_tokens - hour) * 3.75,
            hour=hour * 6,
        )
        assert call.cost_usd == pytest.approx(hand) and call.cost_kind == "estimated"
    first, second = calls
    system_tokens = -(-(len("system:") + 25 + len(LONG)) // 4)  # 2,258: '{"text":…,"type":"text"}'
    opening_tokens = -(-(len("user#0:") + 25 + 1500) // 4)  # 383
    assert first.usage.cache_write_1h == system_tokens and first.usage.cache_read == 0
    assert first.usage.cache_write == system_tokens + opening_tokens and first.usage.input == 0
    # The second request reads all the first wrote, writes its new turns and pays input for nothing.
    assert second.usage.cache_read == system_tokens + opening_tokens and second.usage.cache_write_1h == 0
    assert second.usage.cache_write > 0 and second.usage.input == 0
    assert gw.cost_usd() == pytest.approx(sum(c.cost_usd or 0 for c in calls), abs=1e-6)


@pytest.mark.parametrize("stream", [False, True])
def test_openai_chat_cached_tokens_are_split_out_of_the_prompt(stream: bool) -> None:
    with fake_and_gateway(SCRIPT) as (_, gw):
        client = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        base = [{"role": "system", "content": LONG}, {"role": "user", "content": "go"}]
        prompts = []
        for messages in (
            base,
            [*base, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "on"}],
        ):
            if stream:
                chunks = list(client.chat.completions.create(model="gpt-4.1", messages=messages, stream=True))  # type: ignore[arg-type]
                assert all(c.usage is None for c in chunks)  # the agent did not ask for the usage chunk
            else:
                usage = client.chat.completions.create(model="gpt-4.1", messages=messages).usage  # type: ignore[arg-type]
                assert usage is not None and usage.prompt_tokens_details is not None
                prompts.append((usage.prompt_tokens, usage.prompt_tokens_details.cached_tokens))
        calls = generation_calls(gw, expected=2)
    first, second = calls
    # The first prompt, laid out: 'tools:[]' and each message as compact JSON, one a line.
    laid_out = 9 + sum(len(json.dumps(m, sort_keys=True, separators=(",", ":"))) + 1 for m in base)
    assert first.usage.input == -(-laid_out // 4) == 2268
    assert first.usage.cache_read == 0 and second.usage.cache_read == 1024 + 9 * 128  # 128-token steps
    if prompts:
        assert [(c.usage.input + c.usage.cache_read, c.usage.cache_read) for c in calls] == prompts
    for call in calls:
        # gpt-4.1: $2 in, $8 out, cached input $0.50; the cached tokens are not billed as input too.
        hand = per_million(inp=call.usage.input * 2, read=call.usage.cache_read * 0.5, out=10 * 8)
        assert call.usage.cache_write == 0 and call.cost_usd == pytest.approx(hand)


@pytest.mark.parametrize("stream", [False, True])
def test_openai_responses_cached_tokens_are_split_out_of_the_input(stream: bool) -> None:
    with fake_and_gateway(SCRIPT) as (_, gw):
        client = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        items: list[Any] = [{"role": "developer", "content": LONG}, {"role": "user", "content": "go"}]
        for extra in ([], [{"role": "user", "content": "on"}]):
            if stream:
                with client.responses.stream(model="gpt-5", input=[*items, *extra]) as s:
                    s.get_final_response()
            else:
                client.responses.create(model="gpt-5", input=[*items, *extra])
        first, second = generation_calls(gw, expected=2)
    assert first.usage.input == 2273  # 'instructions:null' and the developer item's role make it longer
    assert first.usage.cache_read == 0 and second.usage.cache_read == 1024 + 9 * 128
    # gpt-5: $1.25 in, $10 out, cached input $0.125.
    hand = per_million(inp=second.usage.input * 1.25, read=second.usage.cache_read * 0.125, out=10 * 10)
    assert second.cost_usd == pytest.approx(hand)


@pytest.mark.parametrize("stream", [False, True])
def test_gemini_cached_content_is_split_out_of_the_prompt(stream: bool) -> None:
    genai = require_google_genai()
    from google.genai import types

    with fake_and_gateway(SCRIPT) as (_, gw):
        client = genai.Client(api_key=gw.api_key, http_options=types.HttpOptions(base_url=gw.host_url))
        first = [types.Content(role="user", parts=[types.Part(text=LONG)])]
        grown = [
            *first,
            types.Content(role="model", parts=[types.Part(text="ok")]),
            types.Content(role="user", parts=[types.Part(text="on")]),
        ]
        for contents in (first, grown):
            if stream:
                list(client.models.generate_content_stream(model="gemini-2.5-flash", contents=contents))
            else:
                client.models.generate_content(model="gemini-2.5-flash", contents=contents)
        one, two = generation_calls(gw, expected=2)
    assert one.usage.cache_read == 0 and two.usage.cache_read > 2000
    # gemini-2.5-flash: $0.30 in, $2.50 out, cached $0.03.
    hand = per_million(inp=two.usage.input * 0.3, read=two.usage.cache_read * 0.03, out=10 * 2.5)
    assert two.cost_usd == pytest.approx(hand)
