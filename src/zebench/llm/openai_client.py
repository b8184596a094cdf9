"""The OpenAI Chat Completions adapter, for OpenAI, OpenRouter and compatible servers (vLLM, Ollama...)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import openai

from zebench.llm.base_client import ClosesOnCollect, RetryingClient, shared_ssl_context
from zebench.llm.pricing import PricingTable
from zebench.llm.retry import Classifier, Failure, RetryPolicy, sdk_classifier, status_failure
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
from zebench.results.ranges import as_cost

OPENROUTER_HEADERS = {"HTTP-Referer": "https://github.com/zebench/zebench", "X-Title": "zebench"}

# Reasoning models reject ``max_tokens`` and want ``max_completion_tokens``.
_REASONING_MODEL = re.compile(r"^(?:openai/)?(?:o\d|gpt-5)")
_FINISH_REASONS = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "length": "max_tokens",
}


class UpstreamError(Exception):
    """OpenRouter answered 200 with an ``error`` object (the upstream provider failed)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def to_openai_messages(system: str | None, messages: list[LLMMessage]) -> list[dict[str, Any]]:
    """Provider-neutral messages to Chat Completions messages; tool results become ``tool`` messages."""
    out: list[dict[str, Any]] = []
    if system:
        out.append({"role": "system", "content": system})
    for message in messages:
        if isinstance(message.content, str):
            out.append({"role": message.role, "content": message.content})
            continue
        text = "".join(b.text for b in message.content if isinstance(b, TextBlock))
        if message.role == "assistant":
            calls = [
                {
                    "id": b.id,
                    "type": "function",
                    "function": {"name": b.name, "arguments": json.dumps(b.input, ensure_ascii=False)},
                }
                for b in message.content
                if isinstance(b, ToolUseBlock)
            ]
            entry: dict[str, Any] = {"role": "assistant", "content": text or None}
            if calls:
                entry["tool_calls"] = calls
            out.append(entry)
            continue
        for block in message.content:
            if isinstance(block, ToolResultBlock):
                content = f"Error: {block.content}" if block.is_error else block.content
                out.append({"role": "tool", "tool_call_id": block.tool_use_id, "content": content})
        if text:
            out.append({"role": "user", "content": text})
    return out


def openai_params(request: LLMRequest, provider: Provider) -> dict[str, Any]:
    """The keyword arguments for ``chat.completions.create``; tools keep their full JSON schema."""
    params: dict[str, Any] = {
        "model": request.model,
        "messages": to_openai_messages(request.system, request.messages),
    }
    if provider == "openai" and _REASONING_MODEL.match(request.model):
        params["max_completion_tokens"] = request.max_tokens
    else:
        params["max_tokens"] = request.max_tokens
    if request.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
            }
            for t in request.tools
        ]
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.json_mode:
        params["response_format"] = {"type": "json_object"}
    if provider == "openrouter":
        params["extra_body"] = {"usage": {"include": True}}
    return params


def _parse_arguments(raw: str | None) -> tuple[dict[str, Any], str | None]:
    if not raw or not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, f"arguments are not valid JSON ({exc.msg}): {raw[:200]}"
    if not isinstance(value, dict):
        return {}, f"arguments must be a JSON object, got {type(value).__name__}"
    return value, None


def _field(obj: Any, name: str) -> Any:
    """An attribute the SDK may model or leave as an extra field (OpenRouter's ``cost``)."""
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "model_extra", None) or {}
        value = extra.get(name)
    return value


class _HttpClient(ClosesOnCollect, openai.DefaultHttpxClient):
    """The SDK's default HTTP client on the shared SSL context; closes its pool when collected."""


class OpenAICompatClient(RetryingClient):
    """Chat Completions through the official SDK, with the SDK's own retries off."""

    def __init__(
        self,
        *,
        provider: Provider,
        api_key: str,
        base_url: str,
        policy: RetryPolicy,
        on_retry: RetryCallback | None,
        pricing: PricingTable,
        timeout_s: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        base = sdk_classifier(
            openai.APIStatusError,
            openai.APIConnectionError,
            openai.APITimeoutError,
            (openai.APIResponseValidationError, json.JSONDecodeError),
        )
        super().__init__(
            base_url=base_url,
            policy=policy,
            on_retry=on_retry,
            pricing=pricing,
            classify=_with_upstream(base),
            sleep=sleep,
        )
        self.provider = provider
        headers = OPENROUTER_HEADERS if provider == "openrouter" else None
        self._sdk = openai.OpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=timeout_s,
            default_headers=headers,
            http_client=_HttpClient(verify=shared_ssl_context()),
        )

    def _send(self, request: LLMRequest) -> LLMResponse:
        completion = self._sdk.chat.completions.create(**openai_params(request, self.provider))
        error = _field(completion, "error")
        if not completion.choices:
            if isinstance(error, dict):
                raise UpstreamError(int(error.get("code") or 502), str(error.get("message") or error))
            raise UpstreamError(502, "the response has no choices")
        choice = completion.choices[0]
        message = choice.message
        calls: list[ToolUseBlock] = []
        for index, call in enumerate(message.tool_calls or []):
            function = getattr(call, "function", None)
            if function is None:
                continue  # custom (non-function) tools are never offered by zebench
            arguments, problem = _parse_arguments(function.arguments)
            call_id = call.id or f"call_{index}"  # some compatible servers omit ids
            calls.append(ToolUseBlock(id=call_id, name=function.name, input=arguments, parse_error=problem))
        usage = self._usage(completion.usage)
        served = str(completion.model or request.model)
        # A negative, NaN or absurd figure is no price: the price table decides instead.
        measured = as_cost(_field(completion.usage, "cost")) if completion.usage is not None else None
        if self.provider == "openrouter" and measured is not None:
            cost: float | None = measured
            kind: Any = "measured"
        else:
            cost = self._estimate([served, request.model], usage)
            kind = "estimated" if cost is not None else None
        finish = choice.finish_reason
        return LLMResponse(
            text=message.content or "",
            tool_calls=calls,
            stop_reason=_FINISH_REASONS.get(str(finish), finish) if finish else None,
            model=served,
            usage=usage,
            cost_usd=cost,
            cost_kind=kind,
        )

    @staticmethod
    def _usage(raw: Any) -> TokenUsage:
        if raw is None:
            return TokenUsage()
        prompt = int(raw.prompt_tokens or 0)
        details = getattr(raw, "prompt_tokens_details", None)
        cached = int(getattr(details, "cached_tokens", None) or 0) if details is not None else 0
        cache_write = int(_field(details, "cache_write_tokens") or 0) if details is not None else 0
        # prompt_tokens includes cached tokens; split them out so each token is priced once.
        return TokenUsage(
            input=max(0, prompt - cached - cache_write),
            output=int(raw.completion_tokens or 0),
            cache_read=cached,
            cache_write=cache_write,
        )


def _with_upstream(base: Classifier) -> Classifier:
    def classify(exc: BaseException) -> Failure | None:
        if isinstance(exc, UpstreamError):
            return status_failure(exc.status, str(exc), None)
        return base(exc)

    return classify
