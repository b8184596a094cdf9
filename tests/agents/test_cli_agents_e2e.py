"""Every CLI agent at its pinned version, end to end: the REAL CLI in bubblewrap, through the model
gateway, against the fake LLM, on ``examples fix-failing-tests``, as ``zebench bench`` runs it.

Each run must PASS, record exactly the tokens the fake served, keep the CLI's tool calls in its
trajectory and never let a harness key into the sandbox. Skipped (failed under CI=true) when the
CLI is not installed: ``zebench agents install --all``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from clikit import CANARIES, SCRIPTS, bench, fake_for, no_canary, require_cli, served_generations

from zebench.llm.fake import FakeCaching, FakeLLMServer, load_script

pytestmark = pytest.mark.slow

# The agent's tool names the script uses, as the trajectory must show them.
EXPECTED_TOOLS = {
    "claude-code": {"Bash", "Read", "Edit"},
    "codex": {"shell", "apply_patch"},
    "gemini-cli": {"run_shell_command", "read_file", "replace"},
    "qwen-code": {"run_shell_command"},
    "opencode": {"bash", "read", "edit"},
    "aider": {"edit"},
    "mini-swe-agent": {"bash"},
}


@pytest.mark.parametrize("agent", sorted(EXPECTED_TOOLS))
def test_cli_agent_fixes_the_example_in_the_sandbox(
    agent: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_cli(agent)
    with fake_for(agent) as fake:
        run, store = bench(agent, fake, tmp_path, monkeypatch)
        served = served_generations(fake)
    with store:
        record = store.get_run(run["runId"] if "runId" in run else run["run_id"])
        trajectory = store.get_artifact(record.run_id, "trajectory")
        calls = store.get_artifact(record.run_id, "model_calls")
    assert record.status.value == "completed" and record.is_successful, record.reason
    assert record.metadata["sandbox"] == "bwrap"
    # Tokens: what the gateway recorded, which is what the fake served (100 in, 20 out a reply).
    assert served > 0
    assert (record.telemetry.tokens.input, record.telemetry.tokens.output) == (100 * served, 20 * served)
    assert record.metadata["model_gateway"]["calls"] == served
    steps = json.loads(trajectory)
    names = {s["name"] for s in steps if s["type"] == "tool_call"}
    assert EXPECTED_TOOLS[agent] <= names, names
    assert record.telemetry.tool_calls >= len(EXPECTED_TOOLS[agent])
    assert (
        record.metadata["agent"]["agent_version"]
        == __import__("zebench.agents.installed.pins", fromlist=["PINS"]).PINS[agent].version
    )
    # The agent's private HOME never reaches the scored diff.
    assert all(not c["path"].startswith((".zebench", ".claude", ".codex", ".gemini", ".qwen", ".aider"))
               for c in [c.model_dump() for c in record.changed_files])  # fmt: skip
    assert sorted(c.path for c in record.changed_files) == ["textkit/durations.py", "textkit/slugs.py"]
    assert no_canary(trajectory) and no_canary(calls)


def test_command_adapter_runs_a_script_agent_with_the_same_guarantees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``command`` adapter: a small script agent gets the sandbox, the gateway and telemetry.
    Its probe shows no harness key anywhere it can read, the host's loopback server refused and
    only the gateway reachable."""
    require_cli_free = __import__("zebench.sandbox", fromlist=["probe_bwrap"]).probe_bwrap()
    if not require_cli_free.ok:
        pytest.skip(require_cli_free.reason)
    import socket

    host_server = socket.socket()
    host_server.bind(("127.0.0.1", 0))
    host_server.listen(1)
    port = host_server.getsockname()[1]
    agent = Path(__file__).with_name("script_agent.py")
    template = f"{sys.executable} {agent} {{prompt_file}} {{model}} {{base_url}} {port}"
    try:
        with fake_for("command") as fake:
            run, store = bench(
                "command", fake, tmp_path, monkeypatch, "--agent-command", template, "--keep-workspace"
            )
            served = served_generations(fake)
    finally:
        host_server.close()
    with store:
        record = store.get_run(run["runId"] if "runId" in run else run["run_id"])
        trajectory = json.loads(store.get_artifact(record.run_id, "trajectory"))
    assert record.is_successful, record.reason
    assert (record.telemetry.tokens.input, record.telemetry.tokens.output) == (100 * served, 20 * served)
    assert record.metadata["agent"]["agent_reported_usage"]["input"] == 100 * served  # its own report agrees
    assert [s["name"] for s in trajectory if s["type"] == "tool_call"] == ["bash", "bash", "bash"]
    probe = (Path(record.telemetry.workspace_dir or "") / "probe.txt").read_text()
    for value in CANARIES.values():
        assert value not in probe
    assert "OPENAI_API_KEY=zebench-gateway-" in probe  # the gateway's per-run placeholder
    assert "host-server: refused" in probe
    assert "gateway: connected" in probe


def test_scripts_exist_for_every_agent() -> None:
    assert {p.stem for p in SCRIPTS.glob("*.yaml")} == {
        *EXPECTED_TOOLS,
        "command",
        "batch-codex-gemini-aider",
    }


def test_a_batch_of_cli_agents_lands_on_the_agent_leaderboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``zebench bench examples fix-failing-tests --agents codex,gemini-cli,aider --iterations 2``
    against one fake LLM makes one batch that the dashboard's agents page compares."""
    from fastapi.testclient import TestClient

    from zebench.llm.fake import FakeLLMServer, load_script
    from zebench.server import create_app

    for name in ("codex", "gemini-cli", "aider"):
        require_cli(name)
    with FakeLLMServer(load_script(SCRIPTS / "batch-codex-gemini-aider.yaml")) as fake:
        runs, store = bench(
            "codex", fake, tmp_path, monkeypatch, "--agents", "codex,gemini-cli,aider", "--iterations", "2",
            "--batch-id", "batch_cli_agents", "--parallel", "3",
        )  # fmt: skip
    assert isinstance(runs, list) and len(runs) == 6
    with store:
        records = [store.get_run(r["runId"] if "runId" in r else r["run_id"]) for r in runs]
        assert {r.batch_id for r in records} == {"batch_cli_agents"}
        assert sorted(r.agent for r in records if r.is_successful) == sorted(
            ["codex", "gemini-cli", "aider"] * 2
        )
        page = TestClient(create_app(store)).get("/agents")
    assert page.status_code == 200
    for name in ("codex", "gemini-cli", "aider"):
        assert name in page.text


def test_claude_codes_own_cache_breakpoints_are_billed_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claude Code marks its own cache_control breakpoints; with the fake billing caching as
    Anthropic does, the gateway records the reads and writes and prices them."""
    require_cli("claude-code")
    script = load_script(SCRIPTS / "claude-code.yaml").model_copy(update={"caching": FakeCaching()})
    with FakeLLMServer(script) as fake:
        run, store = bench("claude-code", fake, tmp_path, monkeypatch, "--model", "claude-sonnet-4-6")
        bodies = [r.body for r in fake.requests_to("/v1/messages")]
    with store:
        record = store.get_run(run["run_id"])
    assert record.is_successful, record.reason
    assert any("cache_control" in json.dumps(body) for body in bodies)
    tokens = record.telemetry.tokens
    assert tokens.cache_read > 0 and tokens.cache_write > 0
    assert record.telemetry.cost_usd is not None and record.telemetry.cost_kind == "estimated"
    assert record.metadata["model_gateway"]["cost_without_cache_usd"] > record.telemetry.cost_usd
