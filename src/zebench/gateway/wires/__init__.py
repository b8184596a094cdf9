"""The wire formats the gateway serves, one module each; :func:`route` finds a request's."""

from __future__ import annotations

from collections.abc import Mapping

from zebench.gateway.wires.anthropic import AnthropicMessages
from zebench.gateway.wires.base import PIN_KEYS, Route, StreamReader, StreamUsage, WireFormat
from zebench.gateway.wires.gemini import Gemini
from zebench.gateway.wires.openai_chat import OpenAIChat
from zebench.gateway.wires.openai_responses import OpenAIResponses
from zebench.results.model_calls import Wire

FORMATS: dict[Wire, WireFormat] = {
    fmt.wire: fmt for fmt in (AnthropicMessages(), OpenAIChat(), OpenAIResponses(), Gemini())
}


def route(method: str, path: str, headers: Mapping[str, str], served: tuple[Wire, ...]) -> Route | None:
    """The route of a request among the ``served`` wires; None when none serves it.

    ``GET /v1/models`` exists in three wires: the client's headers decide (``anthropic-version``,
    ``x-goog-api-key``), else the first served wire that lists models.
    """
    found = [r for wire in served if (r := FORMATS[wire].match(method, path)) is not None]
    if len(found) > 1:
        if "anthropic-version" in headers:
            found = [r for r in found if r.wire == "anthropic-messages"] or found
        elif "x-goog-api-key" in headers:
            found = [r for r in found if r.wire == "gemini"] or found
        else:
            found = [r for r in found if r.wire != "anthropic-messages"] or found
    return found[0] if found else None


def guess_wire(path: str, headers: Mapping[str, str], served: tuple[Wire, ...]) -> Wire:
    """The wire whose error shape suits a request no route serves."""
    if "anthropic-version" in headers or path.startswith("/v1/messages"):
        return "anthropic-messages"
    if "x-goog-api-key" in headers or path.startswith("/v1beta"):
        return "gemini"
    if "responses" in path:
        return "openai-responses"
    return "openai-chat" if "openai-chat" in served or not served else served[0]


__all__ = ["FORMATS", "PIN_KEYS", "Route", "StreamReader", "StreamUsage", "WireFormat", "guess_wire", "route"]
