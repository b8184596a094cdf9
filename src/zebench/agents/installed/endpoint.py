"""How an agent CLI reaches its model: the run's model gateway, as the agent sees it.

The pipeline starts a :class:`zebench.gateway.ModelGateway` for every agent that declares its
model access (:meth:`InstalledAgent.model_access`) and hands the agent ``task.model_endpoint``:
inside the sandbox a URL on the sandbox's own loopback, forwarded to the gateway's Unix socket
(the only way out), under ``--sandbox none`` the gateway's port on the host. The key in it is a
per-run placeholder; the gateway adds the real one. This module turns that endpoint into what an
adapter configures; run outside the pipeline on the host (a test, a plug-in harness), the agent
talks to ``--base-url`` directly with a placeholder key.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from zebench.agents.base import ModelEndpoint
from zebench.errors import AgentConfigError
from zebench.results.model_calls import ModelProvider, Wire

PLACEHOLDER_KEY = "zebench-placeholder-key"
PROVIDERS: dict[Wire, ModelProvider] = {
    "anthropic-messages": "anthropic",
    "openai-chat": "openai",
    "openai-responses": "openai",
    "gemini": "google",
}


@dataclass(frozen=True)
class ModelRoute:
    """The model as the agent sees it: a root URL, the key it sends, the model name it asks for."""

    root: str  # scheme://host:port[/prefix], without the wire's own version path
    api_key: str
    model: str

    def url(self, version: str = "") -> str:
        """The base URL to configure: the root plus ``version`` (``/v1`` for OpenAI clients)."""
        return self.root + version


def upstream_url(wire: Wire, base_url: str | None) -> str | None:
    """``--base-url`` as the gateway's upstream for ``wire``: OpenAI's convention ends in ``/v1``,
    Anthropic's and Google's are the host root, so one fake-llm URL serves every agent."""
    if not base_url:
        return None
    base = base_url.rstrip("/")
    path = urlsplit(base).path
    if PROVIDERS[wire] == "openai":
        return base if path else base + "/v1"
    return base[: -len("/v1")] if path == "/v1" else base


def model_route(
    endpoint: ModelEndpoint | None, *, base_url: str | None, model: str, wire: Wire, sandboxed: bool
) -> ModelRoute:
    """The route for one run: the gateway's endpoint when the pipeline started one."""
    if endpoint is not None:
        return ModelRoute(endpoint.base_url.rstrip("/"), endpoint.api_key, model)
    if sandboxed:
        raise AgentConfigError(
            "a sandboxed CLI agent reaches its model only through the run's model gateway",
            field="model_endpoint",
            hint="run it through zebench's pipeline (zebench bench), which starts the gateway",
        )
    upstream = upstream_url(wire, base_url)
    if upstream is None:
        raise AgentConfigError(
            "a CLI agent run outside the pipeline needs a model server",
            field="--base-url",
            hint="pass --base-url",
        )
    root = upstream[: -len("/v1")] if upstream.endswith("/v1") else upstream
    return ModelRoute(root, PLACEHOLDER_KEY, model)
