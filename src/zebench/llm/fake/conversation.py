"""Read the two facts reply selection needs from a request body: turn number and last message text."""

from __future__ import annotations

import json
from typing import Any


def _text_of(content: Any) -> str:
    """Flatten message content (a string or a list of blocks/parts) into plain text.

    Tool results are included because rules like ``match: Traceback`` are meant to react to what a
    tool returned, which arrives as ``tool_result`` blocks (Anthropic) or ``tool`` messages (OpenAI).
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return str(content)
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict):
            if block.get("type") == "tool_result":
                parts.append(_text_of(block.get("content")))
            elif isinstance(block.get("text"), str):
                parts.append(block["text"])
    return "\n".join(part for part in parts if part)


def anthropic_context(body: dict[str, Any]) -> tuple[int, str]:
    """(assistant messages already in the request, text of the last message) for a Messages request."""
    messages = body.get("messages") or []
    if not isinstance(messages, list):
        return 0, ""
    assistants = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    return assistants, _text_of(last.get("content"))


def openai_context(body: dict[str, Any]) -> tuple[int, str]:
    """The same for a Chat Completions request.

    Parallel tool calls come back as several consecutive ``tool`` messages, so the trailing run of
    them counts as "the last message" together.
    """
    messages = body.get("messages") or []
    if not isinstance(messages, list):
        return 0, ""
    messages = [m for m in messages if isinstance(m, dict)]
    assistants = sum(1 for m in messages if m.get("role") == "assistant")
    if not messages:
        return assistants, ""
    tail: list[dict[str, Any]] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        tail.append(message)
    chosen = list(reversed(tail)) if tail else [messages[-1]]
    return assistants, "\n".join(_text_of(m.get("content")) for m in chosen)


def rough_token_count(body: Any) -> int:
    """A deterministic stand-in for a tokenizer (about four characters a token), for count_tokens."""
    return max(1, len(json.dumps(body, ensure_ascii=False)) // 4)


def system_text(body: dict[str, Any]) -> str:
    """The request's system prompt, for rules that tell side requests (a title generator, a memory
    extractor) from the main conversation: Anthropic's ``system``, OpenAI's ``system``/``developer``
    messages, the Responses API's ``instructions`` or Gemini's ``systemInstruction``."""
    parts = [_text_of(body.get("system")), _text_of(body.get("instructions"))]
    instruction = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(instruction, dict):
        parts.append(_text_of(instruction.get("parts")))
    for message in body.get("messages") or []:
        if isinstance(message, dict) and message.get("role") in ("system", "developer"):
            parts.append(_text_of(message.get("content")))
    return "\n".join(part for part in parts if part)


# Responses input items that the model produced (one model turn is a run of them).
_MODEL_ITEMS = {
    "function_call",
    "custom_tool_call",
    "local_shell_call",
    "reasoning",
    "web_search_call",
    "computer_call",
}
_OUTPUT_ITEMS = {"function_call_output", "custom_tool_call_output", "local_shell_call_output"}


def _is_model_item(item: dict[str, Any]) -> bool:
    kind = item.get("type", "message")
    return kind in _MODEL_ITEMS or (kind == "message" and item.get("role") == "assistant")


def responses_context(body: dict[str, Any], earlier_turns: int = 0) -> tuple[int, str]:
    """The same for a Responses request: model turns so far (``earlier_turns`` from a
    ``previous_response_id``), and the text of the trailing tool outputs or the last message."""
    raw = body.get("input")
    if isinstance(raw, str):
        return earlier_turns, raw
    items = [i for i in raw if isinstance(i, dict)] if isinstance(raw, list) else []
    turns = earlier_turns
    in_turn = False
    for item in items:
        model = _is_model_item(item)
        if model and not in_turn:
            turns += 1
        in_turn = model
    tail: list[str] = []
    for item in reversed(items):
        if item.get("type") not in _OUTPUT_ITEMS:
            break
        tail.append(_text_of(item.get("output")))
    if tail:
        return turns, "\n".join(reversed(tail))
    last = items[-1] if items else {}
    return turns, _text_of(last.get("content"))


def gemini_context(body: dict[str, Any]) -> tuple[int, str]:
    """The same for a Gemini request: model turns in ``contents``, and the text (or function
    responses) of the trailing user content."""
    contents = body.get("contents") or []
    if not isinstance(contents, list):
        return 0, ""
    contents = [c for c in contents if isinstance(c, dict)]
    turns = 0
    previous = None
    for content in contents:
        role = content.get("role")
        if role == "model" and previous != "model":
            turns += 1
        previous = role
    if not contents or contents[-1].get("role") == "model":
        return turns, ""
    texts: list[str] = []
    for part in contents[-1].get("parts") or []:
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif isinstance(part.get("functionResponse"), dict):
            texts.append(json.dumps(part["functionResponse"].get("response"), ensure_ascii=False))
    return turns, "\n".join(texts)
