"""OpenAI Chat Completions wire shapes (and OpenRouter's extras): replies, chunks, errors, catalogues."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from zebench.llm.fake.script import FakeModelInfo, FakeReply, FakeUsage

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_exceeded",
}

_FINISH = {"end_turn": "stop", "tool_use": "tool_calls", "max_tokens": "length"}


def error_body(status: int, message: str) -> dict[str, Any]:
    """``{"error": {"message", "type", "param", "code"}}``."""
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def usage_json(usage: FakeUsage, cost: float | None) -> dict[str, Any]:
    """OpenAI usage. Its prompt_tokens include cached tokens, unlike Anthropic's input_tokens."""
    prompt = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    body: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": usage.output_tokens,
        "total_tokens": prompt + usage.output_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cache_read_input_tokens},
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }
    if cost is not None:
        body["cost"] = cost  # OpenRouter reports the measured price of the call here
    return body


def _tool_calls(reply: FakeReply) -> list[dict[str, Any]]:
    return [
        {
            "id": call.id or f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {
                "name": call.name,
                "arguments": json.dumps(call.wire_arguments(), ensure_ascii=False),
            },
        }
        for call in reply.tool_calls
    ]


def completion_json(reply: FakeReply, usage: FakeUsage, cost: float | None, model: str) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = _tool_calls(reply)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": _FINISH[reply.effective_stop_reason()],
                "logprobs": None,
            }
        ],
        "usage": usage_json(usage, cost),
    }


def sse_data(data: dict[str, Any] | str) -> bytes:
    """One ``data:`` line event; OpenAI streams carry no event names."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n".encode()


def stream_chunks(
    reply: FakeReply, usage: FakeUsage, cost: float | None, model: str, *, include_usage: bool
) -> list[bytes]:
    """The ``chat.completion.chunk`` sequence, ending with ``data: [DONE]``.

    Each tool call first arrives with its index, id and name, then its arguments in fragments, as the
    real API sends them; the SDK's stream helpers must join them by index.
    """
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        body: dict[str, Any] = {
            **base,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        if include_usage:
            body["usage"] = None  # the real API sends null usage on every chunk but the last
        return sse_data(body)

    events = [chunk({"role": "assistant", "content": ""})]
    text = reply.text
    for start in range(0, len(text), 12):
        events.append(chunk({"content": text[start : start + 12]}))
    for index, call in enumerate(_tool_calls(reply)):
        opening = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        events.append(chunk({"tool_calls": [opening]}))
        arguments = call["function"]["arguments"]
        step = max(1, len(arguments) // 3 + 1)
        for start in range(0, len(arguments), step):
            fragment = {"index": index, "function": {"arguments": arguments[start : start + step]}}
            events.append(chunk({"tool_calls": [fragment]}))
    events.append(chunk({}, _FINISH[reply.effective_stop_reason()]))
    if include_usage:
        events.append(sse_data({**base, "choices": [], "usage": usage_json(usage, cost)}))
    events.append(sse_data("[DONE]"))
    return events


def models_json(models: list[FakeModelInfo]) -> dict[str, Any]:
    """``GET /v1/models`` in OpenAI's format."""
    return {
        "object": "list",
        "data": [
            {"id": m.id, "object": "model", "created": 1735689600, "owned_by": "zebench-fake"} for m in models
        ],
    }


def openrouter_models_json(models: list[FakeModelInfo]) -> dict[str, Any]:
    """``GET /api/v1/models`` in OpenRouter's catalogue format (prices are strings, USD per token)."""
    data = []
    for m in models:
        params = ["max_tokens", "temperature", "response_format"]
        if m.supports_tools:
            params += ["tools", "tool_choice"]
        data.append(
            {
                "id": m.id,
                "name": m.name or m.id,
                "created": 1735689600,
                "context_length": m.context_length,
                "pricing": {"prompt": f"{m.prompt_price:.12g}", "completion": f"{m.completion_price:.12g}"},
                "supported_parameters": params,
            }
        )
    return {"data": data}
