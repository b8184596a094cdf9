"""What ``zebench agents`` lists: every agent, its pinned version, whether it is installed, its
wire API and what it needs. Library code, so the CLI stays a thin shell."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from zebench.agents.installed.install import install_dir, installed
from zebench.agents.installed.pins import PINS
from zebench.agents.registry import BUILTIN_AGENTS, agent_names

# Agents that are not installed CLIs: what they are and need, for the listing.
_OTHERS: dict[str, tuple[str, str, str]] = {
    "echo": ("built-in", "-", "nothing"),
    "oracle": ("built-in", "-", "a scenario solution"),
    "replay": ("built-in", "-", "--replay DIR"),
    "anthropic": ("tool loop", "anthropic-messages", "ANTHROPIC_API_KEY"),
    "openrouter": ("tool loop", "openai-chat", "OPENROUTER_API_KEY, --model"),
    "openai": ("tool loop", "openai-chat", "OPENAI_API_KEY or --base-url"),
    "command": ("your command", "any (placeholders)", "--agent-command TEMPLATE, --base-url"),
}


class AgentInfo(BaseModel):
    """One row of ``zebench agents``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str  # "CLI", "tool loop", "built-in", "your command" or "plug-in"
    package: str | None = None
    version: str | None = None
    installed: bool | None = None  # None: nothing to install
    location: str | None = None  # the cached installation, or the user's binary
    wire_api: str
    needs: str


def agent_catalog(environ: Mapping[str, str] | None = None) -> list[AgentInfo]:
    """Every agent :func:`~zebench.agents.create_agent` knows, CLIs first."""
    env = os.environ if environ is None else environ
    rows: list[AgentInfo] = []
    for pin in PINS.values():
        own = env.get(pin.env_var)
        found = installed(pin)
        runtime = "node" if pin.registry == "npm" else "python venv"
        rows.append(
            AgentInfo(
                name=pin.name,
                kind="CLI",
                package=pin.package,
                version=pin.version,
                installed=bool(own) or found is not None,
                location=own or (found.binary if found else str(install_dir(pin))),
                wire_api=pin.wire_api,
                needs=f"{runtime}; the upstream's key or --base-url",
            )
        )
    for name in agent_names():
        if name in PINS:
            continue
        kind, wire, needs = _OTHERS.get(
            name, ("plug-in" if name not in BUILTIN_AGENTS else "built-in", "-", "-")
        )
        rows.append(AgentInfo(name=name, kind=kind, wire_api=wire, needs=needs))
    return rows
