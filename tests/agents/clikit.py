"""Shared by the CLI-agent tests: the installed CLIs, a fake LLM per script, and the bench run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zebench.agents.installed.install import installed
from zebench.agents.installed.pins import PINS
from zebench.cli.app import app
from zebench.llm.fake import FakeLLMServer, load_script
from zebench.sandbox import probe_bwrap
from zebench.sandbox.detect import running_in_ci

SCRIPTS = Path(__file__).with_name("cli_scripts")
# Canary keys in the harness's environment: the gateway holds them, no sandbox may ever see them.
CANARIES = {
    "ANTHROPIC_API_KEY": "sk-ant-canary-5e1f0c2a9b7d4e36",
    "OPENAI_API_KEY": "sk-canary-openai-8d2c4b1a7e9f",
    "GEMINI_API_KEY": "gemini-canary-3b9e7a1c5d2f",
}
GENERATION_PATHS = ("/v1/messages", "/v1/chat/completions", "/v1/responses")


def require_cli(name: str) -> None:
    """Skip unless the pinned CLI is installed (``zebench agents install``) and bwrap works; under
    CI=true fail instead, so CI cannot go green without running them."""
    problems = []
    if installed(PINS[name]) is None:
        problems.append(f"{name} {PINS[name].version} is not installed (zebench agents install {name})")
    probe = probe_bwrap()
    if not probe.ok:
        problems.append(f"bubblewrap does not work here: {probe.reason}")
    if problems and running_in_ci():
        pytest.fail("CI=true but " + "; ".join(problems))
    if problems:
        pytest.skip("; ".join(problems))


def served_generations(fake: FakeLLMServer) -> int:
    """Model replies the fake served (count_tokens, model lists and faults are not generations)."""
    return sum(
        1
        for r in fake.requests
        if (
            r.path in GENERATION_PATHS
            or r.path.endswith(":streamGenerateContent")
            or r.path.endswith(":generateContent")
        )
        and not r.outcome.startswith("fault")
    )


def bench(
    agent: str, fake: FakeLLMServer, tmp: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[dict[str, Any], Any]:
    """Run ``zebench bench examples fix-failing-tests --agent AGENT`` as a user would; (run JSON, store)."""
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp)
    db = f"sqlite:///{tmp / 'z.db'}"
    args = ["bench", "examples", "fix-failing-tests", "--agent", agent, "--model", "fake-model",
            "--base-url", fake.url, "--sandbox", "bwrap", "--skip-warmup", "--db", db,
            "--workspace-root", str(tmp / "ws"), "--json", *extra]  # fmt: skip
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    run = json.loads(result.stdout)
    from zebench.store import open_store

    return run, open_store(db)


def fake_for(agent: str) -> FakeLLMServer:
    return FakeLLMServer(load_script(SCRIPTS / f"{agent}.yaml"))


def no_canary(text: str) -> bool:
    return not any(value in text for value in CANARIES.values())


def environ_has_no_canary() -> None:
    assert all(os.environ.get(k) == v for k, v in CANARIES.items())
