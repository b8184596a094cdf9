"""The Anthropic Messages API adapter."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import anthropic

from zebench.llm.base_client import ClosesOnCollect, RetryingClient, shared_ssl_context
from zebench.llm.pricing import PricingTable
from zebench.llm.retry import RetryPolicy, sdk_classifier
from zebench.llm.types import (
    LLMMessage,
    LLMRequest,
    LLMResponse,
    Provider,
    RetryCallback,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from zebench.results.models import TokenUsage

JSON_INSTRUCTION = "Reply with a single JSON object and nothing else."
EPHEMERAL = {"type": "ephemeral"}  # a 5-minute cache entry, written at 1.25x the input price


def to_anthropic_messages(messages: list[LLMMessage]) -> list[dict[str, Any]]:
    """Provider-neutral messages to Messages API params (tool results stay in user turns)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message.content, str):
            out.append({"role": message.role, "content": message.content})
            continue
        blocks: list[dict[str, Any]] = []
        for block in message.content:
            if isinstance(block, TextBlock):
                if block.text:  # the API rejects empty text blocks
                    blocks.append({"type": "text", "text": block.text})
            elif isinstance(block, ToolUseBlock):
                blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
            elif isinstance(block, ToolResultBlock):
                blocks.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.tool_use_id,
                        "content": block.content,
                        "is_error": block.is_error,
                    }
                )
        out.append({"role": message.role, "content": blocks})
    return out


def anthropic_params(request: LLMRequest) -> dict[str, Any]:
    """The keyword arguments for ``messages.create``; tools keep their full JSON schema."""
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": to_anthropic_messages(request.messages),
    }
    system = request.system
    if request.json_mode:
        # The Messages API has no JSON mode; an explicit instruction is the portable equivalent.
        system = f"{system}\n\n{JSON_INSTRUCTION}" if system else JSON_INSTRUCTION
    if system:
        params["system"] = system
    if request.tools:
        params["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters}
            for t in request.tools
        ]
    if request.prompt_cache:
        mark_cache_breakpoints(params)
    if request.temperature is not None:
        # This SDK release dropped ``temperature`` from ``messages.create``'s signature; the API still
        # accepts it for the models that support sampling, so it travels in the body.
        params["extra_body"] = {"temperature": request.temperature}
    return params


def mark_cache_breakpoints(params: dict[str, Any]) -> None:
    """Put ``cache_control`` breakpoints on ``params`` (at most 4, Anthropic's limit).

    The prompt renders tools, then system, then messages, and a breakpoint caches everything before
    it. So: the last tool (tools are shared by every run of a batch, whatever its system prompt),
    the system prompt, the last message (the rolling breakpoint: this request's whole prefix is
    written, to be read by the next) and the user message before it (the previous request's last
    one, where its entry was written: an exact hit even when a turn adds more blocks than the 20
    Anthropic looks back over from the last breakpoint, as many parallel tool calls do).
    Prefixes shorter than the model's minimum are not cached and cost nothing extra.
    """
    tools = params.get("tools")
    if tools:
        tools[-1] = {**tools[-1], "cache_control": dict(EPHEMERAL)}
    if isinstance(params.get("system"), str):
        params["system"] = [{"type": "text", "text": params["system"], "cache_control": dict(EPHEMERAL)}]
    messages = params["messages"]
    users = [i for i, m in enumerate(messages) if m["role"] == "user"]
    for index in {len(messages) - 1, *users[-2:-1]} if messages else ():
        messages[index] = _with_breakpoint(messages[index])


def _with_breakpoint(message: dict[str, Any]) -> dict[str, Any]:
    content = message["content"]
    if isinstance(content, str):
        if not content:
            return message  # an empty text block is refused: no breakpoint here
        return {**message, "content": [{"type": "text", "text": content, "cache_control": dict(EPHEMERAL)}]}
    if not content:
        return message
    return {**message, "content": [*content[:-1], {**content[-1], "cache_control": dict(EPHEMERAL)}]}


class _HttpClient(ClosesOnCollect, anthropic.DefaultHttpxClient):
    """The SDK's default HTTP client on the shared SSL context; closes its pool when collected."""


class AnthropicClient(RetryingClient):
    """Messages API through the official SDK, with the SDK's own retries off."""

    provider: Provider = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        policy: RetryPolicy,
        on_retry: RetryCallback | None,
        pricing: PricingTable,
        timeout_s: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            base_url=base_url,
            policy=policy,
            on_retry=on_retry,
            pricing=pricing,
            classify=sdk_classifier(
                anthropic.APIStatusError,
                anthropic.APIConnectionError,
                anthropic.APITimeoutError,
                (anthropic.APIResponseValidationError, json.JSONDecodeError),
            ),
            sleep=sleep,
        )
        self._sdk = anthropic.Anthropic(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=timeout_s,
            http_client=_HttpClient(verify=shared_ssl_context()),
        )

    def _send(self, request: LLMRequest) -> LLMResponse:
        message = self._sdk.messages.create(**anthropic_params(request))
        texts: list[str] = []
        calls: list[ToolUseBlock] = []
        for block in message.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                raw_input = block.input
                if isinstance(raw_input, dict):
                    calls.append(ToolUseBlock(id=block.id, name=block.name, input=raw_input))
                else:
                    calls.append(
                        ToolUseBlock(
                            id=block.id, name=block.name, parse_error="tool input is not a JSON object"
                        )
                    )
        raw_usage = message.usage
        usage = TokenUsage(
            input=raw_usage.input_tokens or 0,
            output=raw_usage.output_tokens or 0,
            cache_read=getattr(raw_usage, "cache_read_input_tokens", None) or 0,
            cache_write=getattr(raw_usage, "cache_creation_input_tokens", None) or 0,
        )
        served = str(message.model or request.model)
        cost = self._estimate([served, request.model], usage)
        return LLMResponse(
            text="".join(texts),
            tool_calls=calls,
            stop_reason=message.stop_reason,
            model=served,
            usage=usage,
            cost_usd=cost,
            cost_kind="estimated" if cost is not None else None,
        )
