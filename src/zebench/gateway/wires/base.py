"""What each wire format module provides: routes, model names, tools, settings, usage and errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from zebench.results.model_calls import GenerationSettings, ModelUsage, Wire

RouteKind = Literal["generate", "count", "models"]
PIN_KEYS = ("temperature", "top_p", "max_tokens", "reasoning_effort", "thinking_budget")
ALL_TOOLS = "all"


@dataclass
class Route:
    """A request the gateway serves: its wire, what it is, and the path to send upstream."""

    wire: Wire
    kind: RouteKind
    upstream_path: str  # relative to the upstream's base URL
    path_model: str | None = None  # the model named in the path (Gemini)
    path_stream: bool = False  # streaming decided by the path (Gemini's streamGenerateContent)


@dataclass
class StreamUsage:
    """Usage and the served model read from a reply, JSON or stream."""

    usage: ModelUsage = field(default_factory=ModelUsage)
    model: str | None = None
    cost_usd: float | None = None  # a provider-measured cost (OpenRouter), when reported


def as_int(value: Any) -> int:
    """A token count from a provider field; anything not a non-negative int counts 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_json(data: str) -> Any:
    try:
        return json.loads(data)
    except (json.JSONDecodeError, ValueError):
        return None


def granted(name: str, grants: frozenset[str]) -> bool:
    """Whether the provider tool ``name`` is granted (``all`` grants every one)."""
    return ALL_TOOLS in grants or name in grants


class WireFormat:
    """One wire format. Subclasses implement each hook over a request or reply body (a dict)."""

    wire: ClassVar[Wire]

    def match(self, method: str, path: str) -> Route | None:
        """The route for ``method path`` (query excluded), or None when this wire does not serve it."""
        raise NotImplementedError

    def model(self, route: Route, body: dict[str, Any]) -> str | None:
        return route.path_model or text(body.get("model"))

    def set_model(self, route: Route, body: dict[str, Any], model: str) -> Route:
        """Send ``model`` instead of what the agent named; returns the (maybe changed) route."""
        body["model"] = model
        return route

    def is_stream(self, route: Route, body: dict[str, Any]) -> bool:
        return route.path_stream or body.get("stream") is True

    def withhold_tools(self, body: dict[str, Any], grants: frozenset[str]) -> list[str]:
        """Take provider-side tools out of ``body`` unless granted; returns the names taken out."""
        raise NotImplementedError

    def settings(self, body: dict[str, Any]) -> GenerationSettings:
        raise NotImplementedError

    def pin(self, body: dict[str, Any], pin: dict[str, Any]) -> list[str]:
        """Set the pinned generation settings in ``body``; returns the keys that apply to this wire."""
        raise NotImplementedError

    def usage_of(self, body: Any) -> StreamUsage:
        """Usage of a complete JSON reply."""
        raise NotImplementedError

    def stream_reader(self, *, hide_usage: bool = False) -> StreamReader:
        """A reader for a streamed reply; ``hide_usage``: what :meth:`prepare_stream` returned."""
        raise NotImplementedError

    def error_body(self, status: int, message: str, code: str) -> dict[str, Any]:
        """An error in this wire's own shape; ``code`` is zebench's (``budget_exceeded``...)."""
        raise NotImplementedError

    def prepare_stream(self, body: dict[str, Any]) -> bool:
        """Adjust a streaming request so the reply carries usage (OpenAI Chat needs asking).

        True when the gateway asked for something the agent did not: the reader then keeps the
        extra events from the agent, which sees the stream it would have seen without the gateway.
        """
        return False


class StreamReader:
    """Reads usage out of a reply's server-sent events as they pass; decides which to pass on."""

    def __init__(self, *, hide_usage: bool = False) -> None:
        self.hide_usage = hide_usage
        self.found = StreamUsage()

    def feed(self, event: str | None, data: str) -> bool:
        """Take one event; False to keep it from the agent (only what the gateway itself added)."""
        parsed = parse_json(data)
        if isinstance(parsed, dict):
            return self.on_json(event, parsed) is not False
        return True

    def on_json(self, event: str | None, data: dict[str, Any]) -> bool | None:
        """Read one event's JSON; return False to drop it."""
        raise NotImplementedError
