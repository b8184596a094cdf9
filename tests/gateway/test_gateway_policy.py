"""What the gateway does to calls: budgets refuse in each wire's own error shape, provider-side
tools are withheld unless granted, settings are pinned, provider failures are infrastructure."""

from __future__ import annotations

import time
from typing import Any

import anthropic
import httpx2
import openai
import pytest
from gatewaykit import SCRIPT, fake_and_gateway, generation_calls, require_google_genai

from zebench.errors import ZebenchError
from zebench.gateway import check_pin

MSG = [{"role": "user", "content": "go"}]


def _post(gw: Any, path: str, body: dict[str, Any], **headers: str) -> httpx2.Response:
    return httpx2.post(
        gw.host_url + path, json=body, headers={"x-api-key": gw.api_key, **headers}, timeout=30
    )


BUDGET_REQUESTS = {
    "anthropic-messages": ("/v1/messages", {"model": "fake-model", "max_tokens": 10, "messages": MSG}),
    "openai-chat": ("/v1/chat/completions", {"model": "fake-model", "messages": MSG}),
    "openai-responses": ("/v1/responses", {"model": "fake-model", "input": "go"}),
    "gemini": (
        "/v1beta/models/fake-model:generateContent",
        {"contents": [{"role": "user", "parts": [{"text": "go"}]}]},
    ),
}


@pytest.mark.parametrize("wire", list(BUDGET_REQUESTS))
def test_a_spent_token_budget_refuses_the_next_call_in_the_wires_own_error_shape(wire: str) -> None:
    path, body = BUDGET_REQUESTS[wire]
    with fake_and_gateway(max_tokens_total=50) as (fake, gw):
        assert _post(gw, path, body).status_code == 200  # 100 tokens: over the budget, answered
        refused = _post(gw, path, body)
        assert refused.status_code == 400
        error = refused.json()
        if wire == "anthropic-messages":
            assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
            message = error["error"]["message"]
        elif wire == "gemini":
            assert error["error"]["code"] == 400 and error["error"]["status"] == "RESOURCE_EXHAUSTED"
            message = error["error"]["message"]
        else:
            assert (
                error["error"]["code"] == "budget_exceeded"
                and error["error"]["type"] == "invalid_request_error"
            )
            message = error["error"]["message"]
        assert "max_tokens_total=50" in message
        assert len(fake.requests) == 1  # the refused call never reached the provider
        assert gw.verdict is not None and gw.verdict.status == "budget_exceeded"
        assert [c.error_class for c in gw.calls] == [None, "budget"]


def test_the_sdks_raise_their_own_errors_on_a_refusal() -> None:
    with fake_and_gateway(max_calls=1) as (_fake, gw):
        client = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        client.messages.create(model="fake-model", max_tokens=5, messages=MSG)  # type: ignore[arg-type]
        with pytest.raises(anthropic.BadRequestError, match="max_model_calls=1"):
            client.messages.create(model="fake-model", max_tokens=5, messages=MSG)  # type: ignore[arg-type]
        oai = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        with pytest.raises(openai.BadRequestError, match="budget exceeded"):
            oai.responses.create(model="fake-model", input="go")


def test_time_and_cost_budgets() -> None:
    with fake_and_gateway(time_limit_s=0.3) as (_fake, gw):
        time.sleep(0.4)
        assert _post(gw, *BUDGET_REQUESTS["openai-chat"]).status_code == 400
        assert gw.verdict is not None and "time_limit_s=0.3" in gw.verdict.reason
    script = {**SCRIPT, "models": ["claude-sonnet-4-6"]}
    with fake_and_gateway(script, max_cost_usd=0.0001) as (_fake, gw):
        body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": MSG}
        assert _post(gw, "/v1/messages", body).status_code == 200
        assert gw.cost_usd() is not None and gw.cost_usd() > 0.0001  # priced from the shipped table
        assert _post(gw, "/v1/messages", body).status_code == 400
        assert gw.verdict is not None and "max_cost_usd" in gw.verdict.reason


