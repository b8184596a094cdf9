"""The provider agents: construction checks, model choice, OpenRouter accounting, retry events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zebench.agents.anthropic import AnthropicAgent
from zebench.agents.base import AgentOptions, AgentTask
from zebench.agents.openai_compat import OpenAIAgent, OpenRouterAgent
from zebench.agents.registry import create_agent
from zebench.commands import LocalCommandRunner
from zebench.errors import AgentConfigError
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeFault, FakeLLMServer, FakeReply, FakeScript, FakeToolCall
from zebench.llm.types import MissingAPIKeyError
from zebench.results.trajectory import Trajectory
from zebench.scenarios.model import Scenario
from zebench.tools import Toolbox

OR_KEY = "sk-or-v1-ORKEYORKEYORKEY0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values(), "ZEBENCH_PRICING_FILE"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def make_task(tmp_path: Path, *, model: str | None = None, **extra: Any) -> AgentTask:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    trajectory = Trajectory()
    scenario = Scenario(
        id="s",
        suite="demo",
        title="Demo",
        format="design",
        directory=tmp_path,
        config_file=tmp_path / "s.yaml",
    )
    return AgentTask(
        run_id="run_7",
        prompt="Create notes.md saying hi.",
        workspace=ws,
        scenario=scenario,
        tier="L0",
        tools=Toolbox(ws, trajectory=trajectory, command_runner=LocalCommandRunner()),
        trajectory=trajectory,
        model=model,
        extra=extra,
    )


WRITE_SCRIPT = FakeScript(
    turns=[
        FakeReply(
            tool_calls=[FakeToolCall(name="write_file", arguments={"path": "notes.md", "content": "hi\n"})]
        ),
        FakeReply(text="Wrote notes.md."),
    ],
    cost=0.002,
)


def test_missing_key_fails_at_construction_with_one_line() -> None:
    with pytest.raises(MissingAPIKeyError) as err:
        AnthropicAgent(AgentOptions())
    assert err.value.one_line() == "ANTHROPIC_API_KEY is not set: export it or put it in .env"
    with pytest.raises(MissingAPIKeyError, match="OPENROUTER_API_KEY"):
        create_agent("openrouter", AgentOptions())
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        OpenAIAgent(AgentOptions(model="gpt-4o"))  # api.openai.com needs a real key


def test_registry_builds_each_llm_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in API_KEY_ENV.values():
        monkeypatch.setenv(var, "sk-test-0000000000000000")
    assert isinstance(create_agent("anthropic", AgentOptions()), AnthropicAgent)
    assert isinstance(create_agent("openrouter", AgentOptions()), OpenRouterAgent)
    assert isinstance(create_agent("openai", AgentOptions(model="gpt-4o")), OpenAIAgent)


def test_openrouter_agent_measured_cost_default_model_and_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", OR_KEY)
    with FakeLLMServer(WRITE_SCRIPT) as fake:
        task = make_task(tmp_path)
        result = OpenRouterAgent(AgentOptions(base_url=fake.openrouter_base_url)).run(task)
        seen = fake.requests_to("/api/v1/chat/completions")
    assert result.status == "completed"
    assert (task.workspace / "notes.md").read_text() == "hi\n"
    assert result.cost_usd == pytest.approx(0.004) and result.cost_kind == "measured"
    assert result.model == "anthropic/claude-sonnet-4.6"
    assert all(r.body["model"] == "anthropic/claude-sonnet-4.6" for r in seen)
    assert all(r.headers["x-title"] == "zebench" and "http-referer" in r.headers for r in seen)
    # Every tool goes with its full schema (the original sent empty ones).
    write = next(t for t in seen[0].body["tools"] if t["function"]["name"] == "write_file")
    assert write["function"]["parameters"]["required"] == ["path", "content"]
    assert OR_KEY not in task.trajectory.to_json()


def test_openai_agent_talks_to_any_compatible_server_and_needs_a_model(tmp_path: Path) -> None:
    with FakeLLMServer(WRITE_SCRIPT) as fake:
        agent = OpenAIAgent(AgentOptions(base_url=fake.openai_base_url))  # no key needed off api.openai.com
        with pytest.raises(AgentConfigError, match="needs a model"):
            agent.run(make_task(tmp_path))
        result = agent.run(make_task(tmp_path, model="qwen2.5-coder:7b"))
        assert fake.requests[-1].body["model"] == "qwen2.5-coder:7b"
    assert result.status == "completed"
    assert result.model == "qwen2.5-coder:7b"
    assert result.cost_usd is None  # an unpriced local model: unknown, never a silent 0


def test_model_comes_from_task_then_options_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-0000000000000000000000")
    with FakeLLMServer(FakeScript(default=FakeReply(text="ok"))) as fake:
        agent = AnthropicAgent(AgentOptions(base_url=fake.url, model="claude-haiku-4-5"))
        agent.run(make_task(tmp_path))
        agent.run(make_task(tmp_path, model="claude-opus-4-6"))
        agent.run(make_task(tmp_path))
        models = [r.body["model"] for r in fake.requests]
    assert models == ["claude-haiku-4-5", "claude-opus-4-6", "claude-haiku-4-5"]


def test_retry_waits_are_reported_through_on_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-0000000000000000000000")
    script = FakeScript(
        default=FakeReply(text="ok"), faults=[FakeFault(at=1, kind="status", status=429, retry_after=0.1)]
    )
    events: list[str] = []
    with FakeLLMServer(script) as fake:
        task = make_task(tmp_path, on_event=events.append)
        result = AnthropicAgent(AgentOptions(base_url=fake.url, model="claude-haiku-4-5")).run(task)
    assert result.status == "completed"
    assert events == ["anthropic: retry 1 in 0.1s (429 rate limited)"]
    assert any(s.type == "note" and s.meta.get("kind") == "retry" for s in task.trajectory.steps)
