"""The LLM misbehaving (500s, 429s, truncated streams, invalid JSON) through a real bench run.

Every run ends stored with a clear status: completed (the retry recovered) or infra_error with a
reason naming the failure. Nothing raises out of run_one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sandboxkit import ListSink, make_scenario

from zebench.agents import AgentOptions
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeFault, FakeLLMServer, FakeReply, FakeScript, FakeToolCall
from zebench.results.models import RunStatus
from zebench.runner.pipeline import RunSpec, run_one

SCRIPT_TURNS = [
    FakeReply(
        tool_calls=[FakeToolCall(name="write_file", arguments={"path": "notes.md", "content": "hi\n"})]
    ),
    FakeReply(text="Wrote notes.md."),
]
RETRY_FAST = {"max_retries": 2, "backoff_base_s": 0.01, "max_total_wait_s": 5}


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values()]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-FAKEFAKEFAKEFAKE00000")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-FAKEFAKEFAKEFAKE00000000")


def _run(tmp_path: Path, agent: str, faults: list[FakeFault]) -> tuple[RunStatus, str | None, ListSink, int]:
    scenario = make_scenario(tmp_path, validation=[], evaluators=[], heuristic_checks=None)
    sink = ListSink()
    with FakeLLMServer(FakeScript(turns=SCRIPT_TURNS, faults=faults)) as fake:
        spec = RunSpec(
            scenario=scenario,
            tier="L1",
            agent=agent,
            batch_id="batch-faults",
            options=AgentOptions(base_url=fake.url, model="fake-model", extra=RETRY_FAST),
            workspace_root=tmp_path / "ws",
        )
        record = run_one(spec, sink)
        requests = len(fake.requests)
    assert sink.runs[-1].status == record.status and sink.runs[-1].completed_at is not None
    return record.status, record.reason, sink, requests


AGENTS = ["anthropic", "openai"]


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("status", [500, 429, 503])
def test_one_transient_error_is_recovered(tmp_path: Path, agent: str, status: int) -> None:
    fault = FakeFault(at=1, kind="status", status=status, retry_after=0.01 if status == 429 else None)
    result, reason, _, requests = _run(tmp_path, agent, [fault])
    assert result == RunStatus.COMPLETED, reason
    assert requests == 3  # the failed request, its retry, and the second turn


@pytest.mark.parametrize("agent", AGENTS)
def test_persistent_500s_end_as_infra_error_with_a_reason(tmp_path: Path, agent: str) -> None:
    faults = [FakeFault(at=n, kind="status", status=500) for n in range(1, 6)]
    result, reason, sink, requests = _run(tmp_path, agent, faults)
    assert result == RunStatus.INFRA_ERROR
    assert reason and "500" in reason
    assert requests == 3  # 1 + max_retries, then it gave up
    assert [r.status for r in sink.runs] == [RunStatus.RUNNING, RunStatus.INFRA_ERROR]


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("kind", ["truncate", "invalid_json", "drop"])
def test_broken_responses_recover_or_fail_clearly(tmp_path: Path, agent: str, kind: str) -> None:
    result, reason, _, _ = _run(tmp_path, agent, [FakeFault(at=1, kind=kind)])  # type: ignore[arg-type]
    assert result in (RunStatus.COMPLETED, RunStatus.INFRA_ERROR)
    if result == RunStatus.INFRA_ERROR:
        assert reason and len(reason) > 10


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("kind", ["truncate", "invalid_json"])
def test_persistently_broken_responses_are_infra_errors(tmp_path: Path, agent: str, kind: str) -> None:
    faults = [FakeFault(at=n, kind=kind) for n in range(1, 6)]  # type: ignore[arg-type]
    result, reason, _, _ = _run(tmp_path, agent, faults)
    assert result in (RunStatus.INFRA_ERROR, RunStatus.FAILED)
    assert reason
