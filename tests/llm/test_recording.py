"""Recording LLM exchanges (redacted, numbered files) and loading/replaying them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zebench.llm.client import create_client
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript, FakeToolCall
from zebench.llm.recording import (
    Recorder,
    Recording,
    RecordingError,
    RecordingMeta,
    ReplayClient,
    ReplayDivergedError,
)
from zebench.llm.types import LLMMessage, LLMRequest, ToolDefinition, ToolResultBlock

KEY = "sk-ant-api03-SECRETSECRETSECRET0123456789"
TOOLS = [
    ToolDefinition(name="read_file", description="Read.", parameters={"type": "object", "properties": {}})
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values()]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def record_two_calls(directory: Path) -> None:
    script = FakeScript(
        turns=[
            FakeReply(
                text=f"I will use {KEY}", tool_calls=[FakeToolCall(name="read_file", arguments={"path": "a"})]
            ),
            FakeReply(text="done"),
        ]
    )
    meta = RecordingMeta(provider="anthropic", model="claude-sonnet-4-6", agent="anthropic", run_id="r1")
    with FakeLLMServer(script) as fake:
        client = create_client(
            "anthropic",
            base_url=fake.url,
            api_key=KEY,
            recorder=Recorder(directory, secrets=[KEY], meta=meta),
        )
        messages = [LLMMessage(role="user", content=f"the key is {KEY}")]
        first = client.complete(LLMRequest(model="claude-sonnet-4-6", messages=messages, tools=TOOLS))
        messages += [
            LLMMessage(role="assistant", content=list(first.tool_calls)),
            LLMMessage(
                role="user", content=[ToolResultBlock(tool_use_id=first.tool_calls[0].id, content="A")]
            ),
        ]
        client.complete(LLMRequest(model="claude-sonnet-4-6", messages=messages, tools=TOOLS))


def test_recorder_writes_numbered_redacted_files(tmp_path: Path) -> None:
    directory = tmp_path / "rec"
    record_two_calls(directory)
    names = sorted(p.name for p in directory.iterdir())
    assert names == ["0001.json", "0002.json", "meta.json"]
    meta = json.loads((directory / "meta.json").read_text())
    assert meta["calls"] == 2 and meta["provider"] == "anthropic" and meta["model"] == "claude-sonnet-4-6"
    for file in directory.iterdir():
        text = file.read_text()
        assert KEY not in text
        assert "SECRETSECRET" not in text
    first = json.loads((directory / "0001.json").read_text())
    assert first["request"]["tools"][0]["name"] == "read_file"
    assert first["response"]["tool_calls"][0]["input"] == {"path": "a"}


def test_replay_client_serves_in_order_and_detects_divergence(tmp_path: Path) -> None:
    directory = tmp_path / "rec"
    record_two_calls(directory)
    recording = Recording.load(directory)
    replay = ReplayClient(recording)
    first_request = recording.exchanges[0].request
    response = replay.complete(first_request)
    assert response.tool_calls[0].name == "read_file"
    assert response.cost_usd == 0.0
    with pytest.raises(ReplayDivergedError, match="offered tools"):
        replay.complete(first_request.model_copy(update={"tools": []}))
    fresh = ReplayClient(recording)
    fresh.complete(first_request)
    fresh.complete(recording.exchanges[1].request)
    with pytest.raises(ReplayDivergedError, match="only 2"):
        fresh.complete(recording.exchanges[1].request)


def test_recording_dir_may_hold_one_run_subdirectory(tmp_path: Path) -> None:
    record_two_calls(tmp_path / "rec" / "run_1")
    assert Recording.load(tmp_path / "rec").directory == tmp_path / "rec" / "run_1"
    record_two_calls(tmp_path / "rec" / "run_2")
    with pytest.raises(RecordingError, match="2 recordings found"):
        Recording.load(tmp_path / "rec")


def test_missing_and_corrupt_recordings_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="does not exist"):
        Recording.load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RecordingError, match="not a zebench recording"):
        Recording.load(tmp_path / "empty")
    directory = tmp_path / "rec"
    record_two_calls(directory)
    (directory / "0002.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RecordingError, match=r"0002\.json"):
        Recording.load(directory)
    (directory / "0002.json").unlink()
    with pytest.raises(RecordingError, match="says 2 calls"):
        Recording.load(directory)
