"""Gemini: ``generateContent`` and ``streamGenerateContent`` (SSE with ``alt=sse``, else a JSON array)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from zebench.gateway.wires.base import (
    Route,
    RouteKind,
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

_MODEL_PATH = re.compile(
    r"^/(?P<version>v1beta|v1|v1alpha)/models/(?P<model>[A-Za-z0-9._\-]+)"
    r":(?P<method>generateContent|streamGenerateContent|countTokens)$"
)
_LIST_PATH = re.compile(r"^/(v1beta|v1|v1alpha)/models(/[A-Za-z0-9._\-]+)?$")
# Tool entries Gemini runs itself, by key, under the names grants use.
_HOSTED_TOOLS = {
    "googleSearch": "web_search",
    "google_search": "web_search",
    "googleSearchRetrieval": "web_search",
    "google_search_retrieval": "web_search",
    "enterpriseWebSearch": "web_search",
    "codeExecution": "code_execution",
    "code_execution": "code_execution",
    "urlContext": "web_fetch",
    "url_context": "web_fetch",
    "googleMaps": "google_maps",
    "computerUse": "computer_use",
    "fileSearch": "file_search",
    "retrieval": "retrieval",
}
_CLIENT_KEYS = {"functionDeclarations", "function_declarations"}
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


def gemini_usage(raw: dict[str, Any]) -> ModelUsage:
    """``usageMetadata``: the prompt count includes cached tokens; thoughts are billed as output."""
    cached = as_int(raw.get("cachedContentTokenCount"))
    prompt = as_int(raw.get("promptTokenCount")) + as_int(raw.get("toolUsePromptTokenCount"))
    thoughts = as_int(raw.get("thoughtsTokenCount"))
    return ModelUsage(
        input=max(0, prompt - cached),
        output=as_int(raw.get("candidatesTokenCount")) + thoughts,
        cache_read=cached,
        reasoning=thoughts,
    )


class Gemini(WireFormat):
    wire: ClassVar[Wire] = "gemini"

    def match(self, method: str, path: str) -> Route | None:
        found = _MODEL_PATH.match(path)
        if method == "POST" and found:
            kind: RouteKind = "count" if found["method"] == "countTokens" else "generate"
            return Route(
                self.wire,
                kind,
                path,
                path_model=found["model"],
                path_stream=found["method"] == "streamGenerateContent",
            )
        if method == "GET" and _LIST_PATH.match(path):
            return Route(self.wire, "models", path)
        return None

    def model(self, route: Route, body: dict[str, Any]) -> str | None:
        return route.path_model

    def set_model(self, route: Route, body: dict[str, Any], model: str) -> Route:
        found = _MODEL_PATH.match(route.upstream_path)
        if found is None or "/" in model:
            return route
        path = f"/{found['version']}/models/{model}:{found['method']}"
        return Route(route.wire, route.kind, path, path_model=model, path_stream=route.path_stream)

    def withhold_tools(self, body: dict[str, Any], grants: frozenset[str]) -> list[str]:
        tools = body.get("tools")
        if not isinstance(tools, list):
            return []
        withheld: list[str] = []
        kept: list[Any] = []
        for tool in tools:
            entry = as_dict(tool)
            clean = {}
            for key, value in entry.items():
                name = _HOSTED_TOOLS.get(key, key)
                if key in _CLIENT_KEYS or granted(name, grants):
                    clean[key] = value
                else:
                    withheld.append(name)
            if clean:
                kept.append(clean)
        if withheld:
            if kept:
                body["tools"] = kept
            else:
                body.pop("tools")
                body.pop("toolConfig", None)
        return withheld

    def settings(self, body: dict[str, Any]) -> GenerationSettings:
        config = as_dict(body.get("generationConfig"))
        thinking = as_dict(config.get("thinkingConfig"))
        return GenerationSettings(
            temperature=number(config.get("temperature")),
            top_p=number(config.get("topP")),
            max_tokens=integer(config.get("maxOutputTokens")),
            reasoning_effort=text(thinking.get("thinkingLevel")),
            thinking_budget=integer(thinking.get("thinkingBudget")),
        )

    def pin(self, body: dict[str, Any], pin: dict[str, Any]) -> list[str]:
        config = dict(as_dict(body.get("generationConfig")))
        thinking = dict(as_dict(config.get("thinkingConfig")))
        applied: list[str] = []
        for key, wire_key in (
            ("temperature", "temperature"),
            ("top_p", "topP"),
            ("max_tokens", "maxOutputTokens"),
        ):
            if key in pin:
                config[wire_key] = pin[key]
                applied.append(key)
        for key, wire_key in (("reasoning_effort", "thinkingLevel"), ("thinking_budget", "thinkingBudget")):
            if key in pin:
                thinking[wire_key] = pin[key]
                applied.append(key)
        if thinking:
            config["thinkingConfig"] = thinking
        if applied:
            body["generationConfig"] = config
        return applied

    def usage_of(self, body: Any) -> StreamUsage:
        # streamGenerateContent without alt=sse answers a JSON array of chunks: the last one counts.
        data = as_dict(body[-1]) if isinstance(body, list) and body else as_dict(body)
        return StreamUsage(
            usage=gemini_usage(as_dict(data.get("usageMetadata"))), model=text(data.get("modelVersion"))
        )

    def stream_reader(self, *, hide_usage: bool = False) -> StreamReader:
        return _Reader()

    def error_body(self, status: int, message: str, code: str) -> dict[str, Any]:
        state = _STATUS.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION")
        if code == "budget_exceeded":
            state = "RESOURCE_EXHAUSTED"
        return {"error": {"code": status, "message": message, "status": state}}


class _Reader(StreamReader):
    """Every chunk may carry ``usageMetadata``; the counts are cumulative, the last one wins."""

    def on_json(self, event: str | None, data: dict[str, Any]) -> bool | None:
        self.found.model = text(data.get("modelVersion")) or self.found.model
        raw = data.get("usageMetadata")
        if isinstance(raw, dict):
            self.found.usage = gemini_usage(raw)
        return True
