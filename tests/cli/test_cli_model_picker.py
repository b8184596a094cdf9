"""The interactive model search: ``bench --agent openrouter`` without ``--model`` at a terminal.

Driven for real through a pseudo-terminal (pexpect), against the fake LLM server on 127.0.0.1
serving OpenRouter's model catalogue and chat completions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript
from zebench.llm.fake.script import FakeModelInfo

MODELS = [
    FakeModelInfo(id="anthropic/claude-sonnet-4.6", name="Claude Sonnet 4.6", prompt_price=3e-6),
    FakeModelInfo(id="anthropic/claude-haiku-4.5", name="Claude Haiku 4.5", prompt_price=1e-6),
    FakeModelInfo(id="acme/coder-small", name="Coder Small", prompt_price=2e-7),
    FakeModelInfo(id="acme/coder-large", name="Coder Large", prompt_price=9e-7),
    FakeModelInfo(id="acme/chat-only", name="Chat Only", supports_tools=False),
]
BENCH = [
    "bench",
    "examples",
    "fix-failing-tests",
    "--agent",
    "openrouter",
    "--skip-warmup",
    "--sandbox",
    "none",
]


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    script = FakeScript(models=MODELS, turns=[FakeReply(text="I changed nothing.")])
    with FakeLLMServer(script) as server:
        yield server


def _env(fake: FakeLLMServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env.update(
        OPENROUTER_API_KEY="sk-or-test-key",
        OPENROUTER_BASE_URL=fake.openrouter_base_url,
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),  # the catalogue cache, fresh per test
        TERM="xterm-256color",
    )
    env.update(extra)
    return env


def _spawn(fake: FakeLLMServer, tmp_path: Path, **extra: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "zebench", *BENCH],
        cwd=str(tmp_path),
        env=_env(fake, tmp_path, **extra),
        encoding="utf-8",
        dimensions=(30, 120),
        timeout=120,
    )
    child.logfile_read = (tmp_path / "terminal.log").open("w")
    return child


def _models_sent(fake: FakeLLMServer) -> list[str]:
    return [r.body.get("model") for r in fake.requests_to("/api/v1/chat/completions")]


def _stored_model(tmp_path: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "zebench", "runs", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(proc.stdout)["items"][0]["model"])


def test_typing_filters_and_arrows_choose(fake: FakeLLMServer, tmp_path: Path) -> None:
    child = _spawn(fake, tmp_path)
    child.expect(r"OpenRouter model \(4 with tools\)")  # chat-only cannot call tools: not offered
    child.expect("Enter to choose")
    screen = child.before + child.after
    child.expect("coder-small")  # every tool-capable model is listed, with its prices
    child.send("coder")  # type to filter: only the two coder models remain
    child.expect(r"/ (\x1b\[[0-9;]*m)*coder")  # the filter line, as prompt_toolkit draws it
    child.send("\x1b[B")  # ↓ : from coder-large (first, alphabetically) to coder-small
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1  # the agent changed nothing, so the run fails: as any failed run
    assert "chat-only" not in screen
    assert _models_sent(fake) == ["acme/coder-small"]
    assert _stored_model(tmp_path) == "acme/coder-small"


def test_enter_takes_the_default_model(fake: FakeLLMServer, tmp_path: Path) -> None:
    child = _spawn(fake, tmp_path)
    child.expect("Enter to choose")
    child.expect(r"» (\x1b\[[0-9;]*m)*anthropic/claude-sonnet-4\.6")  # the agent's default is preselected
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert _models_sent(fake) == ["anthropic/claude-sonnet-4.6"]


def test_ctrl_c_in_the_picker_stops_before_any_run(fake: FakeLLMServer, tmp_path: Path) -> None:
    child = _spawn(fake, tmp_path)
    child.expect("Enter to choose")
    child.sendintr()
    child.expect("interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert _models_sent(fake) == []


def test_a_missing_key_is_one_line_before_the_picker(fake: FakeLLMServer, tmp_path: Path) -> None:
    child = _spawn(fake, tmp_path, OPENROUTER_API_KEY="")
    child.expect(pexpect.EOF)
    child.close()
    output = child.before
    assert child.exitstatus == 2
    assert "OPENROUTER_API_KEY" in output and "Traceback" not in output
    assert fake.requests_to("/api/v1/models") == []  # nothing was offered


def test_without_a_terminal_nothing_is_asked(fake: FakeLLMServer, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "zebench", *BENCH, "--json"],
        cwd=tmp_path,
        env=_env(fake, tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1, proc.stderr
    # As before the picker existed: the agent's default model, and the catalogue is never fetched.
    assert json.loads(proc.stdout)["model"] == "anthropic/claude-sonnet-4.6"
    assert fake.requests_to("/api/v1/models") == []
