"""The fake LLM bills prompt caching as each provider does, seen through the real SDKs.

Expected figures are computed by hand from the documented layout (``zebench.llm.fake.caching``):
each piece of a prompt serialised as sorted-key JSON without ``cache_control``, about four
characters a token, rounded up. An Anthropic block is ``<tag>:<json>`` (tag ``system``, ``tool`` or
``<role>#<message index>``); a text block ``{"text":"…","type":"text"}`` is 25 characters plus its
text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from zebench.llm.fake import FakeLLMServer, parse_script
from zebench.sandbox.detect import running_in_ci

EPHEMERAL = {"type": "ephemeral"}
SYSTEM = "S" * 6000  # 'system:' + 25 + 6000 characters = 6032 = 1508 tokens
SYSTEM_TOKENS = 1508


def text_block_tokens(tag: str, text: str) -> int:
    """Tokens of an Anthropic text block, by hand: ``<tag>:{"text":"<text>","type":"text"}``."""
    return -(-(len(tag) + 1 + 25 + len(text)) // 4)


def text(value: str, *, mark: bool = False, ttl: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": value}
    if mark or ttl:
        block["cache_control"] = {**EPHEMERAL, **({"ttl": ttl} if ttl else {})}
    return block


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[FakeLLMServer]:
    caching = getattr(request, "param", {})
    script = parse_script({"caching": caching, "default": {"text": "ok"}, "usage": {"output_tokens": 7}})
    with FakeLLMServer(script) as server:
        yield server


def claude(fake: FakeLLMServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fake.url, api_key="k", max_retries=0)


def ask(client: anthropic.Anthropic, messages: list[dict[str, Any]], system: Any = None) -> Any:
    extra = {"system": system} if system is not None else {}
    return client.messages.create(model="claude-sonnet-4-6", max_tokens=10, messages=messages, **extra).usage


# --- Anthropic: only at the client's breakpoints ----------------------------------------------


def test_anthropic_writes_up_to_the_last_breakpoint_and_the_next_request_reads_it(
    fake: FakeLLMServer,
) -> None:
    client = claude(fake)
    system = [text(SYSTEM, mark=True)]
    first_user = {"role": "user", "content": [text("hi " * 100, mark=True)]}
    u0 = text_block_tokens("user#0", "hi " * 100)  # 7 + 25 + 300 = 332 characters: 83 tokens
    assert u0 == 83
    usage = ask(client, [first_user], system)
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (
        0,
        0,
        SYSTEM_TOKENS + u0,
    )
    assert usage.cache_creation.ephemeral_5m_input_tokens == SYSTEM_TOKENS + u0
    assert usage.output_tokens == 7  # the output side is the script's

    # The rolling breakpoint moves to the new last message; the old prefix is read, the rest written.
    grown = [
        first_user,
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [text("more", mark=True)]},
    ]
    a1, u2 = text_block_tokens("assistant#1", "ok"), text_block_tokens("user#2", "more")
    usage = ask(client, grown, system)
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (
        0,
        SYSTEM_TOKENS + u0,
        a1 + u2,
    )
    # Without a breakpoint on the new message, the tail is plain input.
    grown[2] = {"role": "user", "content": [text("more")]}
    usage = ask(client, grown, system)
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (
        a1 + u2,
        SYSTEM_TOKENS + u0,
        0,
    )


def test_anthropic_caches_nothing_without_breakpoints_or_below_the_minimum(fake: FakeLLMServer) -> None:
    client = claude(fake)
    plain = [{"role": "user", "content": "x" * 8000}]
    total = text_block_tokens("user#0", "x" * 8000)
    for _ in range(2):  # no breakpoint: nothing written, nothing read, however often it is sent
        usage = ask(client, plain)
        assert (usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (
            total,
            0,
            0,
        )
    short = [{"role": "user", "content": [text("y" * 3000, mark=True)]}]  # 758 tokens < 1024
    for _ in range(2):
        usage = ask(client, short)
        assert usage.cache_creation_input_tokens == 0 and usage.cache_read_input_tokens == 0
        assert usage.input_tokens == text_block_tokens("user#0", "y" * 3000)


def test_anthropic_refuses_a_fifth_breakpoint(fake: FakeLLMServer) -> None:
    content = [text(f"part {i}", mark=True) for i in range(5)]
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4 blocks with cache_control"):
        ask(claude(fake), [{"role": "user", "content": content}])


def test_anthropic_looks_back_twenty_blocks_for_an_earlier_entry(fake: FakeLLMServer) -> None:
    client = claude(fake)
    opening = [{"role": "user", "content": "start"}, {"role": "assistant", "content": "ok"}]
    ask(client, opening[:1], [text(SYSTEM, mark=True)])  # writes the system prompt (block 0)
    # The only breakpoint 18 blocks after it (system, start, ok, 15 blocks, end): within the
    # 20-block lookback, the system prompt is found and read.
    near = [text(f"b{i}") for i in range(15)] + [text("end", mark=True)]
    usage = ask(client, [*opening, {"role": "user", "content": near}], [text(SYSTEM)])
    assert usage.cache_read_input_tokens == SYSTEM_TOKENS
    # 27 blocks after it: out of sight, missed, and the whole prefix is written again.
    far = [text(f"c{i}") for i in range(24)] + [text("end", mark=True)]
    usage = ask(client, [*opening, {"role": "user", "content": far}], [text(SYSTEM)])
    assert usage.cache_read_input_tokens == 0 and usage.cache_creation_input_tokens > SYSTEM_TOKENS


@pytest.mark.parametrize("fake", [{"ttl_s": 0.4}], indirect=True)
def test_anthropic_entries_expire_unless_kept_for_an_hour(fake: FakeLLMServer) -> None:
    client = claude(fake)
    system = [text(SYSTEM, ttl="1h")]
    messages = [{"role": "user", "content": [text("z" * 400, mark=True)]}]
    u0 = text_block_tokens("user#0", "z" * 400)
    usage = ask(client, messages, system)
    assert usage.cache_creation_input_tokens == SYSTEM_TOKENS + u0
    assert usage.cache_creation.ephemeral_1h_input_tokens == SYSTEM_TOKENS
    assert usage.cache_creation.ephemeral_5m_input_tokens == u0
    time.sleep(0.6)  # the 5-minute entry (0.4 s here) is gone, the one-hour entry is not
    usage = ask(client, messages, system)
    assert (usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (SYSTEM_TOKENS, u0)


def test_anthropic_conversations_do_not_share_a_cache(fake: FakeLLMServer) -> None:
    client = claude(fake)
    system = [text(SYSTEM, mark=True)]
    ask(client, [{"role": "user", "content": "first task"}], system)
    assert ask(client, [{"role": "user", "content": "another task"}], system).cache_read_input_tokens == 0
    assert (
        ask(client, [{"role": "user", "content": "first task"}], system).cache_read_input_tokens
        == SYSTEM_TOKENS
    )


# --- OpenAI: automatic, from 1,024 tokens, in steps of 128 --------------------------------------


def openai_cached(prompt_chars: int) -> int:
    """OpenAI's cached tokens for a common prefix of ``prompt_chars`` characters, by hand."""
    tokens = prompt_chars // 4
    return 0 if tokens < 1024 else 1024 + (tokens - 1024) // 128 * 128


def compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_openai_chat_caches_long_prompts_automatically(fake: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0)
    short = [{"role": "system", "content": "s" * 2000}, {"role": "user", "content": "go"}]
    for _ in range(2):
        assert (
            client.chat.completions.create(
                model="gpt-4.1", messages=short
            ).usage.prompt_tokens_details.cached_tokens
            == 0
        )  # type: ignore[union-attr]
    first = [{"role": "system", "content": "S" * 9000}, {"role": "user", "content": "go"}]
    usage = client.chat.completions.create(model="gpt-4.1", messages=first).usage
    assert usage is not None and usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 0  # the first time, nothing to read
    laid_out = len("tools:[]\n") + sum(len(compact(m)) + 1 for m in first)
    assert usage.prompt_tokens == -(-laid_out // 4)
    grown = [*first, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "again"}]
    usage = client.chat.completions.create(model="gpt-4.1", messages=grown).usage
    assert usage is not None and usage.prompt_tokens_details is not None
    cached = usage.prompt_tokens_details.cached_tokens
    assert cached == openai_cached(laid_out) and cached % 128 == 0 and cached > 2000
    assert usage.prompt_tokens > cached  # cached tokens are counted inside prompt_tokens


def test_openai_responses_caches_full_inputs_and_continuations(fake: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0)
    items = [{"role": "developer", "content": "D" * 9000}, {"role": "user", "content": "go"}]
    first = client.responses.create(model="gpt-5", input=items)  # type: ignore[arg-type]
    assert first.usage is not None and first.usage.input_tokens_details.cached_tokens == 0
    laid_out = len("tools:[]\ninstructions:null\n") + sum(len(compact(i)) + 1 for i in items)
    # The same conversation sent whole again, grown by one item: the first prompt is read.
    again = client.responses.create(model="gpt-5", input=[*items, {"role": "user", "content": "more"}])  # type: ignore[arg-type]
    assert again.usage is not None and again.usage.input_tokens_details.cached_tokens == openai_cached(
        laid_out
    )
    # A continuation of the first response by id: its context is the first prompt and its reply.
    follow = client.responses.create(model="gpt-5", input="next", previous_response_id=first.id)
    assert follow.usage is not None
    assert follow.usage.input_tokens_details.cached_tokens == openai_cached(laid_out)
    assert follow.usage.input_tokens > laid_out // 4  # the earlier context is billed, mostly cached


# --- Gemini: implicit caching ------------------------------------------------------------------


def test_gemini_implicit_caching(fake: FakeLLMServer) -> None:
    try:
        from google import genai
        from google.genai import types
    except ImportError:
        if running_in_ci():
            pytest.fail("CI=true but google-genai (the dev extra) is not installed")
        pytest.skip("google-genai is not installed (pip install -e '.[dev]')")
    client = genai.Client(api_key="fake", http_options=types.HttpOptions(base_url=fake.url))
    first = [types.Content(role="user", parts=[types.Part(text="G" * 9000)])]
    reply = client.models.generate_content(model="gemini-2.5-flash", contents=first)
    assert reply.usage_metadata is not None and not reply.usage_metadata.cached_content_token_count
    sent = fake.requests[-1].body
    laid_out = (
        len(f"tools:[]\nsystem:{compact(sent.get('systemInstruction'))}\n")
        + len(compact(sent["contents"][0]))
        + 1
    )
    grown = [
        *first,
        types.Content(role="model", parts=[types.Part(text="ok")]),
        types.Content(role="user", parts=[types.Part(text="more")]),
    ]
    reply = client.models.generate_content(model="gemini-2.5-flash", contents=grown)
    meta = reply.usage_metadata
    assert meta is not None and meta.cached_content_token_count == laid_out // 4  # token by token
    assert meta.prompt_token_count is not None and meta.prompt_token_count > meta.cached_content_token_count


def test_without_caching_the_script_usage_stands() -> None:
    script = parse_script({"default": {"text": "ok"}, "usage": {"input_tokens": 11, "output_tokens": 3}})
    with FakeLLMServer(script) as fake:
        usage = ask(claude(fake), [{"role": "user", "content": [text("q" * 9000, mark=True)]}])
    assert (usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (
        11,
        0,
        0,
    )
