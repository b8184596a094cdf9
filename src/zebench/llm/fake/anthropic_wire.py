"""Anthropic Messages API wire shapes: JSON replies, SSE stream events, errors and the model list."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from zebench.llm.fake.script import FakeModelInfo, FakeReply, FakeUsage

# Anthropic's error type for each status, so SDKs raise the matching exception class.
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def new_id(prefix: str) -> str:
    """An id shaped like the real ones (``msg_…``, ``toolu_…``)."""
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def error_body(status: int, message: str) -> dict[str, Any]:
    """``{"type": "error", "error": {"type": …, "message": …}}``."""
    kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


def _usage(usage: FakeUsage, *, output_tokens: int | None = None) -> dict[str, Any]:
    """Anthropic usage: ``input_tokens`` excludes the cache reads and writes; ``cache_creation``
    splits the writes by lifetime, as the API does."""
    hour = usage.cache_creation_1h_input_tokens
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens if output_tokens is None else output_tokens,
        "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": usage.cache_creation_input_tokens - hour,
            "ephemeral_1h_input_tokens": hour,
        },
    }


def _tool_blocks(reply: FakeReply) -> list[dict[str, Any]]:
    return [
        {
            "type": "tool_use",
            "id": call.id or new_id("toolu_"),
            "name": call.name,
            "input": call.wire_arguments(),
        }
        for call in reply.tool_calls
    ]


def message_json(reply: FakeReply, usage: FakeUsage, model: str) -> dict[str, Any]:
    """The non-streaming ``message`` object."""
    content: list[dict[str, Any]] = []
    if reply.text or not reply.tool_calls:
        content.append({"type": "text", "text": reply.text})
    content.extend(_tool_blocks(reply))
    return {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reply.effective_stop_reason(),
        "stop_sequence": None,
        "usage": _usage(usage),
    }


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def sse(event: str, data: dict[str, Any]) -> bytes:
    """One server-sent event with Anthropic's named-event framing."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def stream_events(reply: FakeReply, usage: FakeUsage, model: str) -> list[bytes]:
    """The full SSE event sequence for a streamed reply.

    Text arrives in several ``text_delta`` chunks and each tool input in several ``input_json_delta``
    fragments that are not valid JSON on their own, so clients must really reassemble them.
    """
    message = message_json(reply, usage, model)
    start = {**message, "content": [], "stop_reason": None, "usage": _usage(usage, output_tokens=1)}
    events = [sse("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            empty: dict[str, Any] = {"type": "text", "text": ""}
            events.append(
                sse(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": empty},
                )
            )
            if index == 0:
                events.append(sse("ping", {"type": "ping"}))
            for piece in _chunks(block["text"], 12):
                delta = {"type": "text_delta", "text": piece}
                events.append(
                    sse(
                        "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
                    )
                )
        else:
            opening = {**block, "input": {}}
            events.append(
                sse(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": opening},
                )
            )
            if index == 0:
                events.append(sse("ping", {"type": "ping"}))
            encoded = json.dumps(block["input"], ensure_ascii=False)
            for piece in _chunks(encoded, max(1, len(encoded) // 3 + 1)):
                delta = {"type": "input_json_delta", "partial_json": piece}
                events.append(
                    sse(
                        "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
                    )
                )
        events.append(sse("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(
        sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": usage.output_tokens},
            },
        )
    )
    events.append(sse("message_stop", {"type": "message_stop"}))
    return events


def models_json(models: list[FakeModelInfo]) -> dict[str, Any]:
    """``GET /v1/models`` in Anthropic's paginated format."""
    created = datetime(2025, 1, 1, tzinfo=UTC).isoformat().replace("+00:00", "Z")
    data = [
        {"type": "model", "id": m.id, "display_name": m.name or m.id, "created_at": created} for m in models
    ]
    return {
        "data": data,
        "has_more": False,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
