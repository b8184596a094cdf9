"""The fake server speaks the OpenAI Responses API (openai SDK) and Gemini (google-genai), JSON and
SSE, with tool calls in each wire's own shape, usage with cached and reasoning tokens, and scripts
that specialise a reply per wire."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from zebench.errors import ZebenchError
from zebench.llm.fake import FakeLLMServer, parse_script
from zebench.sandbox.detect import running_in_ci

PATCH = "*** Begin Patch\n*** Update File: app.py\n@@\n-VALUE = 1\n+VALUE = 2\n*** End Patch\n"
SCRIPT: dict[str, Any] = {
    "turns": [
        {
            "text": "Fixing.",
            "tool_calls": [
                {"name": "shell", "arguments": {"command": ["bash", "-lc", "pytest -q"]}},
                {"name": "apply_patch", "input": PATCH},
            ],
            "by_wire": {
                "gemini": {
                    "tool_calls": [{"name": "run_shell_command", "arguments": {"command": "pytest -q"}}]
                }
            },
        },
        {"text": "Fixed."},
    ],
    "rules": [{"match": "FAILED", "wire": "openai-responses", "reply": {"text": "Tests still fail."}}],
    "usage": {"input_tokens": 40, "output_tokens": 25, "cache_read_input_tokens": 60, "reasoning_tokens": 5},
}


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(parse_script(SCRIPT)) as server:
        yield server


def genai_client(fake: FakeLLMServer) -> Any:
    try:
        from google import genai
        from google.genai import types
    except ImportError:
        if running_in_ci():
            pytest.fail("CI=true but google-genai (the dev extra) is not installed")
        pytest.skip("google-genai is not installed (pip install -e '.[dev]')")
    return genai.Client(api_key="fake", http_options=types.HttpOptions(base_url=fake.url))


def test_responses_json_has_function_and_custom_tool_calls(fake: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0)
    response = client.responses.create(model="gpt-5-codex", input="fix the tests")
    kinds = [item.type for item in response.output]
    assert kinds == ["message", "function_call", "custom_tool_call"]
    assert response.output_text == "Fixing."
    shell, patch = response.output[1], response.output[2]
    assert json.loads(shell.arguments) == {"command": ["bash", "-lc", "pytest -q"]}  # type: ignore[union-attr]
    assert patch.input == PATCH and patch.name == "apply_patch"  # type: ignore[union-attr]
    usage = response.usage
    assert usage is not None
    # Responses counts cached tokens inside input_tokens, reasoning inside output_tokens.
    assert (usage.input_tokens, usage.input_tokens_details.cached_tokens) == (100, 60)
    assert (usage.output_tokens, usage.output_tokens_details.reasoning_tokens) == (25, 5)
    assert response.model == "gpt-5-codex"


def test_responses_stream_events_and_turns(fake: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0)
    history = [
        {"role": "user", "content": [{"type": "input_text", "text": "fix"}]},
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{}"},
        {"type": "custom_tool_call", "call_id": "c2", "name": "apply_patch", "input": PATCH},
        {"type": "function_call_output", "call_id": "c1", "output": "3 passed"},
        {"type": "custom_tool_call_output", "call_id": "c2", "output": "Done!"},
    ]
    events = list(client.responses.create(model="m", input=history, stream=True))  # type: ignore[arg-type]
    types = [e.type for e in events]
    assert types[:2] == ["response.created", "response.in_progress"] and types[-1] == "response.completed"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "Fixed."  # type: ignore[union-attr]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    # The trailing tool outputs are what rules match: a wire-scoped rule fires on its wire only.
    history[-2]["output"] = "1 FAILED"
    final = client.responses.create(model="m", input=history)  # type: ignore[arg-type]
    assert final.output_text == "Tests still fail."
    chat = openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0).chat.completions.create(
        model="m",
        messages=[
            {"role": "user", "content": "fix"},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": "1 FAILED"},
        ],
    )
    assert chat.choices[0].message.content == "Fixed."


def test_responses_streamed_tool_calls_reassemble(fake: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0)
    with client.responses.stream(model="m", input="fix") as stream:
        final = stream.get_final_response()
    assert [i.type for i in final.output] == ["message", "function_call", "custom_tool_call"]
    assert final.output[2].input == PATCH  # type: ignore[union-attr]


def test_previous_response_id_continues_the_conversation(fake: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=fake.openai_base_url, api_key="k", max_retries=0)
    first = client.responses.create(model="m", input="fix")
    follow = client.responses.create(
        model="m",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": "c1", "output": "ok"}],
    )
    assert follow.output_text == "Fixed."


def test_gemini_json_and_sse_with_function_calls(fake: FakeLLMServer) -> None:
    client = genai_client(fake)
    from google.genai import types

    reply = client.models.generate_content(model="gemini-2.5-pro", contents="fix")
    assert [(fc.name, fc.args) for fc in reply.function_calls] == [
        ("run_shell_command", {"command": "pytest -q"})
    ]
    meta = reply.usage_metadata
    assert (meta.prompt_token_count, meta.cached_content_token_count) == (100, 60)
    assert (meta.candidates_token_count, meta.thoughts_token_count) == (20, 5)
    history = [
        types.Content(role="user", parts=[types.Part(text="fix")]),
        types.Content(
            role="model",
            parts=[types.Part(function_call=types.FunctionCall(name="run_shell_command", args={}))],
        ),
        types.Content(
            role="user",
            parts=[
                types.Part(
                    function_response=types.FunctionResponse(
                        name="run_shell_command", response={"output": "ok"}
                    )
                )
            ],
        ),
    ]
    chunks = list(client.models.generate_content_stream(model="gemini-2.5-pro", contents=history))
    assert "".join(c.text or "" for c in chunks) == "Fixed."
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    assert chunks[-1].usage_metadata.total_token_count == 125
    assert [r.query.get("alt") for r in fake.requests][-1] == ["sse"]


def test_gemini_stream_without_sse_is_a_json_array_and_counts_tokens(fake: FakeLLMServer) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "fix"}]}]}
    array = httpx2.post(f"{fake.url}/v1beta/models/g:streamGenerateContent", json=body, timeout=10).json()
    assert isinstance(array, list) and array[-1]["usageMetadata"]["candidatesTokenCount"] == 20
    count = httpx2.post(f"{fake.url}/v1beta/models/g:countTokens", json=body, timeout=10).json()
    assert count["totalTokens"] > 0
    models = httpx2.get(f"{fake.url}/v1beta/models", timeout=10).json()
    assert models["models"][0]["name"] == "models/fake-model"
    bad = httpx2.post(f"{fake.url}/v1beta/models/g:generateContent", json={"nope": 1}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_gemini_faults_use_googles_error_shape() -> None:
    script = {**SCRIPT, "faults": [{"at": 1, "kind": "status", "status": 429, "retry_after": 1}]}
    with FakeLLMServer(parse_script(script)) as fake:
        reply = httpx2.post(
            f"{fake.url}/v1beta/models/g:generateContent",
            json={"contents": [{"role": "user", "parts": [{"text": "x"}]}]},
            timeout=10,
        )
    assert reply.status_code == 429 and reply.json()["error"]["status"] == "RESOURCE_EXHAUSTED"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"usage": {"output_tokens": 3, "reasoning_tokens": 4}}, "usage"),
        ({"turns": [{"by_wire": {"cobol": {"text": "x"}}}]}, "turns.0.by_wire.cobol"),
        ({"rules": [{"match": "x", "wire": "smoke-signals", "reply": {}}]}, "rules.0.wire"),
    ],
)
def test_bad_scripts_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ZebenchError) as caught:
        parse_script(data)
    assert caught.value.field is not None and caught.value.field.startswith(field)
