"""The CLI adapters without the CLIs: config files, command lines, specialist channels, parsers of
each CLI's native output, the pins, ``zebench agents`` and the sandbox's phase mounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from typer.testing import CliRunner

from zebench.agents import create_agent
from zebench.agents.base import AgentOptions, AgentTask
from zebench.agents.installed import homefiles
from zebench.agents.installed.base import AgentOutput, InstalledAgent, RunContext
from zebench.agents.installed.endpoint import ModelRoute, upstream_url
from zebench.agents.installed.install import Installation, install_dir
from zebench.agents.installed.pins import PINS
from zebench.cli.app import app
from zebench.results.models import CommandResult
from zebench.results.trajectory import Trajectory
from zebench.sandbox.bwrap import SANDBOX_HOME, PhaseMounts, SandboxLayout, bwrap_argv

SPECIALIST = "You are a careful Python maintainer. SPECIALIST-MARKER"
# Where each CLI reads the specialist's prompt: always the private HOME, never the workspace.
CHANNELS = {
    "claude-code": ".claude/CLAUDE.md",
    "codex": ".codex/AGENTS.md",
    "gemini-cli": ".gemini/GEMINI.md",
    "qwen-code": ".qwen/QWEN.md",
    "opencode": ".config/opencode/AGENTS.md",
    "aider": "CONVENTIONS.md",
    "mini-swe-agent": ".zebench/mini/specialist.yaml",
}


@pytest.fixture(autouse=True)
def _upstream_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway's upstream keys (checked when an adapter is created); never seen by the CLIs."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-test-0123456789")


def context(
    tmp_path: Path, name: str, *, system_prompt: str | None = SPECIALIST
) -> tuple[InstalledAgent, RunContext]:
    agent = create_agent(
        name,
        AgentOptions(
            model="fake-model", base_url="http://127.0.0.1:9", extra={"command": "echo {prompt_file}"}
        ),
    )
    assert isinstance(agent, InstalledAgent)
    home = tmp_path / "home"
    home.mkdir(parents=True)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    task = AgentTask(
        run_id="r", prompt="Fix it.", workspace=workspace, scenario=SimpleNamespace(timeout_minutes=1),  # type: ignore[arg-type]
        tier="L1", tools=SimpleNamespace(), trajectory=Trajectory(), system_prompt=system_prompt,
    )  # fmt: skip
    route = ModelRoute("http://127.0.0.1:8790", "zebench-gateway-abc", "fake-model")
    return agent, RunContext(task, home, SANDBOX_HOME, route, Installation(f"/opt/{name}", (), "1"), True)


def zebench(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it (errors become one line and exit 2 in its entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "zebench", *args], capture_output=True, text=True, check=False
    )


def output(stdout: str = "", code: int = 0) -> AgentOutput:
    return AgentOutput(stdout, "", CommandResult(name="x", command="x", exit_code=code))


# --- configuration and channels -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_specialist_goes_to_the_private_home(tmp_path: Path, name: str) -> None:
    agent, ctx = context(tmp_path, name)
    channel = agent.specialist(ctx)
    agent.configure(ctx)
    argv = agent.command(ctx, "Fix it.")
    assert channel and SPECIALIST in (ctx.home / CHANNELS[name]).read_text()
    assert list(ctx.task.workspace.iterdir()) == []  # nothing in the workspace, so nothing in the diff
    assert argv[0] == f"/opt/{name}" and "Fix it." in argv
    if name == "aider":
        assert argv[argv.index("--read") + 1] == f"{SANDBOX_HOME}/CONVENTIONS.md"
    if name == "mini-swe-agent":
        assert f"{SANDBOX_HOME}/.zebench/mini/specialist.yaml" in argv


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_no_specialist_no_channel(tmp_path: Path, name: str) -> None:
    agent, ctx = context(tmp_path, name, system_prompt=None)
    assert agent.specialist(ctx) is None
    assert not (ctx.home / CHANNELS[name]).exists()


def test_config_files_point_at_the_gateway_with_the_placeholder(tmp_path: Path) -> None:
    codex, ctx = context(tmp_path, "codex")
    codex.configure(ctx)
    config = tomllib.loads((ctx.home / ".codex/config.toml").read_text())
    provider = config["model_providers"][config["model_provider"]]
    assert provider["base_url"] == "http://127.0.0.1:8790/v1" and provider["wire_api"] == "responses"
    assert codex.environment(ctx)[provider["env_key"]] == "zebench-gateway-abc"
    gemini, ctx = context(tmp_path / "g", "gemini-cli")
    gemini.configure(ctx)
    settings = json.loads((ctx.home / ".gemini/settings.json").read_text())
    assert settings["security"]["auth"]["selectedType"] == "gemini-api-key"
    assert gemini.environment(ctx)["GOOGLE_GEMINI_BASE_URL"] == "http://127.0.0.1:8790"
    opencode, ctx = context(tmp_path / "o", "opencode")
    opencode.configure(ctx)
    provider = json.loads((ctx.home / ".config/opencode/opencode.json").read_text())["provider"]["zebench"]
    assert provider["options"] == {"baseURL": "http://127.0.0.1:8790/v1", "apiKey": "zebench-gateway-abc"}


def test_upstream_url_follows_each_providers_convention() -> None:
    assert upstream_url("openai-chat", "http://127.0.0.1:8765") == "http://127.0.0.1:8765/v1"
    assert upstream_url("openai-responses", "http://127.0.0.1:8765/v1/") == "http://127.0.0.1:8765/v1"
    assert upstream_url("anthropic-messages", "http://127.0.0.1:8765/v1") == "http://127.0.0.1:8765"
    assert upstream_url("gemini", "http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert upstream_url("gemini", None) is None


# --- parsers ------------------------------------------------------------------------------------


def test_codex_jsonl(tmp_path: Path) -> None:
    agent, ctx = context(tmp_path, "codex")
    events = [
        {"type": "thread.started", "thread_id": "t1"},
        {"type": "item.completed", "item": {"id": "i0", "type": "agent_message", "text": "Looking."}},
        {"type": "item.completed", "item": {"id": "i1", "type": "command_execution", "command": "pytest",
                                            "aggregated_output": "1 failed", "exit_code": 1, "status": "failed"}},
        {"type": "item.completed", "item": {"id": "i2", "type": "file_change", "status": "completed",
                                            "changes": [{"path": "/w/a.py", "kind": "update"}]}},
        {"type": "turn.completed", "usage": {"input_tokens": 300, "cached_input_tokens": 100, "output_tokens": 40,
                                             "reasoning_output_tokens": 7}},
        {"type": "item.completed", "item": {"id": "i3", "type": "agent_message", "text": "Done."}},
    ]  # fmt: skip
    parsed = agent.parse(ctx, output("\n".join(json.dumps(e) for e in events) + "\nnot json\n"))
    assert parsed.usage.model_dump() == {"input": 200, "output": 40, "cache_read": 100, "cache_write": 0}
    assert parsed.final_message == "Done." and parsed.metadata["reasoning_tokens"] == 7
    calls = [s for s in ctx.task.trajectory.steps if s.type == "tool_call"]
    assert [(c.name, c.error) for c in calls] == [("shell", "exit code 1"), ("apply_patch", None)]
    assert calls[0].arguments == {"command": "pytest"} and calls[0].result == "1 failed"


def test_gemini_stream_json(tmp_path: Path) -> None:
    agent, ctx = context(tmp_path, "gemini-cli")
    events = [
        {"type": "init", "model": "fake-model"},
        {"type": "message", "role": "assistant", "content": "Run", "delta": True},
        {"type": "message", "role": "assistant", "content": "ning.", "delta": True},
        {
            "type": "tool_use",
            "tool_name": "run_shell_command",
            "tool_id": "c1",
            "parameters": {"command": "ls"},
        },
        {"type": "tool_result", "tool_id": "c1", "status": "success", "output": "a.py"},
        {"type": "message", "role": "assistant", "content": "Done."},
        {
            "type": "result",
            "status": "success",
            "stats": {"input_tokens": 500, "output_tokens": 60, "cached": 200},
        },
    ]
    parsed = agent.parse(ctx, output("\n".join(json.dumps(e) for e in events)))
    assert parsed.usage.model_dump() == {"input": 300, "output": 60, "cache_read": 200, "cache_write": 0}
    steps = ctx.task.trajectory.steps
    assert [(s.type, s.content or s.name) for s in steps] == [
        ("message", "Running."), ("tool_call", "run_shell_command"), ("message", "Done.")
    ]  # fmt: skip
    assert steps[1].result == "a.py" and parsed.final_message == "Done." and parsed.status is None


def test_opencode_json(tmp_path: Path) -> None:
    agent, ctx = context(tmp_path, "opencode")
    events = [
        {"type": "step_start", "part": {}},
        {"type": "tool_use", "part": {"tool": "edit", "callID": "x", "state": {
            "status": "completed", "input": {"filePath": "a.py"}, "output": "ok", "time": {"start": 10, "end": 35}}}},
        {"type": "step_finish", "part": {"tokens": {"input": 100, "output": 20, "reasoning": 5, "cache": {"read": 7, "write": 1}}, "cost": 0}},
        {"type": "text", "part": {"text": "Fixed."}},
        {"type": "step_finish", "part": {"tokens": {"input": 50, "output": 10, "reasoning": 0, "cache": {"read": 0, "write": 0}}, "cost": 0}},
    ]  # fmt: skip
    parsed = agent.parse(ctx, output("\n".join(json.dumps(e) for e in events)))
    assert parsed.usage.model_dump() == {"input": 150, "output": 35, "cache_read": 7, "cache_write": 1}
    assert parsed.cost_usd is None  # a custom provider's 0 is unknown, not free
    call = next(s for s in ctx.task.trajectory.steps if s.type == "tool_call")
    assert (call.name, call.arguments, call.result, call.duration_ms) == (
        "edit",
        {"filePath": "a.py"},
        "ok",
        25,
    )


def test_aider_history_and_analytics(tmp_path: Path) -> None:
    agent, ctx = context(tmp_path, "aider")
    state = ctx.home / ".zebench/aider"
    state.mkdir(parents=True)
    (state / "chat.md").write_text(
        "\n# aider chat started at 2026-01-01\n\n> aider --model x  \n\n#### Fix the tests.\nThey fail.\n\n"
        "The bug is in a.py.\n\n> Add a.py to the chat? (Y)es/(N)o [Yes]: y  \n\na.py\n```\nx = 2\n```\n\n"
        "> Applied edit to a.py  \n> Tokens: 100 sent, 20 received.  \n"
    )
    (state / "analytics.jsonl").write_text(
        "\n".join(
            json.dumps(
                {
                    "event": "message_send",
                    "properties": {"prompt_tokens": p, "completion_tokens": 20, "cost": 0},
                }
            )
            for p in (100, 130)
        )
    )
    parsed = agent.parse(ctx, output())
    assert parsed.usage.model_dump() == {"input": 230, "output": 40, "cache_read": 0, "cache_write": 0}
    assert parsed.llm_calls == 2
    steps = ctx.task.trajectory.steps
    assert [(s.type, s.name) for s in steps if s.type == "tool_call"] == [("tool_call", "edit")]
    assert [s.content for s in steps if s.type == "message"] == [
        "The bug is in a.py.",
        "a.py\n```\nx = 2\n```",
    ]


def test_mini_swe_agent_trajectory(tmp_path: Path) -> None:
    agent, ctx = context(tmp_path, "mini-swe-agent")
    usage = {"prompt_tokens": 150, "completion_tokens": 20, "prompt_tokens_details": {"cached_tokens": 50}}
    data = {
        "info": {"exit_status": "Submitted", "model_stats": {"api_calls": 2}},
        "messages": [
            {"role": "system", "content": "sys"},
            {"role": "assistant", "content": "Listing.", "tool_calls": [
                {"id": "c1", "function": {"name": "bash", "arguments": json.dumps({"command": "ls"})}}],
             "extra": {"response": {"usage": usage}}},
            {"role": "tool", "tool_call_id": "c1", "content": "a.py"},
            {"role": "assistant", "content": "Done.", "extra": {"response": {"usage": usage}}},
        ],
    }  # fmt: skip
    (ctx.home / ".zebench/mini").mkdir(parents=True)
    (ctx.home / ".zebench/mini/traj.json").write_text(json.dumps(data))
    parsed = agent.parse(ctx, output())
    assert parsed.usage.model_dump() == {"input": 200, "output": 40, "cache_read": 100, "cache_write": 0}
    assert parsed.status == "completed" and parsed.llm_calls == 2 and parsed.final_message == "Done."
    call = next(s for s in ctx.task.trajectory.steps if s.type == "tool_call")
    assert (call.name, call.arguments, call.result) == ("bash", {"command": "ls"}, "a.py")
    data["info"]["exit_status"] = "LimitsExceeded"
    (ctx.home / ".zebench/mini/traj.json").write_text(json.dumps(data))
    assert agent.parse(ctx, output()).status == "budget_exceeded"


def test_a_symlinked_session_file_is_not_followed(tmp_path: Path) -> None:
    agent, ctx = context(tmp_path, "mini-swe-agent")
    secret = tmp_path / "secret.json"
    secret.write_text(
        json.dumps(
            {"info": {"exit_status": "Submitted"}, "messages": [{"role": "assistant", "content": "SECRET"}]}
        )
    )
    (ctx.home / ".zebench/mini").mkdir(parents=True)
    (ctx.home / ".zebench/mini/traj.json").symlink_to(secret)
    parsed = agent.parse(ctx, output())
    assert parsed.final_message == "" and "SECRET" not in ctx.task.trajectory.to_json()
    os.mkfifo(ctx.home / "fifo")
    assert homefiles.read_optional(ctx.home, "fifo", max_bytes=10) is None  # never blocks on a FIFO
    assert homefiles.read_optional(ctx.home, ".zebench/mini/traj.json", max_bytes=10**6) is None


def test_command_events_and_placeholders(tmp_path: Path) -> None:
    agent, ctx = context(tmp_path, "command")
    argv = agent.command(ctx, "Fix it.")
    assert argv[:2] == ["/bin/sh", "-c"] and argv[2] == f"echo {SANDBOX_HOME}/.zebench/prompt.md"
    (ctx.home / ".zebench").mkdir(exist_ok=True)
    (ctx.home / ".zebench/events.jsonl").write_text(
        '{"type": "tool_call", "name": "bash", "arguments": {"command": "ls"}, "result": "a.py"}\n'
        '{"type": "usage", "input": 100, "output": 20}\n{"type": "usage", "input": -5, "output": "x"}\n'
    )
    parsed = agent.parse(ctx, output("All done.\n"))
    assert parsed.usage.input == 100 and parsed.usage.output == 20 and parsed.final_message == "All done."
    assert [s.name for s in ctx.task.trajectory.steps if s.type == "tool_call"] == ["bash"]


# --- pins, zebench agents, sandbox mounts ---------------------------------------------------------


def test_every_pin_is_an_agent_with_its_wire() -> None:
    from zebench.agents import agent_names

    assert set(PINS) <= set(agent_names())
    assert {p.name: p.wire_api for p in PINS.values()}["codex"] == "openai-responses"
    assert all(install_dir(p).name == f"{p.name}-{p.version}" for p in PINS.values())


def test_zebench_agents_lists_pins_and_install_refuses_bad_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    listed = runner.invoke(app, ["agents", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["codex"]["version"] == PINS["codex"].version and rows["codex"]["installed"] is False
    assert rows["codex"]["wire_api"] == "openai-responses" and rows["anthropic"]["kind"] == "tool loop"
    table = subprocess.run(
        [sys.executable, "-m", "zebench", "agents"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "mini-swe-agent" in table.stdout and PINS["aider"].version in table.stdout
    bad = zebench("agents", "install", "echo")
    assert (
        bad.returncode == 2 and "not an installable CLI agent" in bad.stderr and "Traceback" not in bad.stderr
    )


def test_command_agent_needs_a_template() -> None:
    result = zebench("bench", "examples", "fix-failing-tests", "--agent", "command")
    assert result.returncode == 2 and "--agent-command" in result.stderr and "Traceback" not in result.stderr


def test_phase_mounts_in_the_bwrap_command_line(tmp_path: Path) -> None:
    home, install = tmp_path / "home", tmp_path / "install"
    home.mkdir()
    install.mkdir()
    mounts = PhaseMounts(home=str(home), read_only=(str(install),))
    argv = bwrap_argv(["true"], writable=tmp_path, cwd=tmp_path, layout=SandboxLayout(), mounts=mounts)
    joined = " ".join(argv)
    assert f"--bind {home} {SANDBOX_HOME}" in joined and f"--tmpfs {SANDBOX_HOME}" not in joined
    assert f"--ro-bind {install} {install}" in joined
    plain = " ".join(bwrap_argv(["true"], writable=tmp_path, cwd=tmp_path, layout=SandboxLayout()))
    assert f"--tmpfs {SANDBOX_HOME}" in plain and str(home) not in plain


def test_yaml_scripts_are_valid_fake_llm_scripts() -> None:
    from zebench.llm.fake import load_script

    for path in (Path(__file__).with_name("cli_scripts")).glob("*.yaml"):
        assert load_script(path).turns or load_script(path).rules, path
        yaml.safe_load(path.read_text())


def test_install_errors_are_one_line_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zebench.agents.installed.install import install, resolve
    from zebench.errors import AgentConfigError

    monkeypatch.setenv("ZEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm here
    with pytest.raises(AgentConfigError, match="needs npm"):
        install(PINS["codex"])
    assert not any((tmp_path / "cache" / "agents").glob("codex-*/*"))  # nothing half-installed
    with pytest.raises(AgentConfigError) as raised:
        resolve(PINS["codex"], str(tmp_path / "no-such-codex"), {})
    assert raised.value.field == "--agent-bin"
    own = tmp_path / "codex"
    own.write_text("#!/bin/sh\n")
    own.chmod(0o755)
    found = resolve(PINS["codex"], None, {"ZEBENCH_CODEX_BIN": str(own)})
    assert (found.binary, found.version) == (str(own), "user") and str(tmp_path) in found.read_only
