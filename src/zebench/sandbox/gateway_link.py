"""How an agent's sandbox reaches the run's model gateway, and nothing else.

The gateway's Unix socket is bound read-only into the sandbox at :data:`SOCKET_IN_SANDBOX`, and a
forwarder (``_forwarder.py``) listens on :data:`PORT_IN_SANDBOX` of the sandbox's own loopback:
the agent's base URL is ``http://127.0.0.1:PORT_IN_SANDBOX``. The sandbox has no other way out.
"""

from __future__ import annotations

import sys
from pathlib import Path

SOCKET_IN_SANDBOX = "/run/zebench/gateway.sock"
PORT_IN_SANDBOX = 8790
FORWARDER_SOURCE = (Path(__file__).with_name("_forwarder.py")).read_text(encoding="utf-8")


def url_in_sandbox() -> str:
    """The gateway's base URL as the agent sees it inside the sandbox."""
    return f"http://127.0.0.1:{PORT_IN_SANDBOX}"


def session_args() -> list[str]:
    """Arguments after the session server's FD: it starts the forwarder before reporting ready."""
    return [str(PORT_IN_SANDBOX), SOCKET_IN_SANDBOX, FORWARDER_SOURCE]


def wrap_with_forwarder(argv: list[str]) -> list[str]:
    """``argv`` preceded by the forwarder, for a command run in a sandbox of its own."""
    return [
        sys.executable,
        "-I",
        "-S",
        "-c",
        FORWARDER_SOURCE,
        str(PORT_IN_SANDBOX),
        SOCKET_IN_SANDBOX,
        "--",
        *argv,
    ]
