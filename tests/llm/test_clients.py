"""The provider adapters against the fake LLM server, through the official SDKs."""

from __future__ import annotations

from pathlib import Path

import pytest

from zebench.llm.client import create_client
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeFault, FakeLLMServer, FakeReply, FakeScript, FakeToolCall, FakeUsage
from zebench.llm.types import (
    LLMMessage,
    LLMRequest,
    LLMRequestError,
    LLMUnavailableError,
    MissingAPIKeyError,
    Provider,
    RetryEvent,
    TextBlock,
    ToolDefinition,
    ToolResultBlock,
    ToolUseBlock,
)
from zebench.results.models import TokenUsage

KEY = "sk-test-0123456789abcdefghijkl"
SCHEMA = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "description": "relative path"},
        "offset": {"type": "integer", "minimum": 1},
        "mode": {"type": "string", "enum": ["a", "b"]},
    },
    "required": ["path"],
    "additionalProperties": False,
}
TOOLS = [ToolDefinition(name="read_file", description="Read a file.", parameters=SCHEMA)]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values(), "ZEBENCH_PRICING_FILE"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def base_url(fake: FakeLLMServer, provider: Provider) -> str:
    return {"anthropic": fake.url, "openai": fake.openai_base_url, "openrouter": fake.openrouter_base_url}[
        provider
    ]


def request(**kw: object) -> LLMRequest:
    fields: dict[str, object] = {
        "model": "claude-sonnet-4-6",
        "messages": [LLMMessage(role="user", content="hello")],
        "tools": TOOLS,
    }
    fields.update(kw)
    return LLMRequest.model_validate(fields)


@pytest.mark.parametrize("provider", ["anthropic", "openai", "openrouter"])
def test_tool_schemas_reach_the_provider_intact(provider: Provider) -> None:
    script = FakeScript(
        turns=[FakeReply(tool_calls=[FakeToolCall(name="read_file", arguments={"path": "a.txt"})])]
    )
    with FakeLLMServer(script) as fake:
        client = create_client(provider, base_url=base_url(fake, provider), api_key=KEY)
        response = client.complete(request(system="be brief", temperature=0.2, max_tokens=321))
        body = fake.requests[-1].body
    assert response.tool_calls[0].name == "read_file"
    assert response.tool_calls[0].input == {"path": "a.txt"}
    assert response.stop_reason == "tool_use"
    if provider == "anthropic":
        assert body["tools"] == [{"name": "read_file", "description": "Read a file.", "input_schema": SCHEMA}]
        assert body["system"] == "be brief"
    else:
        assert body["tools"] == [
            {
                "type": "function",
                "function": {"name": "read_file", "description": "Read a file.", "parameters": SCHEMA},
            }
        ]
        assert body["messages"][0] == {"role": "system", "content": "be brief"}
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 321


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_tool_results_round_trip(provider: Provider) -> None:
    with FakeLLMServer(FakeScript(default=FakeReply(text="done"))) as fake:
        client = create_client(provider, base_url=base_url(fake, provider), api_key=KEY)
        history = [
            LLMMessage(role="user", content="go"),
            LLMMessage(
                role="assistant",
                content=[
                    TextBlock(text="reading"),
                    ToolUseBlock(id="t1", name="read_file", input={"path": "a"}),
                    ToolUseBlock(id="t2", name="read_file", input={"path": "b"}),
                ],
            ),
            LLMMessage(
                role="user",
                content=[
                    ToolResultBlock(tool_use_id="t1", content="A"),
                    ToolResultBlock(tool_use_id="t2", content="missing", is_error=True),
                ],
            ),
        ]
        assert client.complete(request(messages=history)).text == "done"
        body = fake.requests[-1].body
    if provider == "anthropic":
        assert body["messages"][1]["content"][1] == {
            "type": "tool_use",
            "id": "t1",
            "name": "read_file",
            "input": {"path": "a"},
        }
        results = body["messages"][2]["content"]
        assert [r["tool_use_id"] for r in results] == ["t1", "t2"]
        assert results[1]["is_error"] is True
    else:
        assistant = body["messages"][1]
        assert assistant["content"] == "reading"
        assert [c["id"] for c in assistant["tool_calls"]] == ["t1", "t2"]
        tool_messages = body["messages"][2:]
        assert [(m["role"], m["tool_call_id"]) for m in tool_messages] == [("tool", "t1"), ("tool", "t2")]
        assert tool_messages[1]["content"].startswith("Error:")