PROVIDER_TOOL_REQUESTS: dict[str, tuple[str, dict[str, Any], str]] = {
    "anthropic-messages": (
        "/v1/messages",
        {
            "model": "fake-model",
            "max_tokens": 10,
            "messages": MSG,
            "tools": [
                {"name": "read_file", "input_schema": {"type": "object"}},
                {"type": "web_search_20250305", "name": "web_search"},
                {"type": "code_execution_20250522", "name": "code_execution"},
                {"type": "bash_20250124", "name": "bash"},
            ],
            "mcp_servers": [{"type": "url", "url": "https://example.invalid/mcp", "name": "x"}],
        },
        "tools",
    ),
    "openai-responses": (
        "/v1/responses",
        {
            "model": "fake-model",
            "input": "go",
            "tools": [
                {"type": "function", "name": "shell", "parameters": {"type": "object"}},
                {"type": "custom", "name": "apply_patch"},
                {"type": "web_search"},
                {"type": "file_search", "vector_store_ids": ["v"]},
                {"type": "code_interpreter", "container": {"type": "auto"}},
                {"type": "mcp", "server_label": "x", "server_url": "https://example.invalid"},
                {
                    "type": "computer_use_preview",
                    "display_width": 1,
                    "display_height": 1,
                    "environment": "linux",
                },
            ],
        },
        "tools",
    ),
    "openai-chat": (
        "/v1/chat/completions",
        {
            "model": "fake-model",
            "messages": MSG,
            "web_search_options": {},
            "plugins": [{"id": "web"}],
            "tools": [
                {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}
            ],
        },
        "tools",
    ),
    "gemini": (
        "/v1beta/models/fake-model:generateContent",
        {
            "contents": [{"role": "user", "parts": [{"text": "go"}]}],
            "tools": [
                {"functionDeclarations": [{"name": "read_file"}]},
                {"googleSearch": {}},
                {"codeExecution": {}},
                {"urlContext": {}},
            ],
        },
        "tools",
    ),
}
WITHHELD = {
    "anthropic-messages": ["web_search", "code_execution", "mcp"],
    "openai-responses": ["web_search", "file_search", "code_execution", "mcp", "computer_use"],
    "openai-chat": ["web_search", "web_search"],
    "gemini": ["web_search", "code_execution", "web_fetch"],
}
KEPT = {
    "anthropic-messages": [
        {"name": "read_file", "input_schema": {"type": "object"}},
        {"type": "bash_20250124", "name": "bash"},
    ],
    "openai-responses": [
        {"type": "function", "name": "shell", "parameters": {"type": "object"}},
        {"type": "custom", "name": "apply_patch"},
    ],
    "openai-chat": [
        {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}
    ],
    "gemini": [{"functionDeclarations": [{"name": "read_file"}]}],
}


@pytest.mark.parametrize("wire", list(PROVIDER_TOOL_REQUESTS))
def test_provider_side_tools_are_withheld_by_default(wire: str) -> None:
    path, body, key = PROVIDER_TOOL_REQUESTS[wire]
    with fake_and_gateway() as (fake, gw):
        assert _post(gw, path, body).status_code == 200
        sent = fake.requests[-1].body
        assert sent[key] == KEPT[wire]
        assert "mcp_servers" not in sent and "web_search_options" not in sent
        assert sent.get("plugins", []) == []
        (call,) = gw.calls
        assert call.withheld_tools == WITHHELD[wire]


@pytest.mark.parametrize("wire", list(PROVIDER_TOOL_REQUESTS))
def test_granted_provider_tools_pass(wire: str) -> None:
    path, body, key = PROVIDER_TOOL_REQUESTS[wire]
    with fake_and_gateway(provider_tools=["web_search"]) as (fake, gw):
        _post(gw, path, body)
        sent = fake.requests[-1].body
        assert "web_search" not in gw.calls[0].withheld_tools
        assert len(sent[key]) == len(KEPT[wire]) + (1 if wire != "openai-chat" else 0)
    with fake_and_gateway(allow_provider_tools=True) as (fake, gw):
        _post(gw, path, body)
        assert fake.requests[-1].body == body | ({"model": "fake-model"} if "model" in body else {})
        assert gw.calls[0].withheld_tools == []


