"""The tool-loop agents end to end through the model gateway, as a user runs them: the tokens stored
are those the fake served, the call log is shown, budgets and record/replay work at the gateway."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import CliRun, as_json
from test_cli_llm_agents import toolbox_script

from zebench.llm.fake import FakeLLMServer

USAGE = {"input_tokens": 120, "output_tokens": 40}  # the fake's default, per reply


def _bench(zb: CliRun, *args: str, code: int = 0, **env: str) -> dict:  # type: ignore[type-arg]
    proc = zb("bench", "examples", "fix-failing-tests", "--json", "--skip-warmup", *args, **env)
    assert proc.returncode == code, proc.stdout + proc.stderr
    return as_json(proc)  # type: ignore[no-any-return]


AGENTS = {
    "anthropic": (
        ["--model", "claude-sonnet-4-6"],
        lambda fake: {"ANTHROPIC_API_KEY": "sk-ant-test-secret-key", "ANTHROPIC_BASE_URL": fake.url},
        "anthropic-messages",
        "x-api-key",
    ),
    "openrouter": (
        ["--model", "anthropic/claude-sonnet-4.6"],
        lambda fake: {
            "OPENROUTER_API_KEY": "sk-or-test-secret-key",
            "OPENROUTER_BASE_URL": fake.openrouter_base_url,
        },
        "openai-chat",
        "authorization",
    ),
    "openai": (
        ["--model", "local-llama"],
        lambda fake: {"OPENAI_API_KEY": "sk-test-secret-key-openai", "OPENAI_BASE_URL": fake.openai_base_url},
        "openai-chat",
        "authorization",
    ),
}


@pytest.mark.parametrize("agent", list(AGENTS))
def test_tool_loop_agents_go_through_the_gateway(zb: CliRun, agent: str) -> None:
    args, env, wire, key_header = AGENTS[agent]
    with FakeLLMServer(toolbox_script()) as fake:
        run = _bench(zb, "--agent", agent, *args, **env(fake))
        keys = {r.headers.get(key_header, "") for r in fake.requests}
    assert run["status"] == "completed" and run["is_successful"] is True, run["reason"]
    # Three replies served, each with the fake's usage; prompt caching is off here.
    assert run["telemetry"]["tokens"] == {
        "input": 3 * USAGE["input_tokens"],
        "output": 3 * USAGE["output_tokens"],
        "cache_read": 0,
        "cache_write": 0,
    }
    assert run["metadata"]["model_gateway"]["calls"] == 3
    assert run["metadata"]["model_gateway"]["wires"] == [wire]
    assert run["metadata"]["usage_check"]["match"] is True  # the loop's own count agrees
    assert "model_calls" in run["artifact_names"]
    # The provider saw the real key, added by the gateway; never the agent's placeholder.
    assert all("secret-key" in k for k in keys) and not any("zebench-gateway" in k for k in keys)
    detail = as_json(zb("run", run["run_id"], "--json", check=0))
    calls = detail["model_calls"]
    assert [(c["wire"], c["status"], c["usage"]["input"]) for c in calls] == [(wire, 200, 120)] * 3
    text = zb("run", run["run_id"], check=0).stdout
    assert "Model calls (the gateway's record)" in text and wire in text


def test_a_call_budget_at_the_gateway_ends_the_run_as_budget_exceeded(zb: CliRun) -> None:
    with FakeLLMServer(toolbox_script()) as fake:
        run = _bench(
            zb,
            "--agent",
            "anthropic",
            "--max-model-calls",
            "1",
            code=1,
            ANTHROPIC_API_KEY="sk-ant-test-secret-key",
            ANTHROPIC_BASE_URL=fake.url,
        )
        served = len(fake.requests)
    assert run["status"] == "budget_exceeded" and "max_model_calls=1" in run["reason"]
    assert served == 1
    assert run["metadata"]["model_gateway"]["errors"] == {"budget": 1}


def test_record_then_replay_at_the_gateway_without_a_provider_or_key(zb: CliRun, tmp_path: Path) -> None:
    recording = tmp_path / "rec"
    with FakeLLMServer(toolbox_script()) as fake:
        first = _bench(
            zb,
            "--agent",
            "anthropic",
            "--model",
            "claude-sonnet-4-6",
            "--record",
            str(recording),
            ANTHROPIC_API_KEY="sk-ant-test-secret-key",
            ANTHROPIC_BASE_URL=fake.url,
        )
    saved = recording / first["run_id"] / "gateway"
    assert sorted(p.name for p in saved.iterdir()) == ["0001.json", "0002.json", "0003.json", "meta.json"]
    assert "sk-ant-test-secret-key" not in "".join(p.read_text() for p in saved.iterdir())
    # The fake is gone and no key is set: the gateway serves the recording to the same agent.
    again = _bench(
        zb,
        "--agent",
        "anthropic",
        "--model",
        "claude-sonnet-4-6",
        "--replay",
        str(recording),
        ANTHROPIC_API_KEY="",
        ANTHROPIC_BASE_URL="http://127.0.0.1:9",
    )
    assert again["status"] == "completed" and again["is_successful"] is True, again["reason"]
    assert again["telemetry"]["tokens"] == first["telemetry"]["tokens"]
    assert again["telemetry"]["cost_usd"] == 0.0
    calls = as_json(zb("run", again["run_id"], "--json", check=0))["model_calls"]
    assert len(calls) == 3 and all(c["replayed"] for c in calls)
    # The tool loop's own recording still drives --agent replay.
    replayed = _bench(zb, "--agent", "replay", "--replay", str(recording / first["run_id"]))
    assert replayed["is_successful"] is True


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--provider-tools", "web_search,teleport", "unknown provider tool 'teleport'"),
        ("--pin-generation", "temperature=9", "temperature=9 is out of range"),
        ("--pin-generation", "seed=1", "unknown generation setting 'seed'"),
        ("--pin-generation", "temperature", "is not KEY=VALUE"),
    ],
)
def test_bad_gateway_flags_are_one_line_errors(zb: CliRun, flag: str, value: str, words: str) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "--agent", "echo", flag, value)
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr
    assert flag in proc.stderr
