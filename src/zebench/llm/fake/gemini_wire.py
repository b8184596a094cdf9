"""Gemini API wire shapes: ``generateContent``, ``streamGenerateContent`` (SSE with ``alt=sse``, else
a JSON array), ``countTokens``, the model list and errors, as Gemini CLI and google-genai read them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from zebench.llm.fake.script import FakeModelInfo, FakeReply, FakeUsage

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}
_FINISH = {"end_turn": "STOP", "tool_use": "STOP", "max_tokens": "MAX_TOKENS"}


def error_body(status: int, message: str) -> dict[str, Any]:
    """``{"error": {"code", "message", "status"}}``."""
    return {"error": {"code": status, "message": message, "status": _STATUS.get(status, "INTERNAL")}}


def usage_json(usage: FakeUsage, *, final: bool = True) -> dict[str, Any]:
    """``usageMetadata``: the prompt count includes cached tokens; thoughts are counted apart from
    the candidates (``output_tokens`` = candidates + thoughts)."""
    prompt = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    if not final:
        return {"promptTokenCount": prompt, "totalTokenCount": prompt}
    candidates = usage.output_tokens - usage.reasoning_tokens
    body: dict[str, Any] = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + usage.output_tokens,
    }
    if usage.cache_read_input_tokens:
        body["cachedContentTokenCount"] = usage.cache_read_input_tokens
    if usage.reasoning_tokens:
        body["thoughtsTokenCount"] = usage.reasoning_tokens
    return body


def _call_parts(reply: FakeReply) -> list[dict[str, Any]]:
    parts = []
    for call in reply.tool_calls:
        function: dict[str, Any] = {"name": call.name, "args": call.wire_arguments()}
        if call.id:
            function["id"] = call.id
        parts.append({"functionCall": function})
    return parts


def _chunk(
    parts: list[dict[str, Any]], model: str, response_id: str, finish: str | None, usage: dict[str, Any]
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish is not None:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": response_id,
    }


def response_json(reply: FakeReply, usage: FakeUsage, model: str) -> dict[str, Any]:
    """The complete ``GenerateContentResponse``."""
    parts: list[dict[str, Any]] = [{"text": reply.text}] if reply.text or not reply.tool_calls else []
    parts += _call_parts(reply)
    finish = _FINISH[reply.effective_stop_reason()]
    return _chunk(parts, model, uuid.uuid4().hex[:20], finish, usage_json(usage))


def stream_chunks(reply: FakeReply, usage: FakeUsage, model: str) -> list[dict[str, Any]]:
    """The chunks of a streamed reply: text in pieces, each function call whole (as Gemini sends
    them), the finish reason and full usage on the last chunk."""
    response_id = uuid.uuid4().hex[:20]
    partial = usage_json(usage, final=False)
    text = reply.text
    step = max(1, len(text) // 3 + 1)
    pieces = [text[i : i + step] for i in range(0, len(text), step)]
    chunks = [_chunk([{"text": piece}], model, response_id, None, partial) for piece in pieces]
    calls = _call_parts(reply)
    finish = _FINISH[reply.effective_stop_reason()]
    chunks.append(_chunk(calls or [{"text": ""}], model, response_id, finish, usage_json(usage)))
    return chunks


def sse_events(chunks: list[dict[str, Any]]) -> list[bytes]:
    """``alt=sse`` framing: one ``data:`` line per chunk, CRLF-separated as Google sends them."""
    return [f"data: {json.dumps(chunk, ensure_ascii=False)}\r\n\r\n".encode() for chunk in chunks]


def models_json(models: list[FakeModelInfo]) -> dict[str, Any]:
    """``GET /v1beta/models``."""
    methods = ["generateContent", "streamGenerateContent", "countTokens"]
    return {
        "models": [
            {
                "name": f"models/{m.id}",
                "displayName": m.name or m.id,
                "inputTokenLimit": m.context_length,
                "supportedGenerationMethods": methods,
            }
            for m in models
        ]
    }
