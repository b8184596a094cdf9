"""OpenAI Chat Completions (and OpenRouter's, and compatible servers'): JSON or SSE."""

from __future__ import annotations

from typing import Any, ClassVar

from zebench.gateway.wires.base import (
    Route,
    StreamReader,
    StreamUsage,
    WireFormat,
    as_dict,
    as_int,
    granted,
    integer,
    number,
    text,
)
from zebench.results.model_calls import GenerationSettings, ModelUsage, Wire

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error"}
_CLIENT_TOOL_TYPES = {"function", "custom"}


def chat_usage(raw: dict[str, Any]) -> ModelUsage:
    """Chat usage; ``prompt_tokens`` includes cached tokens, split out so each is priced once."""
    details = as_dict(raw.get("prompt_tokens_details"))
    cached = as_int(details.get("cached_tokens"))
    written = as_int(details.get("cache_write_tokens"))  # OpenRouter's cache writes
    output = as_dict(raw.get("completion_tokens_details"))
    return ModelUsage(
        input=max(0, as_int(raw.get("prompt_tokens")) - cached - written),
        output=as_int(raw.get("completion_tokens")),
        cache_read=cached,
        cache_write=written,
        reasoning=as_int(output.get("reasoning_tokens")),
    )


def openai_error(status: int, message: str, code: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def openai_models_route(wire: Wire, method: str, path: str) -> Route | None:
    """``GET /v1/models[/{id}]``, forwarded as ``/models...`` on a ``…/v1`` base URL."""
    if method == "GET" and (path == "/v1/models" or path.startswith("/v1/models/")):
        return Route(wire, "models", path.removeprefix("/v1"))
    return None


class OpenAIChat(WireFormat):
    wire: ClassVar[Wire] = "openai-chat"

    def match(self, method: str, path: str) -> Route | None:
        if method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            return Route(self.wire, "generate", "/chat/completions")
        return openai_models_route(self.wire, method, path)

    def withhold_tools(self, body: dict[str, Any], grants: frozenset[str]) -> list[str]:
        withheld: list[str] = []
        if "web_search_options" in body and not granted("web_search", grants):
            body.pop("web_search_options")
            withheld.append("web_search")
        plugins = body.get("plugins")  # OpenRouter's web plugin searches the web at the provider
        if isinstance(plugins, list) and not granted("web_search", grants):
            kept = [p for p in plugins if as_dict(p).get("id") != "web"]
            if len(kept) != len(plugins):
                withheld.append("web_search")
                body["plugins"] = kept
        tools = body.get("tools")
        if isinstance(tools, list):
            kept_tools = []
            for tool in tools:
                kind = as_dict(tool).get("type")
                if isinstance(kind, str) and kind not in _CLIENT_TOOL_TYPES and not granted(kind, grants):
                    withheld.append(kind)
                    continue
                kept_tools.append(tool)
            if len(kept_tools) != len(tools):
                if kept_tools:
                    body["tools"] = kept_tools
                else:
                    body.pop("tools", None)
                    body.pop("tool_choice", None)
        return withheld

    def settings(self, body: dict[str, Any]) -> GenerationSettings:
        reasoning = as_dict(body.get("reasoning"))  # OpenRouter's form
        limit = integer(body.get("max_completion_tokens"))
        return GenerationSettings(
            temperature=number(body.get("temperature")),
            top_p=number(body.get("top_p")),
            max_tokens=limit if limit is not None else integer(body.get("max_tokens")),
            reasoning_effort=text(body.get("reasoning_effort")) or text(reasoning.get("effort")),
            thinking_budget=integer(reasoning.get("max_tokens")),
        )

    def pin(self, body: dict[str, Any], pin: dict[str, Any]) -> list[str]:
        applied: list[str] = []
        for key in ("temperature", "top_p"):
            if key in pin:
                body[key] = pin[key]
                applied.append(key)
        if "max_tokens" in pin:
            # Reasoning models take only max_completion_tokens: keep whichever the agent used.
            key = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
            body[key] = pin["max_tokens"]
            applied.append("max_tokens")
        if "reasoning_effort" in pin:
            body["reasoning_effort"] = pin["reasoning_effort"]
            applied.append("reasoning_effort")
        return applied

    def prepare_stream(self, body: dict[str, Any]) -> bool:
        options = body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            return False
        # Without it the stream carries no usage at all; the extra chunk is kept from the agent.
        body["stream_options"] = {**as_dict(options), "include_usage": True}
        return True

    def usage_of(self, body: Any) -> StreamUsage:
        data = as_dict(body)
        raw = as_dict(data.get("usage"))
        return StreamUsage(
            usage=chat_usage(raw), model=text(data.get("model")), cost_usd=number(raw.get("cost"))
        )

    def stream_reader(self, *, hide_usage: bool = False) -> StreamReader:
        return _Reader(hide_usage=hide_usage)

    def error_body(self, status: int, message: str, code: str) -> dict[str, Any]:
        return openai_error(status, message, code)


class _Reader(StreamReader):
    """The usage arrives in one chunk near the end (``choices: []`` when asked for)."""

    def on_json(self, event: str | None, data: dict[str, Any]) -> bool | None:
        self.found.model = text(data.get("model")) or self.found.model
        raw = data.get("usage")
        if not isinstance(raw, dict):
            return True
        self.found.usage = chat_usage(raw)
        self.found.cost_usd = number(raw.get("cost"))
        # The usage-only chunk the gateway asked for: the agent did not, so it does not see it.
        return not (self.hide_usage and data.get("choices") == [])
