"""OpenAI Responses: ``POST /v1/responses`` (JSON or SSE), the wire Codex speaks."""

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
from zebench.gateway.wires.openai_chat import openai_error, openai_models_route
from zebench.results.model_calls import GenerationSettings, ModelUsage, Wire

# Hosted tools OpenAI runs itself, by type, under the names grants use.
_HOSTED_TOOLS = {
    "web_search": "web_search",
    "web_search_preview": "web_search",
    "file_search": "file_search",
    "code_interpreter": "code_execution",
    "mcp": "mcp",
    "computer_use_preview": "computer_use",
    "computer_use": "computer_use",
    "computer": "computer_use",
    "image_generation": "image_generation",
}
# Tools whose calls the client executes (Codex's shell and apply_patch among them): kept.
_CLIENT_TOOLS = {"function", "custom", "local_shell", "shell", "apply_patch"}
_FINAL_EVENTS = {"response.completed", "response.incomplete", "response.failed"}


def responses_usage(raw: dict[str, Any]) -> ModelUsage:
    """Responses usage; ``input_tokens`` includes cached (and cache-written) tokens, split out so
    each is priced once."""
    details = as_dict(raw.get("input_tokens_details"))
    cached = as_int(details.get("cached_tokens"))
    written = as_int(details.get("cache_write_tokens"))
    reasoning = as_int(as_dict(raw.get("output_tokens_details")).get("reasoning_tokens"))
    return ModelUsage(
        input=max(0, as_int(raw.get("input_tokens")) - cached - written),
        output=as_int(raw.get("output_tokens")),
        cache_read=cached,
        cache_write=written,
        reasoning=reasoning,
    )


def _tool_name(kind: str) -> str:
    for prefix, name in _HOSTED_TOOLS.items():
        if kind == prefix or kind.startswith(prefix + "_"):  # dated variants: web_search_preview_2025_03_11
            return name
    return kind


class OpenAIResponses(WireFormat):
    wire: ClassVar[Wire] = "openai-responses"

    def match(self, method: str, path: str) -> Route | None:
        if method == "POST" and path in ("/v1/responses", "/responses"):
            return Route(self.wire, "generate", "/responses")
        if method == "POST" and path in ("/v1/responses/input_tokens", "/responses/input_tokens"):
            return Route(self.wire, "count", "/responses/input_tokens")
        return openai_models_route(self.wire, method, path)

    def withhold_tools(self, body: dict[str, Any], grants: frozenset[str]) -> list[str]:
        tools = body.get("tools")
        if not isinstance(tools, list):
            return []
        withheld: list[str] = []
        kept = []
        for tool in tools:
            kind = as_dict(tool).get("type")
            if isinstance(kind, str) and kind not in _CLIENT_TOOLS:
                name = _tool_name(kind)
                if not granted(name, grants):
                    withheld.append(name)
                    continue
            kept.append(tool)
        if withheld:
            body["tools"] = kept
            choice = body.get("tool_choice")
            if isinstance(choice, dict) and choice.get("type") not in ("function", "custom", None):
                body.pop("tool_choice")
            if not kept:
                body.pop("tools")
                body.pop("tool_choice", None)
        return withheld

    def settings(self, body: dict[str, Any]) -> GenerationSettings:
        reasoning = as_dict(body.get("reasoning"))
        return GenerationSettings(
            temperature=number(body.get("temperature")),
            top_p=number(body.get("top_p")),
            max_tokens=integer(body.get("max_output_tokens")),
            reasoning_effort=text(reasoning.get("effort")),
        )

    def pin(self, body: dict[str, Any], pin: dict[str, Any]) -> list[str]:
        applied: list[str] = []
        for key in ("temperature", "top_p"):
            if key in pin:
                body[key] = pin[key]
                applied.append(key)
        if "max_tokens" in pin:
            body["max_output_tokens"] = pin["max_tokens"]
            applied.append("max_tokens")
        if "reasoning_effort" in pin:
            body["reasoning"] = {**as_dict(body.get("reasoning")), "effort": pin["reasoning_effort"]}
            applied.append("reasoning_effort")
        return applied

    def usage_of(self, body: Any) -> StreamUsage:
        data = as_dict(body)
        return StreamUsage(usage=responses_usage(as_dict(data.get("usage"))), model=text(data.get("model")))

    def stream_reader(self, *, hide_usage: bool = False) -> StreamReader:
        return _Reader()

    def error_body(self, status: int, message: str, code: str) -> dict[str, Any]:
        return openai_error(status, message, code)


class _Reader(StreamReader):
    """The final ``response.completed`` (or ``incomplete``/``failed``) event carries the usage."""

    def on_json(self, event: str | None, data: dict[str, Any]) -> bool | None:
        kind = data.get("type") or event
        response = as_dict(data.get("response"))
        if response:
            self.found.model = text(response.get("model")) or self.found.model
        if kind in _FINAL_EVENTS and isinstance(response.get("usage"), dict):
            self.found.usage = responses_usage(response["usage"])
        return True
