"""Done-when tests of the isolation issue: agent commands inside a real bench run, under bubblewrap.

Each test drives ``zebench.runner.run_one`` with a scripted agent whose ``run_command`` calls go
through ``BwrapCommandRunner``, exactly as a model's tool calls would.
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from sandboxkit import (
    CONTENT,
    HIDDEN_MARKER,
    ORACLE_MARKER,
    SOLUTION_MARKER,
    ScriptAgent,
    make_scenario,
    require_bwrap,
    run_agent,
)

from zebench.results.models import RunStatus
from zebench.sandbox import BwrapCommandRunner, create_runner

FAKE_KEYS = {
    "ANTHROPIC_API_KEY": "sk-ant-FAKE-harness-key-0123456789abcdef",
    "OPENAI_API_KEY": "sk-FAKE-openai-key-0123456789abcdef0123",
    "ZE_BENCHMARKS_API_KEY": "ze-FAKE-write-key-5551234567",
    "MY_SERVICE_TOKEN": "tok-FAKE-service-token-8887776665",
}


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    require_bwrap()


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.hits.append(self.path)
        body = b"host-secret-page"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def local_server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on the host's 127.0.0.1, recording every request path."""
    hits: list[str] = []
    handler = type("Handler", (_Handler,), {})
    _Handler.hits = hits
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def _probe_commands(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/from-sandbox"
    return [
        f"curl -sS -m 5 {url}",
        f"python3 -c \"import urllib.request; print(urllib.request.urlopen('{url}', timeout=5).read())\"",
    ]


def test_agent_cannot_reach_host_loopback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, local_server: tuple[int, list[str]]
) -> None:
    port, hits = local_server
    import urllib.request

    assert (
        urllib.request.urlopen(f"http://127.0.0.1:{port}/host-check", timeout=5).read() == b"host-secret-page"
    )
    scenario = make_scenario(tmp_path)
    agent = ScriptAgent(_probe_commands(port))
    record, _ = run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))

    assert record.status == RunStatus.COMPLETED
    assert agent.errors == [True, True]  # both clients failed ...
    assert "host-secret-page" not in "".join(agent.outputs)
    assert "Connection refused" in agent.outputs[1] or "Errno" in agent.outputs[1]
    assert hits == ["/host-check"]  # ... and the server never saw a request from the sandbox


def test_network_true_shares_the_host_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, local_server: tuple[int, list[str]]
) -> None:
    """The positive control: the same commands work when the scenario opts into the network."""
    port, hits = local_server
    scenario = make_scenario(tmp_path, network=True)
    agent = ScriptAgent(_probe_commands(port)[1:])
    run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))
    assert agent.errors == [False], agent.outputs
    assert "host-secret-page" in agent.outputs[0]
    assert hits == ["/from-sandbox"]


def test_agent_cannot_write_outside_the_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    repo_file = Path.cwd() / "zebench-sandbox-escape.txt"
    home_file = Path(os.path.expanduser("~")) / "zebench-sandbox-escape.txt"
    targets = [outside, repo_file, home_file, Path("/usr/zebench-escape"), Path("/etc/zebench-escape")]
    scenario = make_scenario(tmp_path)
    commands = [f"echo pwned > {target}" for target in targets]
    commands += ["echo mine > written-inside.txt", f"echo pwned > {scenario.directory}/pwned.txt"]
    agent = ScriptAgent(commands)
    record, _ = run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))

    for target in targets:
        assert not target.exists(), f"{target} was written from inside the sandbox"
    assert not (scenario.directory / "pwned.txt").exists()
    assert agent.errors[-1] is True  # the scenario folder does not exist inside
    workspace = Path(record.telemetry.workspace_dir or "")
    inside = workspace / "written-inside.txt"
    assert inside.read_text() == "mine\n"
    # Written by uid 65534 inside, yet owned by the harness's uid outside: the harness can edit it.
    assert inside.stat().st_uid == os.getuid()
    inside.write_text("edited by the harness\n")
    assert any(f.path == "written-inside.txt" for f in record.changed_files)