def test_anthropic_usage_includes_cache_tokens_and_estimated_cost() -> None:
    usage = FakeUsage(
        input_tokens=1000, output_tokens=100, cache_read_input_tokens=2000, cache_creation_input_tokens=300
    )
    with FakeLLMServer(FakeScript(usage=usage)) as fake:
        response = create_client("anthropic", base_url=fake.url, api_key=KEY).complete(request())
    assert response.usage == TokenUsage(input=1000, output=100, cache_read=2000, cache_write=300)
    assert response.cost_kind == "estimated"
    assert response.cost_usd == pytest.approx((1000 * 3 + 100 * 15 + 2000 * 0.3 + 300 * 3.75) / 1e6)


def test_openai_usage_splits_cached_tokens_out_of_prompt_tokens() -> None:
    usage = FakeUsage(input_tokens=1000, output_tokens=100, cache_read_input_tokens=400)
    with FakeLLMServer(FakeScript(usage=usage)) as fake:
        response = create_client("openai", base_url=fake.openai_base_url, api_key=KEY).complete(
            request(model="gpt-4o")
        )
    assert response.usage == TokenUsage(input=1000, output=100, cache_read=400)
    assert response.cost_usd == pytest.approx((1000 * 2.5 + 100 * 10 + 400 * 1.25) / 1e6)


def test_openrouter_measured_cost_attribution_headers_and_usage_accounting() -> None:
    with FakeLLMServer(FakeScript(cost=0.0123)) as fake:
        client = create_client("openrouter", base_url=fake.openrouter_base_url, api_key=KEY)
        response = client.complete(request(model="some-vendor/unpriced-model"))
        seen = fake.requests[-1]
    assert response.cost_usd == pytest.approx(0.0123)
    assert response.cost_kind == "measured"
    assert seen.headers["x-title"] == "zebench"
    assert seen.headers["http-referer"].startswith("https://")
    assert seen.body["usage"] == {"include": True}
    assert seen.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("cost", [-0.5, 1e308])
def test_openrouter_cost_outside_its_range_is_no_measurement(cost: float) -> None:
    """A provider's negative or absurd figure is not stored as the run's cost: the price table decides."""
    with FakeLLMServer(FakeScript(cost=cost)) as fake:
        client = create_client("openrouter", base_url=fake.openrouter_base_url, api_key=KEY)
        unpriced = client.complete(request(model="some-vendor/unpriced-model"))
        priced = client.complete(request(model="anthropic/claude-sonnet-4.6"))
    assert (unpriced.cost_usd, unpriced.cost_kind) == (None, None)
    assert priced.cost_kind == "estimated" and priced.cost_usd is not None and 0 <= priced.cost_usd < 1


def test_json_mode_asks_openai_for_a_json_object() -> None:
    with FakeLLMServer(FakeScript(default=FakeReply(text="{}"))) as fake:
        create_client("openai", base_url=fake.openai_base_url, api_key=KEY).complete(request(json_mode=True))
        assert fake.requests[-1].body["response_format"] == {"type": "json_object"}


def test_reasoning_models_get_max_completion_tokens() -> None:
    with FakeLLMServer(FakeScript()) as fake:
        create_client("openai", base_url=fake.openai_base_url, api_key=KEY).complete(request(model="o4-mini"))
        body = fake.requests[-1].body
    assert body["max_completion_tokens"] == 8192
    assert "max_tokens" not in body


