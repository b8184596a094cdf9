"""Anthropic Messages: ``POST /v1/messages`` (JSON or SSE), ``count_tokens`` and the model list."""

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

# Server tools run at Anthropic (they reach the web or run code there), by their type's prefix.
_SERVER_TOOLS = {
    "web_search": "web_search",
    "web_fetch": "web_fetch",
    "code_execution": "code_execution",
    "tool_search_tool": "tool_search",
}
# Anthropic-defined tools the client executes (in the agent's sandbox): kept.
_CLIENT_TOOL_PREFIXES = ("custom", "bash_", "text_editor_", "computer_", "memory_")
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error"}


def usage_fields(raw: dict[str, Any]) -> ModelUsage:
    """Messages usage: ``input_tokens`` excludes the cache reads and writes, reported apart; the
    writes' ``cache_creation`` breakdown says how many were written for an hour."""
    written = as_int(raw.get("cache_creation_input_tokens"))
    hour = as_int(as_dict(raw.get("cache_creation")).get("ephemeral_1h_input_tokens"))
    return ModelUsage(
        input=as_int(raw.get("input_tokens")),
        output=as_int(raw.get("output_tokens")),
        cache_read=as_int(raw.get("cache_read_input_tokens")),
        cache_write=written,
        cache_write_1h=min(hour, written),
    )


class AnthropicMessages(WireFormat):
    wire: ClassVar[Wire] = "anthropic-messages"

    def match(self, method: str, path: str) -> Route | None:
        if method == "POST" and path == "/v1/messages":
            return Route(self.wire, "generate", path)
        if method == "POST" and path == "/v1/messages/count_tokens":
            return Route(self.wire, "count", path)
        if method == "GET" and (path == "/v1/models" or path.startswith("/v1/models/")):
            return Route(self.wire, "models", path)
        return None

    def withhold_tools(self, body: dict[str, Any], grants: frozenset[str]) -> list[str]:
        withheld: list[str] = []
        tools = body.get("tools")
        if isinstance(tools, list):
            kept = []
            for tool in tools:
                name = self._server_tool(tool)
                if name is not None and not granted(name, grants):
                    withheld.append(name)
                    continue
                kept.append(tool)
            if len(kept) != len(tools):
                self._drop_choice(body, {str(as_dict(t).get("name")) for t in tools if t not in kept})
                if kept:
                    body["tools"] = kept
                else:
                    body.pop("tools", None)
        if "mcp_servers" in body and not granted("mcp", grants):
            body.pop("mcp_servers")
            withheld.append("mcp")
        if "container" in body and "code_execution" in withheld:
            body.pop("container")
        return withheld

    @staticmethod
    def _server_tool(tool: Any) -> str | None:
        kind = as_dict(tool).get("type")
        if not isinstance(kind, str) or kind.startswith(_CLIENT_TOOL_PREFIXES):
            return None  # a custom tool (no type) or one the client runs
        for prefix, name in _SERVER_TOOLS.items():
            if kind.startswith(prefix):
                return name
        return kind  # unknown server-side kinds are withheld too, under their own name

    @staticmethod
    def _drop_choice(body: dict[str, Any], removed: set[str]) -> None:
        choice = as_dict(body.get("tool_choice"))
        if (choice.get("type") == "tool" and choice.get("name") in removed) or "tools" not in body:
            body.pop("tool_choice", None)

    def settings(self, body: dict[str, Any]) -> GenerationSettings:
        thinking = as_dict(body.get("thinking"))
        effort = as_dict(body.get("output_config")).get("effort")
        return GenerationSettings(
            temperature=number(body.get("temperature")),
            top_p=number(body.get("top_p")),
            max_tokens=integer(body.get("max_tokens")),
            reasoning_effort=text(effort),
            thinking_budget=integer(thinking.get("budget_tokens")),
        )

    def pin(self, body: dict[str, Any], pin: dict[str, Any]) -> list[str]:
        applied: list[str] = []
        for key in ("temperature", "top_p", "max_tokens"):
            if key in pin:
                body[key] = pin[key]
                applied.append(key)
        if "thinking_budget" in pin:
            body["thinking"] = {"type": "enabled", "budget_tokens": pin["thinking_budget"]}
            applied.append("thinking_budget")
        return applied

    def usage_of(self, body: Any) -> StreamUsage:
        data = as_dict(body)
        return StreamUsage(usage=usage_fields(as_dict(data.get("usage"))), model=text(data.get("model")))

    def stream_reader(self, *, hide_usage: bool = False) -> StreamReader:
        return _Reader()

    def error_body(self, status: int, message: str, code: str) -> dict[str, Any]:
        kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {"type": "error", "error": {"type": kind, "message": message}}


class _Reader(StreamReader):
    """``message_start`` carries the input side, ``message_delta`` the cumulative output."""

    def on_json(self, event: str | None, data: dict[str, Any]) -> bool | None:
        kind = data.get("type")
        if kind == "message_start":
            message = as_dict(data.get("message"))
            self.found.model = text(message.get("model")) or self.found.model
            self._merge(as_dict(message.get("usage")))
        elif kind == "message_delta":
            self._merge(as_dict(data.get("usage")))
        return True

    def _merge(self, raw: dict[str, Any]) -> None:
        # Counts are cumulative; a field the event leaves out (or sends as null) keeps its value.
        current = self.found.usage
        fresh = usage_fields(raw)

        def pick(key: str, new: int, old: int) -> int:
            return new if isinstance(raw.get(key), int) else old

        written = pick("cache_creation_input_tokens", fresh.cache_write, current.cache_write)
        creation = raw.get("cache_creation")
        hour = (
            as_int(creation.get("ephemeral_1h_input_tokens"))
            if isinstance(creation, dict)
            else current.cache_write_1h
        )
        self.found.usage = ModelUsage(
            input=pick("input_tokens", fresh.input, current.input),
            output=pick("output_tokens", fresh.output, current.output),
            cache_read=pick("cache_read_input_tokens", fresh.cache_read, current.cache_read),
            cache_write=written,
            cache_write_1h=min(hour, written),
        )
