"""The shared tool-use loop over a real Toolbox and workspace, driven by the fake LLM server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from zebench.agents.anthropic import AnthropicAgent
from zebench.agents.base import AgentOptions, AgentTask
from zebench.agents.openai_compat import OpenAIAgent
from zebench.commands import LocalCommandRunner
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeFault, FakeLLMServer, FakeReply, FakeScript, FakeToolCall, FakeUsage
from zebench.results.trajectory import Trajectory
from zebench.scenarios.model import Scenario
from zebench.tools import Toolbox, ToolResult, ToolSpec

KEY = "sk-ant-api03-LOOPKEYLOOPKEYLOOPKEY0123"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values(), "ZEBENCH_PRICING_FILE"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)


def make_task(
    tmp_path: Path, *, tools: Any = None, prompt: str = "Fix the greeting.", **extra: Any
) -> AgentTask:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    (ws / "hello.txt").write_text("hello wrld\n", encoding="utf-8")
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
        run_id="run_1",
        prompt=prompt,
        workspace=ws,
        scenario=scenario,
        tier="L1",
        tools=tools or Toolbox(ws, trajectory=trajectory, command_runner=LocalCommandRunner()),
        trajectory=trajectory,
        system_prompt="You are careful.",
        extra=extra,
    )


def options(fake: FakeLLMServer, **kw: Any) -> AgentOptions:
    kw.setdefault("model", "claude-sonnet-4-6")
    extra = {"backoff_base_s": 0.01, "max_total_wait_s": 5, **kw.pop("extra", {})}
    return AgentOptions(base_url=fake.url, extra=extra, **kw)


EDIT_SCRIPT = FakeScript(
    turns=[
        FakeReply(
            text="Let me fix it.",
            tool_calls=[
                FakeToolCall(
                    name="edit_file",
                    arguments={"path": "hello.txt", "old_string": "wrld", "new_string": "world"},
                )
            ],
        ),
        FakeReply(tool_calls=[FakeToolCall(name="run_command", arguments={"command": "cat hello.txt"})]),
        FakeReply(text="Fixed the typo in hello.txt."),
    ]
)


def test_loop_edits_a_file_and_runs_a_command(tmp_path: Path) -> None:
    with FakeLLMServer(EDIT_SCRIPT) as fake:
        task = make_task(tmp_path)
        result = AnthropicAgent(options(fake, model=None)).run(task)  # the agent's default model
        bodies = [r.body for r in fake.requests_to("/v1/messages")]
    assert result.status == "completed", result.reason
    assert result.final_message == "Fixed the typo in hello.txt."
    assert (task.workspace / "hello.txt").read_text() == "hello world\n"
    assert result.turns == 3
    assert result.usage.input == 3 * 120 and result.usage.output == 3 * 40
    assert result.cost_kind == "estimated" and result.cost_usd is not None and result.cost_usd > 0
    # The system prompt = the task's + the harness preamble naming workspace, tools and limits.
    # It travels as one text block carrying a prompt-cache breakpoint, as does the first message.
    [block] = bodies[0]["system"]
    system = block["text"]
    assert block["cache_control"] == {"type": "ephemeral"}
    assert system.startswith("You are careful.")
    assert str(task.workspace) in system and "run_command" in system and "at most 50 turns" in system
    assert bodies[0]["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Fix the greeting.", "cache_control": {"type": "ephemeral"}}
            ],
        }
    ]
    # The command's output went back to the model as a tool result.
    last_result = bodies[2]["messages"][-1]["content"][0]
    assert last_result["type"] == "tool_result" and "hello world" in last_result["content"]
    steps = task.trajectory.steps
    llm_calls = [s for s in steps if s.type == "llm_call"]
    assert len(llm_calls) == 3
    first = llm_calls[0]
    assert first.content["request"]["model"] == "claude-sonnet-4-6"
    assert first.content["request"]["messages"] == 1
    assert "edit_file" in first.content["request"]["tools"]
    assert first.content["response"]["tool_calls"][0]["name"] == "edit_file"
    assert first.usage == {"input": 120, "output": 40, "cache_read": 0, "cache_write": 0}
    assert first.duration_ms is not None and "finished_at" in first.meta
    assert task.trajectory.tool_call_counts() == {"edit_file": 1, "run_command": 1}
    assert steps[-1].type == "message" and steps[-1].role == "assistant"
    assert steps[-1].content == "Fixed the typo in hello.txt."


class SlowTools:
    """A toolbox stand-in whose calls overlap-detect, to prove parallel tool calls run concurrently."""

    def __init__(self) -> None:
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()

    def specs(self) -> list[ToolSpec]:
        return [ToolSpec(name="probe", description="p", parameters={"type": "object", "properties": {}})]

    def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        time.sleep(0.3)
        with self.lock:
            self.active -= 1
        return ToolResult(content=f"result {arguments['n']}")


@pytest.mark.parametrize("agent_cls", [AnthropicAgent, OpenAIAgent])
def test_parallel_tool_calls_run_concurrently_in_order(tmp_path: Path, agent_cls: type) -> None:
    calls = [FakeToolCall(name="probe", arguments={"n": n}, id=f"c{n}") for n in range(3)]
    script = FakeScript(turns=[FakeReply(tool_calls=calls), FakeReply(text="all probed")])
    tools = SlowTools()
    with FakeLLMServer(script) as fake:
        url = fake.url if agent_cls is AnthropicAgent else fake.openai_base_url
        opts = AgentOptions(base_url=url, model="claude-sonnet-4-6", extra={"backoff_base_s": 0.01})
        result = agent_cls(opts).run(make_task(tmp_path, tools=tools))
        body = fake.requests[-1].body
    assert result.status == "completed" and result.final_message == "all probed"
    assert tools.max_active == 3  # all three 0.3 s calls overlapped
    if agent_cls is AnthropicAgent:
        results = body["messages"][-1]["content"]
        assert [(r["tool_use_id"], r["content"]) for r in results] == [
            (f"c{n}", f"result {n}") for n in range(3)
        ]
    else:
        tool_msgs = [m for m in body["messages"] if m["role"] == "tool"]
        assert [(m["tool_call_id"], m["content"]) for m in tool_msgs] == [
            (f"c{n}", f"result {n}") for n in range(3)
        ]


LOOPING = FakeScript(
    default=FakeReply(
        text="again", tool_calls=[FakeToolCall(name="list_directory", arguments={"path": "."})]
    ),
    usage=FakeUsage(input_tokens=1000, output_tokens=1000),
)


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        ({"max_turns": 3}, "budget exceeded: max_turns=3"),
        ({"max_tokens_total": 5000}, "budget exceeded: max_tokens_total=5000 (spent 6000)"),
        ({"max_cost_usd": 0.05}, "budget exceeded: max_cost_usd=0.05 (spent 0.054)"),
        ({"time_limit_s": 0.5}, "budget exceeded: time_limit_s=0.5 (spent"),
    ],
)
def test_each_budget_stops_the_run_and_names_itself(
    tmp_path: Path, budget: dict[str, Any], expected: str
) -> None:
    script = LOOPING
    if "time_limit_s" in budget:
        script = LOOPING.model_copy(
            update={"faults": [FakeFault(at=n, kind="slow", delay_s=0.2) for n in range(1, 30)]}
        )
    with FakeLLMServer(script) as fake:
        task = make_task(tmp_path)
        result = AnthropicAgent(options(fake, **budget)).run(task)
    assert result.status == "budget_exceeded"
    assert result.reason is not None and result.reason.startswith(expected), result.reason
    assert result.final_message == "again"
    assert any(s.type == "note" and s.content == result.reason for s in task.trajectory.steps)


def test_repeated_500s_end_as_infra_error(tmp_path: Path) -> None:
    faults = [FakeFault(at=n, kind="status", status=503) for n in range(1, 20)]
    events: list[str] = []
    with FakeLLMServer(FakeScript(faults=faults)) as fake:
        opts = options(fake, extra={"max_retries": 2})
        task = make_task(tmp_path, on_event=events.append)
        result = AnthropicAgent(opts).run(task)
    assert result.status == "infra_error"
    assert result.reason is not None and "503" in result.reason
    assert len(events) == 2 and all("retry" in e for e in events)
    assert result.metadata["retries"] == 2


def test_rejected_request_fails_the_run(tmp_path: Path) -> None:
    script = FakeScript(faults=[FakeFault(at=1, kind="status", status=400, message="prompt is too long")])
    with FakeLLMServer(script) as fake:
        result = AnthropicAgent(options(fake)).run(make_task(tmp_path))
    assert result.status == "failed"
    assert result.reason is not None and "prompt is too long" in result.reason


def test_unknown_price_reports_none_and_cost_budget_cannot_be_enforced(tmp_path: Path) -> None:
    with FakeLLMServer(FakeScript(default=FakeReply(text="hi"))) as fake:
        task = make_task(tmp_path)
        result = AnthropicAgent(options(fake, model="claude-unreleased-9", max_cost_usd=1.0)).run(task)
    assert result.status == "completed"
    assert result.cost_usd is None and result.cost_kind is None
    assert any("cannot be enforced" in str(s.content) for s in task.trajectory.steps if s.type == "note")


def test_no_api_key_appears_in_the_trajectory(tmp_path: Path) -> None:
    script = FakeScript(turns=[FakeReply(text=f"your key is {KEY}")])
    with FakeLLMServer(script) as fake:
        task = make_task(tmp_path, prompt=f"use {KEY}")
        result = AnthropicAgent(options(fake)).run(task)
    dump = task.trajectory.to_json()
    assert KEY not in dump and KEY not in result.final_message
    assert "[REDACTED]" in dump
