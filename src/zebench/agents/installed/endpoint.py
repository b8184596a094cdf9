"""The one place that decides how an agent CLI reaches its model.

Until ``zebench.gateway.ModelGateway`` lands, the model server is the one ``--base-url`` (or the
wire API's usual variable) names, normally ``zebench fake-llm``. Inside the sandbox the agent sees
it at ``http://127.0.0.1:PORT`` on the sandbox's own loopback, forwarded by the launcher to a Unix
socket bound in, which a host-side relay carries to the server. Switching to the gateway means
building :class:`ModelAccess` from the gateway's ``unix_socket`` / ``host_url`` here, nothing else.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from zebench.agents.installed.pins import WireApi
from zebench.agents.installed.relay import SocketRelay
from zebench.errors import AgentConfigError

PLACEHOLDER_KEY = "zebench-placeholder-key"  # what agents send; the gateway adds the real key
SOCKET_DIR_INSIDE = "/run/zebench"
INSIDE_PORT = 18431  # the sandbox's own loopback: free, since nothing else runs there
BASE_URL_ENV: dict[WireApi, str] = {
    "anthropic-messages": "ANTHROPIC_BASE_URL",
    "openai-chat": "OPENAI_BASE_URL",
    "openai-responses": "OPENAI_BASE_URL",
    "gemini": "GOOGLE_GEMINI_BASE_URL",
}


@dataclass(frozen=True)
class ModelAccess:
    """The model as the agent sees it, and what its sandbox needs for that."""

    origin: str  # scheme://host:port as seen by the agent
    prefix: str  # the server's path prefix ("" or "/v1" ...), kept as given
    api_key: str
    model: str
    sockets: tuple[tuple[str, str], ...] = ()  # (host folder, folder inside) holding the socket
    forwards: tuple[tuple[int, str], ...] = ()  # (port on the sandbox loopback, socket inside)

    def url(self, default_prefix: str = "") -> str:
        """The base URL to configure: the origin, then the server's prefix or ``default_prefix``."""
        return self.origin + (self.prefix or default_prefix)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def model_access(
    *,
    base_url: str | None,
    model: str,
    wire: WireApi,
    sandboxed: bool,
    shared_network: bool,
    environ: Mapping[str, str],
) -> Iterator[ModelAccess]:
    """The agent's way to its model for one run; the relay (if any) ends with the block."""
    variable = BASE_URL_ENV[wire]
    target = base_url or environ.get(variable)
    if not target:
        raise AgentConfigError(
            "a CLI agent needs a model server to talk to",
            field="--base-url",
            hint=f"pass --base-url (or set {variable}), e.g. the URL `zebench fake-llm` prints",
        )
    parts = urlsplit(target)
    if parts.scheme != "http" or not parts.hostname or parts.port is None:
        raise AgentConfigError(
            f"{target} is not a local http://HOST:PORT server",
            field="--base-url",
            hint="until the model gateway lands, CLI agents reach a local server such as `zebench fake-llm`",
        )
    prefix = parts.path.rstrip("/")
    if not sandboxed:
        yield ModelAccess(f"http://{parts.netloc}", prefix, PLACEHOLDER_KEY, model)
        return
    relay = SocketRelay(parts.hostname, parts.port)
    try:
        # A sandbox sharing the host's network shares its loopback too: take a port free there.
        port = _free_port() if shared_network else INSIDE_PORT
        yield ModelAccess(
            f"http://127.0.0.1:{port}",
            prefix,
            PLACEHOLDER_KEY,
            model,
            sockets=((str(relay.folder), SOCKET_DIR_INSIDE),),
            forwards=((port, f"{SOCKET_DIR_INSIDE}/model.sock"),),
        )
    finally:
        relay.close()