def test_pinned_settings_are_sent_and_recorded() -> None:
    pin = {"temperature": 0, "max_tokens": 64, "reasoning_effort": "low"}
    with fake_and_gateway(pin_generation=pin) as (fake, gw):
        _post(
            gw,
            "/v1/chat/completions",
            {"model": "fake-model", "messages": MSG, "temperature": 1.3, "max_tokens": 900},
        )
        _post(gw, "/v1/responses", {"model": "fake-model", "input": "go", "reasoning": {"effort": "high"}})
        chat, responses = (r.body for r in fake.requests)
        assert (chat["temperature"], chat["max_tokens"], chat["reasoning_effort"]) == (0, 64, "low")
        assert (responses["max_output_tokens"], responses["reasoning"]) == (64, {"effort": "low"})
        settings = [c.settings for c in gw.calls]
        assert settings[0].temperature == 0 and settings[0].max_tokens == 64
        assert settings[0].pinned == ["temperature", "max_tokens", "reasoning_effort"]
    with fake_and_gateway() as (fake, gw):  # unpinned: forwarded exactly as sent
        _post(
            gw,
            "/v1/chat/completions",
            {"model": "fake-model", "messages": MSG, "temperature": 1.3, "max_tokens": 900},
        )
        assert (fake.requests[0].body["temperature"], fake.requests[0].body["max_tokens"]) == (1.3, 900)
        assert gw.calls[0].settings.temperature == 1.3 and gw.calls[0].settings.pinned == []


@pytest.mark.parametrize(
    "pin", [{"temperature": 5}, {"max_tokens": 0}, {"top_p": -1}, {"seed": 1}, {"reasoning_effort": ""}]
)
def test_bad_pins_are_one_line_errors(pin: dict[str, Any]) -> None:
    with pytest.raises(ZebenchError, match="pin_generation"):
        check_pin(pin)


def test_only_the_runs_key_and_model_routes_are_served() -> None:
    with fake_and_gateway() as (fake, gw):
        assert (
            _post(
                gw, "/v1/messages", {"model": "m", "messages": MSG}, **{"x-api-key": "sk-ant-somebody-else"}
            ).status_code
            == 401
        )
        unknown = _post(gw, "/v1/files", {"purpose": "x"}, authorization=f"Bearer {gw.api_key}")
        assert unknown.status_code == 404 and "not a model call" in unknown.json()["error"]["message"]
        assert httpx2.get(gw.host_url + "/v1/fine_tuning/jobs", timeout=10).status_code == 404
        assert fake.requests == []
        assert [c.error_class for c in gw.calls] == ["refused"]  # the POST is logged, the GET probe is not


@pytest.mark.parametrize("status", [429, 500, 529])
def test_provider_failures_are_infrastructure_errors_passed_through(status: int) -> None:
    faults = [{"at": 1, "kind": "status", "status": status, "retry_after": 2}]
    with fake_and_gateway({**SCRIPT, "faults": faults}) as (_fake, gw):
        reply = _post(gw, "/v1/messages", {"model": "fake-model", "max_tokens": 5, "messages": MSG})
        assert reply.status_code == status and reply.headers["retry-after"] == "2"
        assert reply.json()["type"] == "error"  # the provider's own body, untouched
        (call,) = gw.calls
        assert call.error_class == "infra" and call.usage.total == 0
        assert gw.verdict is not None and gw.verdict.status == "infra_error"
        _post(gw, "/v1/messages", {"model": "fake-model", "max_tokens": 5, "messages": MSG})
        assert gw.verdict is None  # a later success means the failure did not end the run


def test_timeouts_and_dropped_connections_are_infrastructure_errors() -> None:
    faults = [{"at": 1, "kind": "slow", "delay_s": 3}, {"at": 2, "kind": "drop"}]
    with fake_and_gateway({**SCRIPT, "faults": faults}, upstream_timeout_s=0.5) as (_fake, gw):
        timed_out = _post(gw, "/v1/chat/completions", {"model": "fake-model", "messages": MSG})
        assert timed_out.status_code == 504 and timed_out.json()["error"]["code"] == "upstream_timeout"
        dropped = _post(gw, "/v1/chat/completions", {"model": "fake-model", "messages": MSG})
        assert dropped.status_code == 502
        assert [c.error_class for c in gw.calls] == ["infra", "infra"]


def test_a_rejected_request_is_not_infrastructure() -> None:
    with fake_and_gateway() as (_fake, gw):
        reply = _post(gw, "/v1/chat/completions", {"model": "fake-model"})  # no messages: the fake says 400
        assert reply.status_code == 400
        assert gw.calls[0].error_class == "rejected" and gw.verdict is None


def test_gemini_key_in_the_query_is_accepted_and_never_forwarded() -> None:
    require_google_genai()
    with fake_and_gateway() as (fake, gw):
        path, body = BUDGET_REQUESTS["gemini"]
        reply = httpx2.post(f"{gw.host_url}{path}?key={gw.api_key}", json=body, timeout=30)
        assert reply.status_code == 200
        assert fake.requests[0].query == {} and fake.requests[0].headers["x-goog-api-key"] == "fake-key"
        assert generation_calls(gw, expected=1)[0].wire == "gemini"