@pytest.mark.parametrize("provider", ["anthropic", "openai", "openrouter"])
def test_429_with_retry_after_is_retried_and_reported(provider: Provider) -> None:
    script = FakeScript(
        default=FakeReply(text="finally"),
        faults=[FakeFault(at=1, kind="status", status=429, retry_after=0.2)],
    )
    events: list[RetryEvent] = []
    with FakeLLMServer(script) as fake:
        client = create_client(
            provider, base_url=base_url(fake, provider), api_key=KEY, on_retry=events.append
        )
        response = client.complete(request())
        assert len(fake.requests) == 2
    assert response.text == "finally"
    assert [(e.attempt, e.wait_s, e.reason) for e in events] == [(1, 0.2, "429 rate limited")]
    assert response.duration_ms >= 200


@pytest.mark.parametrize("kind", ["drop", "invalid_json"])
def test_dropped_connections_and_garbled_bodies_are_retried(kind: str) -> None:
    script = FakeScript(default=FakeReply(text="ok"), faults=[FakeFault(at=1, kind=kind)])  # type: ignore[arg-type]
    events: list[RetryEvent] = []
    with FakeLLMServer(script) as fake:
        client = create_client(
            "anthropic", base_url=fake.url, api_key=KEY, on_retry=events.append, backoff_base_s=0.01
        )
        assert client.complete(request()).text == "ok"
    assert len(events) == 1


def test_repeated_500s_end_as_unavailable() -> None:
    faults = [FakeFault(at=n, kind="status", status=500) for n in range(1, 10)]
    events: list[RetryEvent] = []
    with FakeLLMServer(FakeScript(faults=faults)) as fake:
        client = create_client(
            "openai",
            base_url=fake.openai_base_url,
            api_key=KEY,
            max_retries=3,
            backoff_base_s=0.01,
            on_retry=events.append,
        )
        with pytest.raises(LLMUnavailableError, match="500"):
            client.complete(request())
        assert len(fake.requests) == 4
    assert [e.attempt for e in events] == [1, 2, 3]


def test_client_error_is_not_retried() -> None:
    script = FakeScript(faults=[FakeFault(at=1, kind="status", status=400, message="tools.0: bad schema")])
    with FakeLLMServer(script) as fake:
        client = create_client("anthropic", base_url=fake.url, api_key=KEY, backoff_base_s=0.01)
        with pytest.raises(LLMRequestError, match="bad schema") as err:
            client.complete(request())
        assert len(fake.requests) == 1
    assert err.value.status_code == 400


def test_missing_key_is_one_line_error_before_any_request() -> None:
    with pytest.raises(MissingAPIKeyError) as err:
        create_client("anthropic")
    assert err.value.one_line() == "ANTHROPIC_API_KEY is not set: export it or put it in .env"
    with pytest.raises(MissingAPIKeyError, match="OPENROUTER_API_KEY"):
        create_client("openrouter")
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        create_client("openai")


def test_key_and_base_url_come_from_dotenv_without_overriding_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLLMServer(FakeScript(default=FakeReply(text="via dotenv"))) as fake:
        (tmp_path / ".env").write_text(
            "ANTHROPIC_API_KEY=sk-from-dotenv-000000000000\nANTHROPIC_BASE_URL=http://127.0.0.1:9\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)  # the real environment wins over .env
        response = create_client("anthropic").complete(request())
        seen = fake.requests[-1]
    assert response.text == "via dotenv"
    sent = seen.headers.get("x-api-key") or seen.headers.get("authorization", "")
    assert sent.removeprefix("Bearer ") == "sk-from-dotenv-000000000000"
    import os

    assert "ANTHROPIC_API_KEY" not in os.environ  # .env is read, never exported


def test_compatible_server_needs_no_key() -> None:
    with FakeLLMServer(FakeScript(default=FakeReply(text="local"))) as fake:
        client = create_client("openai", base_url=fake.openai_base_url)
        assert client.complete(request(model="llama3")).text == "local"


def test_invalid_tool_arguments_are_flagged_not_guessed() -> None:
    # A compatible server may send arguments that are not JSON; the call must say so.
    from zebench.llm.openai_client import _parse_arguments

    assert _parse_arguments('{"path": "a"}') == ({"path": "a"}, None)
    args, problem = _parse_arguments('{"path": ')
    assert args == {} and problem is not None and "not valid JSON" in problem
    assert _parse_arguments("[1]")[1] == "arguments must be a JSON object, got list"