def test_agent_cannot_read_harness_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)
    scenario = make_scenario(
        tmp_path, env={"SNEAKY_API_KEY": FAKE_KEYS["ANTHROPIC_API_KEY"], "HARMLESS_SETTING": "visible"}
    )
    agent = ScriptAgent(
        [
            "env",
            "printenv ANTHROPIC_API_KEY; printenv OPENAI_API_KEY; printenv SNEAKY_API_KEY; true",
            f"cat /proc/{os.getpid()}/environ; cat /proc/1/environ | tr '\\0' '\\n'; true",
            "ps -eo pid,args 2>/dev/null || ls /proc",
        ]
    )
    _record, _sink = run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))

    seen = "\n".join(agent.outputs)
    for value in FAKE_KEYS.values():
        assert value not in seen
    assert "SNEAKY_API_KEY" not in seen  # a scenario's env: cannot route a key in by naming it
    assert "HARMLESS_SETTING=visible" in seen
    assert "HOME=/home/sandbox" in seen
    assert str(os.getpid()) + " " not in agent.outputs[3]  # the harness's process is invisible


def test_stored_run_is_scrubbed_of_harness_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Even when a key reaches the agent's own output, the stored record never holds it."""
    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)
    scenario = make_scenario(tmp_path)
    leak = " ".join(FAKE_KEYS.values())
    agent = ScriptAgent([f"echo {FAKE_KEYS['MY_SERVICE_TOKEN']} > leak.txt"], final_message=f"keys: {leak}")
    record, sink = run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))
    stored = sink.runs[-1].model_dump_json()
    for value in FAKE_KEYS.values():
        assert value not in stored
        assert value not in record.model_dump_json()
    assert "[REDACTED]" in record.artifacts["agent_output"]
    assert "[REDACTED]" in record.artifacts["diff"]


def test_agent_cannot_see_solution_hidden_tests_or_oracle(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenario = make_scenario(tmp_path)
    agent = ScriptAgent(
        [
            "find / -xdev \\( -name 'solution*' -o -name '*MARKER*' -o -name 'oracle-answers*' \\) 2>/dev/null; true",
            f"ls -la {scenario.directory}",
            f"cat {scenario.hidden_tests_dir}/test_{HIDDEN_MARKER}.py",
            f"cat {scenario.oracle_answers_file}",
            f"ls -a {tmp_path}",
            "ls -a",
        ]
    )
    record, _ = run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))

    seen = "\n".join(agent.outputs) + agent.listing
    for marker in (SOLUTION_MARKER, HIDDEN_MARKER, ORACLE_MARKER):
        assert marker + CONTENT not in seen  # no content was read ...
        assert marker not in agent.outputs[0] + agent.listing + agent.outputs[5]  # ... nor a name found
    assert agent.errors[1:4] == [True, True, True]
    assert "No such file or directory" in agent.outputs[1]
    assert agent.outputs[4].split("stdout:\n", 1)[1].split() == [".", "..", "workspaces"]
    # After the agent, validation (also sandboxed) does see the hidden tests: they were copied in.
    assert record.validation[0].exit_code == 0, record.validation[0]
    assert HIDDEN_MARKER + CONTENT in record.validation[0].stdout
    assert record.validation[0].stdout.strip().endswith("65534")
    # The heuristic command ran in the sandbox too (it only passes as uid 65534).
    heuristic = next(e for e in record.evaluations if e.name == "heuristic_checks")
    assert heuristic.passed and heuristic.score == 1.0


def test_agent_cannot_leave_a_process_behind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A detached process would otherwise survive into validation and tamper with hidden tests."""
    scenario = make_scenario(tmp_path)
    agent = ScriptAgent(
        ["setsid nohup sh -c 'sleep 1.5; echo late > late.txt' >/dev/null 2>&1 & echo started"]
    )
    record, _ = run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))
    assert "started" in agent.outputs[0]
    time.sleep(2.5)
    assert not (Path(record.telemetry.workspace_dir or "") / "late.txt").exists()


def test_bwrap_runner_is_the_default_where_it_works(tmp_path: Path) -> None:
    assert isinstance(create_runner("auto", make_scenario(tmp_path)), BwrapCommandRunner)
