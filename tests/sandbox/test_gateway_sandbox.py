"""The model gateway from inside an agent's sandbox: it answers, nothing else is reachable, and no
API key is anywhere in the sandbox (a canary). Real ``run_one`` runs under bubblewrap."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sandboxkit import make_scenario, require_bwrap, run_agent

from zebench.agents import AgentResult, AgentTask, ModelAccess
from zebench.llm.fake import FakeLLMServer, parse_script
from zebench.results.model_calls import MODEL_CALLS_ARTIFACT, calls_from_json
from zebench.results.models import TokenUsage
from zebench.sandbox import BwrapCommandRunner, LocalRunnerNoSandbox

CANARY = "sk-canary-9f8e7d6c5b4a39281706"  # the harness's "real" key: must never be seen inside

# Runs inside the sandbox as the agent's command: calls the model through the endpoint, tries
# every other way out it knows of, and looks for the canary in its environment and files.
PROBE = r"""
import json, os, socket, sys, urllib.request
base, key, others = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
out = {}
request = urllib.request.Request(
    base + "/v1/chat/completions",
    data=json.dumps({"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]}).encode(),
    headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"},
)
reply = json.loads(urllib.request.urlopen(request, timeout=20).read())
out["model_reply"] = reply["choices"][0]["message"]["content"]
out["usage"] = reply["usage"]
reached = []
for host, port in others:
    try:
        socket.create_connection((host, port), timeout=3).close()
        reached.append([host, port])
    except OSError:
        pass
out["reached"] = reached
if sys.argv[5] != "full":  # outside the sandbox there is nothing to prove
    print(json.dumps(out))
    raise SystemExit(0)
with open("/proc/net/dev") as devices:  # this network namespace's interfaces
    out["interfaces"] = sorted(line.split(":")[0].strip() for line in devices.read().splitlines()[2:])
with open("/proc/net/route") as routes:
    out["routes"] = routes.read().splitlines()[1:]
canary = sys.argv[4]
found = [k for k, v in os.environ.items() if canary in v]
for root in ("/tmp", os.environ.get("HOME", "/nonexistent"), os.getcwd(), "/run"):
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as handle:
                    if canary.encode() in handle.read(1 << 20):
                        found.append(path)
            except OSError:
                pass
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                if canary.encode() in handle.read():
                    found.append(f"/proc/{pid}/environ")
        except OSError:
            pass
out["canary_found"] = found
out["env_keys"] = sorted(k for k in os.environ if "KEY" in k or "TOKEN" in k)
print(json.dumps(out))
"""


@dataclass
class ProbeAgent:
    """A CLI-like agent: one command in the run's sandbox, given the gateway's endpoint."""

    others: list[tuple[str, int]]
    full: bool = True  # also look for the canary and routes out (inside the sandbox only)
    name: str = "probe"
    found: dict[str, object] = field(default_factory=dict)

    def model_access(self) -> ModelAccess:
        return ModelAccess(provider="openai", wires=("openai-chat",), runs_in="sandbox")

    def run(self, task: AgentTask) -> AgentResult:
        endpoint = task.model_endpoint
        assert endpoint is not None
        script = task.workspace / ".probe.py"
        script.write_text(PROBE)
        args = [
            endpoint.base_url,
            endpoint.api_key,
            json.dumps(self.others),
            CANARY,
            "full" if self.full else "-",
        ]
        command = " ".join(["python3", str(script), *(_quote(a) for a in args)])
        result = task.tools.command_runner.run(command, task.workspace, timeout_s=120)
        script.unlink()
        assert result.exit_code == 0, result.stderr
        self.found = json.loads(result.stdout)
        usage = self.found["usage"]
        assert isinstance(usage, dict)
        reported = TokenUsage(input=usage["prompt_tokens"], output=usage["completion_tokens"])
        return AgentResult(status="completed", final_message="probed", reported_usage=reported)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


@pytest.fixture
def host_service() -> Iterator[int]:
    """An HTTP server on the host's 127.0.0.1, which the sandbox must not reach."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("sessions", [True, False], ids=["session", "one-off sandboxes"])
def test_the_gateway_is_the_only_way_out_and_no_key_is_inside(
    sessions: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host_service: int
) -> None:
    require_bwrap()
    script = parse_script(
        {"default": {"text": "hello from the model"}, "usage": {"input_tokens": 9, "output_tokens": 4}}
    )
    with FakeLLMServer(script) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", CANARY)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
        others = [
            ("127.0.0.1", fake.port),
            ("127.0.0.1", host_service),
            ("127.0.0.1", 22),
            ("127.0.0.1", 8787),
        ]
        agent = ProbeAgent(others=others)
        runner = BwrapCommandRunner(sessions=sessions)
        record, _sink = run_agent(monkeypatch, tmp_path, make_scenario(tmp_path), agent, runner)  # type: ignore[arg-type]
        served_keys = {r.headers.get("authorization") for r in fake.requests}
    found = agent.found
    assert found["model_reply"] == "hello from the model"
    assert found["reached"] == []  # the host's services, the fake LLM itself, the gateway's TCP port
    assert found["interfaces"] == ["lo"] and found["routes"] == []  # no way to the internet at all
    assert found["canary_found"] == [] and found["env_keys"] == []
    assert served_keys == {f"Bearer {CANARY}"}  # the gateway added the real key on the way out
    calls = calls_from_json(record.artifacts[MODEL_CALLS_ARTIFACT])
    assert [(c.wire, c.status) for c in calls] == [("openai-chat", 200)]
    assert record.telemetry.tokens == TokenUsage(input=9, output=4)
    assert record.metadata["usage_check"]["match"] is True
    assert CANARY not in json.dumps(record.model_dump(mode="json"))


def test_validation_never_sees_the_gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_bwrap()
    with FakeLLMServer(parse_script({})) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", CANARY)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
        probe = "python3 -c \"import socket; socket.create_connection(('127.0.0.1', 8790), timeout=3)\" && echo REACHED || echo refused"
        scenario = make_scenario(tmp_path, heuristic_checks=None, evaluators=[])
        from zebench.scenarios.model import ValidationCommand

        scenario = scenario.model_copy(
            update={"validation": [ValidationCommand(name="probe", kind="test", command=probe)]}
        )
        agent = ProbeAgent(others=[], full=False)
        record, _sink = run_agent(monkeypatch, tmp_path, scenario, agent, BwrapCommandRunner())  # type: ignore[arg-type]
    assert agent.found["model_reply"] == "ok"
    (validation,) = record.validation
    assert validation.stdout.strip() == "refused"


def test_without_the_sandbox_the_agent_gets_the_host_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLLMServer(parse_script({})) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", CANARY)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
        agent = ProbeAgent(others=[], full=False)
        record, _sink = run_agent(
            monkeypatch, tmp_path, make_scenario(tmp_path), agent, LocalRunnerNoSandbox()
        )  # type: ignore[arg-type]
    assert agent.found["model_reply"] == "ok"
    assert record.metadata["sandbox"] == "none"
    assert len(calls_from_json(record.artifacts[MODEL_CALLS_ARTIFACT])) == 1
