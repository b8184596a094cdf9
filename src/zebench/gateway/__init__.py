"""The model gateway: the one way from an agent to a model, owned by the harness, one per run.

``ModelGateway`` is a local HTTP proxy (uvicorn on a Unix socket bound into the agent's sandbox,
and on a TCP port of 127.0.0.1) that forwards the Anthropic Messages, OpenAI Chat Completions and
Responses, and Gemini wire formats to the provider with the harness's key, records every call,
enforces the run's budgets, withholds provider-side tools and records or replays calls. See
docs/architecture.md ("The model gateway") and docs/security.md.

Exports are lazy: importing this package does not import uvicorn or httpx2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zebench._lazy import load_lazy

if TYPE_CHECKING:
    from zebench.gateway.gateway import ModelGateway
    from zebench.gateway.ledger import Budgets, GatewayVerdict
    from zebench.gateway.pinning import check_pin
    from zebench.gateway.recording import GatewayRecordingError, find_recording
    from zebench.gateway.upstream import Upstream, fake_upstreams, resolve_upstream

_LAZY = {
    "ModelGateway": "zebench.gateway.gateway",
    "check_pin": "zebench.gateway.pinning",
    "Budgets": "zebench.gateway.ledger",
    "GatewayVerdict": "zebench.gateway.ledger",
    "GatewayRecordingError": "zebench.gateway.recording",
    "find_recording": "zebench.gateway.recording",
    "Upstream": "zebench.gateway.upstream",
    "fake_upstreams": "zebench.gateway.upstream",
    "resolve_upstream": "zebench.gateway.upstream",
}


def __getattr__(name: str) -> Any:
    return load_lazy(__name__, _LAZY, globals(), name)


__all__ = [
    "Budgets",
    "GatewayRecordingError",
    "GatewayVerdict",
    "ModelGateway",
    "Upstream",
    "check_pin",
    "fake_upstreams",
    "find_recording",
    "resolve_upstream",
]
