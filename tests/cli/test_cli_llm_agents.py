"""Each LLM agent solves a bundled example through the CLI, against the scripted fake LLM server.

The fake model makes real tool calls (write the fixed files, run the tests); zebench executes them
in the workspace, validates, scores and stores the run with tokens and cost.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import CliRun, as_json

from zebench.agents.installed.install import installed
from zebench.agents.installed.pins import PINS
from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript, FakeToolCall
from zebench.scenarios import bundled_suites_dir

SOLUTION = bundled_suites_dir() / "examples" / "scenarios" / "fix-failing-tests" / "solution"
FILES = {
    f"textkit/{name}": (SOLUTION / "textkit" / name).read_text() for name in ("durations.py", "slugs.py")
}
TEST_COMMAND = "python3 -m unittest discover -s tests"


def toolbox_script(cost: float | None = None) -> FakeScript:
    """Write both fixed files (parallel tool calls), run the tests, then finish."""
    return FakeScript(
        turns=[
            FakeReply(
                text="I'll fix both modules.",
                tool_calls=[
                    FakeToolCall(name="write_file", arguments={"path": p, "content": c})
                    for p, c in FILES.items()
                ],
            ),
            FakeReply(
                text="Now the tests.",
                tool_calls=[FakeToolCall(name="run_command", arguments={"command": TEST_COMMAND})],
            ),
            FakeReply(text="Fixed the duration and slug bugs; all tests pass."),
        ],
        cost=cost,
    )


def _bench(zb: CliRun, agent: str, *extra: str, **env: str) -> dict:  # type: ignore[type-arg]
    proc = zb(
        "bench", "examples", "fix-failing-tests", "--agent", agent, "--json", "--skip-warmup", *extra, **env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return as_json(proc)  # type: ignore[no-any-return]


def _assert_solved(run: dict, tool_calls: int = 3) -> None:  # type: ignore[type-arg]
    assert run["status"] == "completed" and run["is_successful"] is True, run["reason"]
    assert run["total_score"] == pytest.approx(1.0)
    assert run["telemetry"]["tool_calls"] == tool_calls
    assert run["telemetry"]["tokens"]["input"] > 0 and run["telemetry"]["tokens"]["output"] > 0


def test_anthropic_agent_solves_an_example(zb: CliRun) -> None:
    with FakeLLMServer(toolbox_script()) as fake:
        run = _bench(
            zb,
            "anthropic",
            "--model",
            "claude-sonnet-4-6",
            ANTHROPIC_API_KEY="sk-ant-test-secret",
            ANTHROPIC_BASE_URL=fake.url,
        )
        bodies = [r.body for r in fake.requests_to("/v1/messages")]
    _assert_solved(run)
    assert run["telemetry"]["tool_call_counts"] == {"write_file": 2, "run_command": 1}
    assert run["telemetry"]["cost_kind"] == "estimated" and run["telemetry"]["cost_usd"] > 0
    assert run["model"] == "claude-sonnet-4-6"
    # Tool schemas reach the provider intact.
    tools = {t["name"]: t for t in bodies[0]["tools"]}
    assert tools["write_file"]["input_schema"]["required"] == ["path", "content"]
    assert "secret" not in str(run)


def test_openrouter_agent_uses_the_reported_cost(zb: CliRun) -> None:
    with FakeLLMServer(toolbox_script(cost=0.0125)) as fake:
        run = _bench(
            zb,
            "openrouter",
            "--model",
            "anthropic/claude-sonnet-4.6",
            OPENROUTER_API_KEY="sk-or-test-secret",
            OPENROUTER_BASE_URL=fake.openrouter_base_url,
        )
        seen = fake.requests_to("/api/v1/chat/completions")
    _assert_solved(run)
    assert run["telemetry"]["cost_kind"] == "measured"
    assert run["telemetry"]["cost_usd"] == pytest.approx(3 * 0.0125)
    assert seen and seen[0].headers.get("x-title") == "zebench"
    params = {t["function"]["name"]: t["function"]["parameters"] for t in seen[0].body["tools"]}
    assert set(params["edit_file"]["properties"]) >= {"path", "old_string", "new_string"}


def test_openai_compatible_endpoint_with_an_unpriced_local_model(zb: CliRun) -> None:
    with FakeLLMServer(toolbox_script()) as fake:
        run = _bench(zb, "openai", "--model", "local-llama", "--base-url", fake.openai_base_url)
    _assert_solved(run)
    # An unknown model's cost is unknown, never a silent 0.
    assert run["telemetry"]["cost_usd"] is None


@pytest.mark.skipif(
    installed(PINS["claude-code"]) is None and os.environ.get("CI") != "true",
    reason="claude-code is not installed (zebench agents install claude-code)",
)
def test_claude_code_cli_solves_an_example(zb: CliRun) -> None:
    # Each heredoc terminator must stand alone on its line, so the writes are joined by newlines.
    writes = "\n".join(
        f"cat > {path} <<'ZEBENCH_EOF'\n{content}ZEBENCH_EOF" for path, content in FILES.items()
    )
    script = FakeScript(
        turns=[
            FakeReply(
                text="Writing the fixes.",
                tool_calls=[
                    FakeToolCall(name="Bash", arguments={"command": writes, "description": "write fixes"})
                ],
            ),
            FakeReply(
                text="Running tests.",
                tool_calls=[
                    FakeToolCall(name="Bash", arguments={"command": TEST_COMMAND, "description": "run tests"})
                ],
            ),
            FakeReply(text="Both bugs are fixed and the tests pass."),
        ]
    )
    with FakeLLMServer(script) as fake:
        run = _bench(
            zb,
            "claude-code",
            "--model",
            "claude-sonnet-4-6",
            ANTHROPIC_API_KEY="sk-ant-test-secret",
            ANTHROPIC_BASE_URL=fake.url,
        )
    _assert_solved(run, tool_calls=2)
    assert run["telemetry"]["tool_call_counts"].get("Bash") == 2
    assert "secret" not in str(run)


def test_missing_key_is_one_line_before_any_work(zb: CliRun, tmp_path: Path) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "--agent", "anthropic", ANTHROPIC_API_KEY="")
    assert proc.returncode == 2 and "ANTHROPIC_API_KEY" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "results" / "zebench.db").exists()
