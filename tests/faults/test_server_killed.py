"""The results server dies mid-batch: runs wait in the outbox and a later sync delivers each exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from client_helpers import LiveServer, free_port
from rich.console import Console
from sandboxkit import ScriptAgent, make_scenario

from zebench.agents import AgentResult, AgentTask
from zebench.cli.sinks import RemoteSink
from zebench.client import Outbox, ResultsClient, sync
from zebench.results.models import RunStatus
from zebench.runner import pipeline
from zebench.runner.batch import run_batch
from zebench.runner.pipeline import RunSpec
from zebench.server import ServerSettings
from zebench.store import open_store
from zebench.store.queries import RunFilters

KEY = "server-kill-write-key-0123"


class KillingAgent(ScriptAgent):
    """Stops the results server when the third run starts: everything after must be queued."""

    def __init__(self, server: LiveServer) -> None:
        super().__init__([])
        self.server = server
        self.calls = 0

    def run(self, task: AgentTask) -> AgentResult:
        self.calls += 1
        if self.calls == 3:
            self.server.stop()
        return AgentResult(status="completed", final_message=f"run {self.calls}")


def test_server_killed_mid_batch_loses_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'server.db'}")
    port = free_port()
    live = LiveServer(store, port, ServerSettings(api_key=KEY)).start()  # type: ignore[arg-type]
    agent = KillingAgent(live)
    monkeypatch.setattr(pipeline, "create_agent", lambda name, options: agent)
    scenario = make_scenario(tmp_path, validation=[], evaluators=[], heuristic_checks=None)
    sink = RemoteSink(live.url, KEY, Console(file=open(tmp_path / "console.txt", "w")))  # noqa: SIM115
    sink.client = ResultsClient(live.url, api_key=KEY, retries=0, timeout=5)
    sink.outbox = Outbox(tmp_path / "outbox")
    specs = [
        RunSpec(
            scenario=scenario, tier="L1", agent="k", batch_id="batch_kill", workspace_root=tmp_path / "ws"
        )
        for _ in range(4)
    ]
    outcome = run_batch("batch_kill", specs, sink, skip_warmup=True, workspace_root=tmp_path / "ws")
    assert [r.status for r in outcome.runs] == [RunStatus.COMPLETED] * 4
    assert len(sink.outbox) >= 3  # runs 3 and 4 and the finished batch, at least
    ids = {r.run_id for r in outcome.runs}

    revived = LiveServer(store, port, ServerSettings(api_key=KEY)).start()  # type: ignore[arg-type]
    try:
        client = ResultsClient(revived.url, api_key=KEY, retries=0)
        first = sync(client, sink.outbox)
        second = sync(client, sink.outbox)
    finally:
        revived.stop()
    assert first.failed == 0 and first.remaining == 0 and first.sent >= 3
    assert second.sent == 0 and second.remaining == 0  # exactly once
    page = store.list_runs(RunFilters(batch_id="batch_kill"), limit=50)
    assert {r.run_id for r in page.items} == ids and len(page.items) == 4
    assert all(store.get_run(i).status == RunStatus.COMPLETED for i in ids)
    detail = store.get_batch("batch_kill")
    assert detail.summary.completed_at is not None and len(detail.runs) == 4
    store.close()
