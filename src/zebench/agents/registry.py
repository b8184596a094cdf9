"""Find agents by name: the built-ins, then plug-ins from the ``zebench.agents`` entry point group."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

from zebench.agents.base import Agent, AgentOptions
from zebench.errors import AgentConfigError

ENTRY_POINT_GROUP = "zebench.agents"

# Import strings, so an agent's SDK (anthropic, openai) is imported only when that agent is created.
BUILTIN_AGENTS: dict[str, str] = {
    "echo": "zebench.agents.builtin:EchoAgent",
    "oracle": "zebench.agents.builtin:OracleAgent",
    "anthropic": "zebench.agents.anthropic:AnthropicAgent",
    "openrouter": "zebench.agents.openai_compat:OpenRouterAgent",
    "openai": "zebench.agents.openai_compat:OpenAIAgent",
    "claude-code": "zebench.agents.installed.claude_code:ClaudeCodeAgent",
    "codex": "zebench.agents.installed.codex:CodexAgent",
    "gemini-cli": "zebench.agents.installed.gemini:GeminiAgent",
    "qwen-code": "zebench.agents.installed.qwen:QwenAgent",
    "opencode": "zebench.agents.installed.opencode:OpencodeAgent",
    "aider": "zebench.agents.installed.aider:AiderAgent",
    "mini-swe-agent": "zebench.agents.installed.mini_swe:MiniSweAgent",
    "command": "zebench.agents.installed.command:CommandAgent",
    "replay": "zebench.agents.replay:ReplayAgent",
}


def _plugins() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def agent_names() -> list[str]:
    """Every agent name that :func:`create_agent` accepts, sorted."""
    return sorted(set(BUILTIN_AGENTS) | set(_plugins()))


def create_agent(name: str, options: AgentOptions) -> Agent:
    """A new agent instance for one run. Built-in names win over plug-ins of the same name.

    Raises :class:`AgentConfigError` for an unknown name, a factory that cannot be imported or fails,
    or an object that does not implement :class:`Agent`.
    """
    if name in BUILTIN_AGENTS:
        factory = _import(name, BUILTIN_AGENTS[name])
        source = BUILTIN_AGENTS[name]
    else:
        plugin = _plugins().get(name)
        if plugin is None:
            raise AgentConfigError(
                f"unknown agent {name!r}",
                field="agent",
                hint=f"known agents: {', '.join(agent_names())}",
            )
        source = plugin.value
        try:
            factory = plugin.load()
        except Exception as exc:
            raise AgentConfigError(
                f"agent plug-in {name!r} ({source}) could not be loaded: {exc}",
                field="agent",
                hint="reinstall the package that provides it",
            ) from exc
    if not callable(factory):
        raise AgentConfigError(
            f"agent {name!r} ({source}) is not a class or factory", field="agent", hint="fix the entry point"
        )
    agent = factory(options)
    if not isinstance(agent, Agent) or not isinstance(agent.name, str) or not callable(agent.run):
        raise AgentConfigError(
            f"agent {name!r} ({source}) does not implement the Agent protocol (a name and a run(task) method)",
            field="agent",
            hint="see zebench.agents.base.Agent",
        )
    return agent


def _import(name: str, target: str) -> Callable[[AgentOptions], object]:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise AgentConfigError(
            f"agent {name!r} is not available: {exc}",
            field="agent",
            hint="install zebench with its dependencies (pip install zebench)",
        ) from exc
    try:
        factory: Callable[[AgentOptions], object] = getattr(module, attr)
    except AttributeError as exc:
        raise AgentConfigError(f"agent {name!r}: {target} does not exist", field="agent") from exc
    return factory
