"""Agents under test: the :class:`Agent` protocol, the built-in agents and the plug-in registry.

``create_agent(name, options)`` builds one agent per run; plug-ins register classes or factories in
the ``zebench.agents`` entry point group.
"""

from zebench.agents.base import (
    Agent,
    AgentOptions,
    AgentResult,
    AgentStatus,
    AgentTask,
    ModelAccess,
    ModelEndpoint,
    model_access_of,
)
from zebench.agents.registry import BUILTIN_AGENTS, ENTRY_POINT_GROUP, agent_names, create_agent

__all__ = [
    "BUILTIN_AGENTS",
    "ENTRY_POINT_GROUP",
    "Agent",
    "AgentOptions",
    "AgentResult",
    "AgentStatus",
    "AgentTask",
    "ModelAccess",
    "ModelEndpoint",
    "agent_names",
    "create_agent",
    "model_access_of",
]
