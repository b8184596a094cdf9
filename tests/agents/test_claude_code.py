"""The claude-code adapter: command line, process handling and stream-json parsing with stand-in
binaries, and the REAL ``claude`` CLI (the pinned one in zebench's cache) driven by the fake LLM on
the host. Inside the sandbox, through the gateway, it is tested in test_cli_agents_e2e.py."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from zebench.agents.base import Agent, AgentOptions, AgentTask
from zebench.agents.claude_code_events import REDACTED, StreamJsonParser
from zebench.agents.installed.base import RunContext
from zebench.agents.installed.claude_code import ROOT_ALLOWED_TOOLS, ClaudeCodeAgent
from zebench.agents.installed.endpoint import PLACEHOLDER_KEY, ModelRoute
from zebench.agents.installed.install import Installation, installed
from zebench.agents.installed.pins import PINS
from zebench.commands import LocalCommandRunner
from zebench.errors import AgentConfigError
from zebench.llm.fake import FakeLLMServer, parse_script
from zebench.results.trajectory import Trajectory
from zebench.sandbox.detect import running_in_ci
from zebench.tools.toolbox import Toolbox

FAKE_KEY = "sk-ant-fake-0123456789-secret"
PINNED = installed(PINS["claude-code"])

needs_claude = pytest.mark.skipif(
    PINNED is None and not running_in_ci(),
    reason="claude-code is not installed (zebench agents install claude-code)",
)


def make_task(
    workspace: Path, *, prompt: str = "Fix the bug in app.py.", timeout_minutes: float = 5
) -> AgentTask:
    trajectory = Trajectory()
    return AgentTask(
        run_id="run_test",
        prompt=prompt,
        workspace=workspace,
        scenario=SimpleNamespace(timeout_minutes=timeout_minutes),  # type: ignore[arg-type]
        tier="L1",
        tools=Toolbox(workspace, trajectory=trajectory, command_runner=LocalCommandRunner(), oracle=None),
        trajectory=trajectory,
        system_prompt="You are being benchmarked.",
    )


def base_environ(**extra: str) -> dict[str, str]:
    environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ANTHROPIC_API_KEY": FAKE_KEY}
    environ.update(extra)
    return environ


def fake_bin(tmp_path: Path, body: str) -> Path:
    """A stand-in ``claude`` executable (a shell script) for process-handling tests."""
    path = tmp_path / "fake-claude"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def stand_in(tmp_path: Path, body: str, **options: Any) -> ClaudeCodeAgent:
    binary = fake_bin(tmp_path, body)
    return ClaudeCodeAgent(
        AgentOptions(base_url="http://127.0.0.1:9", **options),
        environ=base_environ(ZEBENCH_CLAUDE_BIN=str(binary)),
    )


# --- configuration ------------------------------------------------------------------------------


def test_is_an_agent_that_declares_its_model() -> None:
    agent = ClaudeCodeAgent(AgentOptions(), environ=base_environ())
    assert isinstance(agent, Agent) and agent.name == "claude-code"
    access = agent.model_access()
    assert (access.provider, access.wires, access.runs_in) == (
        "anthropic",
        ("anthropic-messages",),
        "sandbox",
    )


def test_a_missing_user_binary_is_a_config_error(tmp_path: Path) -> None:
    agent = ClaudeCodeAgent(
        AgentOptions(base_url="http://127.0.0.1:9"),
        environ=base_environ(ZEBENCH_CLAUDE_BIN=str(tmp_path / "nope")),
    )
    with pytest.raises(AgentConfigError, match="ZEBENCH_CLAUDE_BIN"):
        agent.run(make_task(tmp_path))


def test_command_line(tmp_path: Path) -> None:
    options = AgentOptions(model="claude-fake-1", max_turns=7, max_cost_usd=1.5)
    agent = ClaudeCodeAgent(options, environ=base_environ())
    task = make_task(tmp_path)
    route = ModelRoute("http://127.0.0.1:8790", "zebench-gateway-x", "claude-fake-1")
    ctx = RunContext(task, tmp_path, "/home/sandbox", route, Installation("/bin/claude", (), "user"), True)
    argv = agent.command(ctx, task.prompt)
    assert argv[:3] == ["/bin/claude", "-p", task.prompt]
    assert argv[argv.index("--output-format") + 1] == "stream-json" and "--verbose" in argv
    assert argv[argv.index("--model") + 1] == "claude-fake-1"
    assert argv[argv.index("--max-turns") + 1] == "7"
    assert argv[argv.index("--max-budget-usd") + 1] == "1.5"
    # Inside the sandbox it is uid 65534, never root: it may skip its own permission prompts.
    assert "--dangerously-skip-permissions" in argv and "--permission-mode" not in argv
    as_root = agent.command(ctx, task.prompt, is_root=True)
    assert "--dangerously-skip-permissions" not in as_root
    assert as_root[as_root.index("--permission-mode") + 1] == "acceptEdits"
    assert as_root[as_root.index("--allowedTools") + 1].split() == list(ROOT_ALLOWED_TOOLS)
    env = agent.environment(ctx)
    assert (
        env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:8790"
        and env["ANTHROPIC_API_KEY"] == "zebench-gateway-x"
    )
    # The specialist's prompt is CLAUDE.md in the private HOME, not a flag and not the workspace.
    assert agent.specialist(ctx) == "~/.claude/CLAUDE.md"
    assert (tmp_path / ".claude" / "CLAUDE.md").read_text() == "You are being benchmarked."


def test_the_cli_never_sees_the_harness_key(tmp_path: Path) -> None:
    home_probe = tmp_path / "env.txt"
    result = stand_in(
        tmp_path, f'env > {home_probe}\necho \'{{"type":"result","subtype":"success"}}\'\n'
    ).run(make_task(tmp_path))
    env = home_probe.read_text()
    assert result.status == "completed"
    assert FAKE_KEY not in env and f"ANTHROPIC_API_KEY={PLACEHOLDER_KEY}" in env
    assert "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1" in env and "DISABLE_TELEMETRY=1" in env


# --- process handling (stand-in binary) -----------------------------------------------------------


def test_timeout_kills_the_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    agent = stand_in(
        tmp_path,
        f'sleep 300 &\necho $! > {pidfile}\necho \'{{"type":"system","subtype":"init"}}\'\nsleep 300\n',
        time_limit_s=1.5,
    )
    started = time.monotonic()
    result = agent.run(make_task(tmp_path))
    assert time.monotonic() - started < 15
    assert result.status == "timed_out" and result.reason == "timed out after 1.5s"
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
            break  # a zombie is dead; only its parent (gone too) could reap it
        time.sleep(0.05)
    alive = Path(f"/proc/{child}").exists() and Path(f"/proc/{child}/stat").read_text().split()[2] != "Z"
    assert not alive, "the background child of the CLI must die with its group"


def test_nonzero_exit_without_result_is_failed_with_stderr(tmp_path: Path) -> None:
    result = stand_in(tmp_path, "echo 'boom: bad flag' >&2\nexit 3\n").run(make_task(tmp_path))
    assert result.status == "failed"
    assert "code 3" in (result.reason or "") and "boom: bad flag" in (result.reason or "")
    assert "boom: bad flag" in result.metadata["stderr_tail"]


# --- stream-json parsing ----------------------------------------------------------------------------


def _events(*events: dict[str, Any]) -> list[str]:
    return [json.dumps(e) for e in events]


def test_parser_builds_trajectory_and_redacts() -> None:
    trajectory = Trajectory()
    parser = StreamJsonParser(trajectory, secrets=[FAKE_KEY])
    lines = _events(
        {
            "type": "system",
            "subtype": "init",
            "model": "claude-x",
            "claude_code_version": "2.1.332",
            "tools": ["Bash"],
        },
        {
            "type": "assistant",
            "message": {"id": "m1", "content": [{"type": "text", "text": "Looking."}]},
            "timestamp": "2026-01-01T00:00:00.000Z",
        },
        {
            "type": "assistant",
            "message": {
                "id": "m1",
                "content": [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "env"}}],
            },
            "timestamp": "2026-01-01T00:00:00.000Z",
        },
        {
            "type": "user",
            "message": {
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": f"ANTHROPIC_API_KEY={FAKE_KEY}\nX=1",
                        "is_error": True,
                    }
                ]
            },
            "timestamp": "2026-01-01T00:00:01.250Z",
        },
        {
            "type": "result",
            "subtype": "success",
            "is_error": False,
            "result": "Fixed.",
            "num_turns": 2,
            "total_cost_usd": 0.01,
            "usage": {
                "input_tokens": 10,
                "output_tokens": 5,
                "cache_read_input_tokens": 3,
                "cache_creation_input_tokens": 2,
            },
        },
    )
    for line in ["not json at all", *lines]:
        parser.feed(line)
    steps = trajectory.steps
    assert [s.type for s in steps] == ["note", "message", "tool_call"]
    call = steps[2]
    assert call.name == "Bash" and call.arguments == {"command": "env"}
    assert call.result_size == len(f"ANTHROPIC_API_KEY={REDACTED}\nX=1")
    assert call.error and REDACTED in call.error and call.duration_ms == 1250
    assert FAKE_KEY not in trajectory.to_json()
    assert parser.unparsed_lines == 1 and parser.model == "claude-x"
    assert parser.usage.model_dump() == {"input": 10, "output": 5, "cache_read": 3, "cache_write": 2}
    assert parser.cost_usd == 0.01 and dict(parser.tool_calls) == {"Bash": 1}


@pytest.mark.parametrize(
    ("final", "status", "reason"),
    [
        ({"subtype": "success", "is_error": False, "result": "ok"}, "completed", None),
        ({"subtype": "error_max_turns", "is_error": True}, "budget_exceeded", "budget exceeded: max_turns=4"),
        (
            {"subtype": "error_max_budget_usd", "is_error": True},
            "budget_exceeded",
            "budget exceeded: max_cost_usd=None",
        ),
        (
            {"subtype": "success", "is_error": True, "result": "API Error: 500", "api_error_status": 500},
            "infra_error",
            "API Error: 500",
        ),
        (
            {"subtype": "error_during_execution", "is_error": True, "errors": ["crashed"]},
            "failed",
            "error_during_execution: crashed",
        ),
    ],
)
def test_result_classification(
    tmp_path: Path, final: dict[str, Any], status: str, reason: str | None
) -> None:
    line = json.dumps({"type": "result", "num_turns": 1, **final})
    result = stand_in(tmp_path, f"echo '{line}'\nexit 1\n", max_turns=4).run(make_task(tmp_path))
    assert (result.status, result.reason) == (status, reason)


# --- the real CLI against the fake server -----------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "app.py").write_text("def add(a, b):\n    return a - b\n")
    return ws


def real_agent(fake: FakeLLMServer, **options: Any) -> ClaudeCodeAgent:
    """The pinned CLI, on the host (outside the pipeline: no gateway, the fake directly)."""
    assert PINNED is not None, "CI=true requires claude-code (zebench agents install claude-code)"
    environ = {"PATH": os.environ.get("PATH", ""), "ANTHROPIC_API_KEY": FAKE_KEY}
    return ClaudeCodeAgent(
        AgentOptions(base_url=fake.url, model="claude-sonnet-4-6", **options), environ=environ
    )


@needs_claude
def test_real_cli_edits_the_workspace(workspace: Path) -> None:
    app, notes = str(workspace / "app.py"), str(workspace / "NOTES.md")
    script = parse_script(
        {
            "turns": [
                {
                    "text": "Reading the code.",
                    "tool_calls": [
                        {"name": "Read", "arguments": {"file_path": app}},
                        {"name": "Write", "arguments": {"file_path": notes, "content": "# fixed add\n"}},
                    ],
                },
                {
                    "text": "Fixing it.",
                    "tool_calls": [
                        {
                            "name": "Edit",
                            "arguments": {
                                "file_path": app,
                                "old_string": "return a - b",
                                "new_string": "return a + b",
                            },
                        },
                        {
                            "name": "Bash",
                            "arguments": {
                                "command": "python3 -c 'import app; print(app.add(2, 3))'",
                                "description": "check",
                            },
                        },
                    ],
                },
                {"text": "Fixed: add() now adds."},
            ],
            "usage": {
                "input_tokens": 100,
                "output_tokens": 20,
                "cache_read_input_tokens": 50,
                "cache_creation_input_tokens": 10,
            },
        }
    )
    with FakeLLMServer(script) as fake:
        task = make_task(workspace)
        result = real_agent(fake, max_turns=10).run(task)
        requests = fake.requests_to("/v1/messages")
    assert result.status == "completed", result.reason
    assert (workspace / "app.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert (workspace / "NOTES.md").read_text() == "# fixed add\n"
    assert result.final_message == "Fixed: add() now adds."
    assert result.turns >= 3  # the CLI's own num_turns; it counts tool rounds as well as replies
    assert result.metadata["llm_calls"] == 3
    assert result.usage.model_dump() == {"input": 300, "output": 60, "cache_read": 150, "cache_write": 30}
    assert result.cost_usd is not None and result.cost_usd > 0 and result.cost_kind == "estimated"
    assert result.metadata["agent_version"] == PINS["claude-code"].version
    assert result.metadata["claude_code_version"]
    calls = [s for s in task.trajectory.steps if s.type == "tool_call"]
    assert [c.name for c in calls] == ["Read", "Write", "Edit", "Bash"]
    # The CLI normalises the input (it adds defaults such as replace_all), so compare what we sent.
    assert calls[2].arguments is not None
    assert {k: calls[2].arguments[k] for k in ("file_path", "old_string", "new_string")} == {
        "file_path": app,
        "old_string": "return a - b",
        "new_string": "return a + b",
    }
    assert all(c.result_size is not None for c in calls), "every call gets its result attached"
    assert calls[3].result is not None and "5" in calls[3].result
    assert task.trajectory.tool_call_counts() == {"Read": 1, "Write": 1, "Edit": 1, "Bash": 1}
    # The fake saw the whole conversation with the placeholder key (never the harness's), and the
    # specialist's prompt arrived through ~/.claude/CLAUDE.md.
    assert [r.outcome for r in requests] == ["turn 0", "turn 1", "turn 2"]
    assert all(
        PLACEHOLDER_KEY in r.headers.get("x-api-key", "") + r.headers.get("authorization", "")
        for r in requests
    )
    assert "You are being benchmarked." in json.dumps(requests[0].body)
    assert FAKE_KEY not in json.dumps([r.model_dump(mode="json") for r in requests])
    assert FAKE_KEY not in task.trajectory.to_json() and FAKE_KEY not in result.model_dump_json()


@needs_claude
def test_real_cli_max_turns_is_budget_exceeded(workspace: Path) -> None:
    script = parse_script(
        {
            "default": {
                "text": "Again.",
                "tool_calls": [{"name": "Bash", "arguments": {"command": "echo loop"}}],
            }
        }
    )
    task = make_task(workspace)
    with FakeLLMServer(script) as fake:
        result = real_agent(fake, max_turns=2).run(task)
    assert result.status == "budget_exceeded"
    assert result.reason == "budget exceeded: max_turns=2"
    assert task.trajectory.tool_call_counts()["Bash"] >= 1


@needs_claude
def test_real_cli_timeout_on_a_stalled_server(workspace: Path) -> None:
    script = parse_script({"faults": [{"at": n, "kind": "slow", "delay_s": 20} for n in range(1, 4)]})
    with FakeLLMServer(script) as fake:
        started = time.monotonic()
        result = real_agent(fake, time_limit_s=4).run(make_task(workspace))
        elapsed = time.monotonic() - started
    assert result.status == "timed_out" and result.reason == "timed out after 4s"
    assert elapsed < 15
