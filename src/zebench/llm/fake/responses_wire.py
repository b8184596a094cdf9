"""OpenAI Responses API wire shapes (``POST /v1/responses``), the API Codex speaks: JSON and SSE.

A reply's text is an ``output_text`` message item; each tool call a ``function_call`` item (JSON
arguments) or, for a call with freeform ``input``, a ``custom_tool_call`` item. The stream is the
event sequence the official SDK and Codex read: ``response.created`` … ``response.completed``.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from zebench.llm.fake.script import FakeReply, FakeUsage


def _id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def new_response_id() -> str:
    """An id shaped like the real ones (``resp_…``)."""
    return _id("resp_")


def usage_json(usage: FakeUsage) -> dict[str, Any]:
    """Responses usage: ``input_tokens`` include the cached ones, ``output_tokens`` the reasoning ones."""
    prompt = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": usage.cache_read_input_tokens},
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": prompt + usage.output_tokens,
    }


def output_items(reply: FakeReply) -> list[dict[str, Any]]:
    """The completed output items of a reply, in order: the message, then the tool calls."""
    items: list[dict[str, Any]] = []
    if reply.text or not reply.tool_calls:
        items.append(
            {
                "type": "message",
                "id": _id("msg_"),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": reply.text, "annotations": []}],
            }
        )
    for call in reply.tool_calls:
        call_id = call.id or _id("call_")
        if call.input is not None and not call.arguments:
            items.append(
                {
                    "type": "custom_tool_call",
                    "id": _id("ctc_"),
                    "call_id": call_id,
                    "name": call.name,
                    "input": call.input,
                }
            )
        else:
            arguments = json.dumps(call.arguments, ensure_ascii=False)
            items.append(
                {
                    "type": "function_call",
                    "id": _id("fc_"),
                    "call_id": call_id,
                    "name": call.name,
                    "arguments": arguments,
                    "status": "completed",
                }
            )
    return items


def response_json(
    reply: FakeReply, usage: FakeUsage, model: str, response_id: str | None = None
) -> dict[str, Any]:
    """The complete ``response`` object."""
    incomplete = reply.effective_stop_reason() == "max_tokens"
    return {
        "id": response_id or _id("resp_"),
        "object": "response",
        "created_at": int(time.time()),
        "status": "incomplete" if incomplete else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "error": None,
        "model": model,
        "output": output_items(reply),
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "instructions": None,
        "metadata": {},
        "temperature": None,
        "top_p": None,
        "text": {"format": {"type": "text"}},
        "usage": usage_json(usage),
    }


def _event(kind: str, data: dict[str, Any], number: int) -> bytes:
    body = {"type": kind, "sequence_number": number, **data}
    return f"event: {kind}\ndata: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def stream_events(
    reply: FakeReply, usage: FakeUsage, model: str, response_id: str | None = None
) -> list[bytes]:
    """The SSE event sequence of a streamed reply: text in deltas, tool arguments in fragments."""
    final = response_json(reply, usage, model, response_id)
    opening = {**final, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    events: list[tuple[str, dict[str, Any]]] = [
        ("response.created", {"response": opening}),
        ("response.in_progress", {"response": opening}),
    ]
    for index, item in enumerate(final["output"]):
        events.extend(_item_events(index, item))
    done = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    events.append((done, {"response": final}))
    return [_event(kind, data, number) for number, (kind, data) in enumerate(events)]


def _pieces(text: str, parts: int) -> list[str]:
    step = max(1, len(text) // parts + 1)
    return [text[i : i + step] for i in range(0, len(text), step)] or [""]


def _item_events(index: int, item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    where = {"output_index": index, "item_id": item["id"]}
    if item["type"] == "message":
        text = item["content"][0]["text"]
        part = {"type": "output_text", "text": "", "annotations": []}
        events = [
            (
                "response.output_item.added",
                {"output_index": index, "item": {**item, "status": "in_progress", "content": []}},
            ),
            ("response.content_part.added", {**where, "content_index": 0, "part": part}),
        ]
        events += [
            ("response.output_text.delta", {**where, "content_index": 0, "delta": piece})
            for piece in _pieces(text, 3)
            if piece
        ]
        events += [
            ("response.output_text.done", {**where, "content_index": 0, "text": text}),
            ("response.content_part.done", {**where, "content_index": 0, "part": {**part, "text": text}}),
        ]
    elif item["type"] == "function_call":
        events = [
            (
                "response.output_item.added",
                {"output_index": index, "item": {**item, "arguments": "", "status": "in_progress"}},
            )
        ]
        events += [
            ("response.function_call_arguments.delta", {**where, "delta": piece})
            for piece in _pieces(item["arguments"], 3)
        ]
        events.append(("response.function_call_arguments.done", {**where, "arguments": item["arguments"]}))
    else:  # custom_tool_call
        events = [("response.output_item.added", {"output_index": index, "item": {**item, "input": ""}})]
        events += [
            ("response.custom_tool_call_input.delta", {**where, "delta": piece})
            for piece in _pieces(item["input"], 3)
        ]
        events.append(("response.custom_tool_call_input.done", {**where, "input": item["input"]}))
    events.append(("response.output_item.done", {"output_index": index, "item": item}))
    return events
