from __future__ import annotations

import sys
from pathlib import Path

import pytest

from zebench.agents import Agent, AgentOptions, agent_names, create_agent
from zebench.agents.builtin import EchoAgent
from zebench.errors import AgentConfigError

PLUGIN_MODULE = """
from zebench.agents.base import AgentResult


class ShoutAgent:
    name = "shout"

    def __init__(self, options):
        self.options = options

    def run(self, task):
        return AgentResult(final_message=task.prompt.upper())


def make_not_an_agent(options):
    return object()


def broken(options):
    raise RuntimeError("never")
"""

ENTRY_POINTS = """[zebench.agents]
shout = zebench_test_plugin:ShoutAgent
echo = zebench_test_plugin:ShoutAgent
not-an-agent = zebench_test_plugin:make_not_an_agent
missing = zebench_test_plugin_absent:Nope
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install a real distribution with entry points by putting its .dist-info on sys.path."""
    (tmp_path / "zebench_test_plugin.py").write_text(PLUGIN_MODULE)
    info = tmp_path / "zebench_test_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zebench-test-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("zebench_test_plugin", None)


def test_builtin_names() -> None:
    names = agent_names()
    for name in ("echo", "oracle", "anthropic", "openrouter", "openai", "claude-code", "replay"):
        assert name in names
    assert names == sorted(names)


def test_unknown_name_lists_known_agents() -> None:
    with pytest.raises(AgentConfigError) as info:
        create_agent("gpt-9000", AgentOptions())
    assert "unknown agent 'gpt-9000'" in info.value.message
    assert info.value.hint is not None and "echo" in info.value.hint and "oracle" in info.value.hint


def test_created_agents_are_fresh_instances() -> None:
    options = AgentOptions(model="m")
    a, b = create_agent("echo", options), create_agent("echo", options)
    assert a is not b and isinstance(a, Agent)


@pytest.mark.usefixtures("plugin")
def test_plugins_are_found_and_builtins_win() -> None:
    assert "shout" in agent_names()
    agent = create_agent("shout", AgentOptions())
    assert agent.name == "shout" and isinstance(agent, Agent)
    assert isinstance(create_agent("echo", AgentOptions()), EchoAgent)


@pytest.mark.usefixtures("plugin")
def test_bad_plugins_are_config_errors() -> None:
    with pytest.raises(AgentConfigError, match="does not implement the Agent protocol"):
        create_agent("not-an-agent", AgentOptions())
    with pytest.raises(AgentConfigError, match="could not be loaded"):
        create_agent("missing", AgentOptions())
