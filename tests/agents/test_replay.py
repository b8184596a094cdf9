"""Record a run with --record, replay it offline: same files, same final message, clear divergence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zebench.agents.anthropic import AnthropicAgent
from zebench.agents.base import AgentOptions, AgentTask
from zebench.agents.replay import ReplayAgent
from zebench.commands import LocalCommandRunner
from zebench.errors import AgentConfigError
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript, FakeToolCall
from zebench.llm.recording import RecordingError
from zebench.results.trajectory import Trajectory
from zebench.scenarios.model import Scenario
from zebench.tools import Toolbox, ToolResult, ToolSpec

KEY = "sk-ant-api03-RECORDKEYRECORDKEY012345678"

SCRIPT = FakeScript(
    turns=[
        FakeReply(
            text=f"Creating files (I saw the key {KEY}).",
            tool_calls=[
                FakeToolCall(name="write_file", arguments={"path": "src/app.py", "content": "print('v2')\n"}),
                FakeToolCall(name="write_file", arguments={"path": "NOTES.md", "content": "notes\n"}),
            ],
        ),
        FakeReply(
            tool_calls=[
                FakeToolCall(name="run_command", arguments={"command": "python3 src/app.py > out.txt"})
            ]
        ),
        FakeReply(text="Done: app prints v2."),
    ]
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values(), "ZEBENCH_PRICING_FILE"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)


def make_task(root: Path, run_id: str, tools: Any = None) -> AgentTask:
    ws = root / run_id
    ws.mkdir(parents=True)
    trajectory = Trajectory()
    scenario = Scenario(
        id="s", suite="demo", title="Demo", format="design", directory=root, config_file=root / "s.yaml"
    )
    return AgentTask(
        run_id=run_id,
        prompt="Make the app print v2.",
        workspace=ws,
        scenario=scenario,
        tier="L1",
        tools=tools or Toolbox(ws, trajectory=trajectory, command_runner=LocalCommandRunner()),
        trajectory=trajectory,
    )


def files_of(ws: Path) -> dict[str, str]:
    return {str(p.relative_to(ws)): p.read_text() for p in sorted(ws.rglob("*")) if p.is_file()}


def record(tmp_path: Path) -> tuple[Path, AgentTask, Any]:
    rec = tmp_path / "rec"
    with FakeLLMServer(SCRIPT) as fake:
        task = make_task(tmp_path, "run_a")
        result = AnthropicAgent(
            AgentOptions(base_url=fake.url, model="claude-haiku-4-5", record_dir=rec)
        ).run(task)
    assert result.status == "completed", result.reason
    return rec, task, result


def test_record_then_replay_offline_reproduces_files_and_message(tmp_path: Path) -> None:
    rec, original, recorded = record(tmp_path)
    run_dir = rec / "run_a"
    assert sorted(p.name for p in run_dir.iterdir()) == ["0001.json", "0002.json", "0003.json", "meta.json"]
    assert recorded.metadata["recording_dir"] == str(run_dir)
    # The server is gone: the replay cannot touch the network.
    replay_task = make_task(tmp_path, "run_b")
    result = ReplayAgent(AgentOptions(replay_dir=rec)).run(replay_task)
    assert result.status == "completed", result.reason
    assert result.final_message == recorded.final_message == "Done: app prints v2."
    assert files_of(replay_task.workspace) == files_of(original.workspace)
    assert files_of(replay_task.workspace)["out.txt"] == "v2\n"  # the command really ran again
    assert result.model == "claude-haiku-4-5"
    assert result.usage == recorded.usage
    assert result.metadata["recorded_calls"] == 3
    assert replay_task.trajectory.tool_call_counts() == {"write_file": 2, "run_command": 1}


def test_recordings_hold_no_secret(tmp_path: Path) -> None:
    rec, _, _ = record(tmp_path)
    for file in (rec / "run_a").iterdir():
        text = file.read_text()
        assert KEY not in text, file.name
        assert "RECORDKEY" not in text
    body = json.loads((rec / "run_a" / "0001.json").read_text())
    assert "[REDACTED]" in json.dumps(body["response"])


class FewerTools:
    def specs(self) -> list[ToolSpec]:
        return [ToolSpec(name="write_file", description="w", parameters={"type": "object", "properties": {}})]

    def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(content="ok")


def test_replay_fails_clearly_when_the_run_diverges(tmp_path: Path) -> None:
    rec, _, _ = record(tmp_path)
    result = ReplayAgent(AgentOptions(replay_dir=rec)).run(make_task(tmp_path, "run_c", tools=FewerTools()))
    assert result.status == "failed"
    assert result.reason is not None and result.reason.startswith("replay diverged: call 1")


def test_replay_stopped_by_a_budget_reports_the_budget(tmp_path: Path) -> None:
    rec, _, _ = record(tmp_path)
    result = ReplayAgent(AgentOptions(replay_dir=rec, max_turns=2)).run(make_task(tmp_path, "run_d"))
    assert result.status == "budget_exceeded"  # the budget is the reason it stopped
    assert result.metadata["recorded_calls"] == 3


def test_replay_tool_names_differ_from_recording(tmp_path: Path) -> None:
    rec, _, _ = record(tmp_path)
    second = rec / "run_a" / "0002.json"
    data = json.loads(second.read_text())
    # The recorded request says the first turn called other tools than the recorded response did.
    data["request"]["messages"][1]["content"][1]["name"] = "read_file"
    second.write_text(json.dumps(data))
    result = ReplayAgent(AgentOptions(replay_dir=rec)).run(make_task(tmp_path, "run_e"))
    assert result.status == "failed"
    assert result.reason is not None and "tool calls differ" in result.reason


def test_missing_or_corrupt_recording_fails_at_construction(tmp_path: Path) -> None:
    with pytest.raises(AgentConfigError, match="--replay"):
        ReplayAgent(AgentOptions())
    with pytest.raises(RecordingError, match="does not exist"):
        ReplayAgent(AgentOptions(replay_dir=tmp_path / "missing"))
    rec, _, _ = record(tmp_path)
    (rec / "run_a" / "meta.json").write_text("[]")
    with pytest.raises(RecordingError, match="expected a JSON object"):
        ReplayAgent(AgentOptions(replay_dir=rec / "run_a"))
