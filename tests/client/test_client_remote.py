"""ResultsClient and RemoteStore against a real uvicorn server: the ResultStore protocol over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from client_helpers import LiveServer, free_port, make_run

from zebench.client import RemoteStore, ResultsClient, ServerRejectedError, ServerUnavailableError
from zebench.errors import NotFoundError
from zebench.results import (
    BatchRecord,
    ControlResult,
    RunStatus,
)
from zebench.store import SqlStore
from zebench.store.base import ResultStore
from zebench.store.queries import RunFilters

Start = Callable[..., LiveServer]


def test_remote_store_round_trips_through_the_protocol(start_server: Start) -> None:
    live = start_server(api_key="k")
    remote: ResultStore = RemoteStore(live.url, api_key="k", retries=0)
    remote.save_batch(BatchRecord(batch_id="batch_c", metadata={"plan": "x"}))
    runs = [make_run(f"run_{i}", i) for i in range(10)]
    for run in runs:
        remote.save_run(run)
    remote.save_control("batch_c", ControlResult(suite="examples", scenario="fix-tests", passed=True))

    got = remote.get_run("run_4")
    expected = runs[4]
    assert got.model_dump(exclude={"metadata", "artifacts"}) == expected.model_dump(
        exclude={"metadata", "artifacts"}
    )
    assert got.metadata == {"i": 4}  # the server's bookkeeping entry is not exposed
    assert remote.get_artifact("run_4", "diff") == "diff 4"
    assert "diff" in remote.artifact_names("run_4")

    page = remote.list_runs(RunFilters(agent="echo"), limit=2, sort="-total_score")
    assert [s.run_id for s in page.items] == ["run_9", "run_7"] and page.total == 5 and page.next_cursor
    page2 = remote.list_runs(RunFilters(agent="echo"), limit=2, sort="-total_score", cursor=page.next_cursor)
    assert [s.run_id for s in page2.items] == ["run_5", "run_3"]
    assert remote.list_runs(RunFilters(successful=True)).total == 3

    batch = remote.get_batch("batch_c")
    assert batch.summary.runs == 10 and batch.summary.metadata == {"plan": "x"}
    assert batch.controls[0].passed is True and len(batch.by_agent_model) == 2
    assert remote.list_batches().items[0].batch_id == "batch_c"
    stats = remote.stats()
    assert stats.runs == 10 and stats.successes == 3 and len(stats.score_histogram) == 10
    assert {r.key["agent"] for r in remote.agent_stats()} == {"echo", "oracle"}
    assert remote.evaluator_stats()[0].key == {"evaluator": "tests"}
    with pytest.raises(NotFoundError):
        remote.get_run("run_missing")
    remote.close()


def test_submit_outcomes_and_conflict(start_server: Start, server_store: SqlStore) -> None:
    live = start_server()
    with ResultsClient(live.url, retries=0) as client:
        run = make_run("run_x", 1, status=RunStatus.RUNNING, completed_at=None)
        assert client.submit_run(run) == "created"
        assert client.submit_run(run) == "duplicate"
        final = make_run("run_x", 1)
        assert client.submit_run(final) == "replaced"
        with pytest.raises(ServerRejectedError) as info:
            client.submit_run(make_run("run_x", 2))
        assert info.value.status == 409
        assert client.health()["status"] == "ok"
    assert server_store.get_run("run_x").status == RunStatus.COMPLETED


def test_wrong_key_is_a_rejection_not_an_outage(start_server: Start) -> None:
    live = start_server(api_key="right")
    with ResultsClient(live.url, api_key="wrong", retries=0) as client:
        with pytest.raises(ServerRejectedError) as info:
            client.submit_run(make_run("run_k"))
        assert info.value.status == 403


def test_unreachable_server_raises_after_bounded_retries() -> None:
    port = free_port()
    with (
        ResultsClient(f"http://127.0.0.1:{port}", retries=2, backoff=0.01) as client,
        pytest.raises(ServerUnavailableError, match="unavailable"),
    ):
        client.list_runs()


def test_env_configuration(monkeypatch: pytest.MonkeyPatch, start_server: Start) -> None:
    live = start_server(api_key="envkey")
    monkeypatch.setenv("ZE_BENCHMARKS_WORKER_URL", live.url + "/")
    monkeypatch.setenv("ZE_BENCHMARKS_API_KEY", "envkey")
    with ResultsClient(retries=0) as client:
        assert client.base_url == live.url
        assert client.submit_run(make_run("run_env")) == "created"
