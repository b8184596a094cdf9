"""The client on the bulk endpoint: sync in chunks, per-run verdicts, older servers, body limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from client_helpers import BULK_PATH, LiveServer, RecordingTransport, make_run

from zebench.client import Outbox, RemoteStore, ResultsClient, ServerRejectedError, sync
from zebench.results import BatchRecord, RunStatus
from zebench.store import SqlStore
from zebench.store.rollup_check import verify_rollups

Start = Callable[..., LiveServer]


def _reasons(outbox: Outbox) -> dict[str, str]:
    """Reason text of each rejected entry, keyed by the run id at the end of its file name."""
    out = {}
    for reason in outbox.rejected_path.glob("*.reason.txt"):
        key = reason.name.removesuffix(".json.reason.txt").split("-run-", 1)[-1]
        out[key] = reason.read_text().strip()
    return out


def test_sync_sends_queued_runs_in_bulk_chunks(
    tmp_path: Path, start_server: Start, server_store: SqlStore
) -> None:
    live = start_server(api_key="k")
    outbox = Outbox(tmp_path / "outbox")
    for i in range(12):
        outbox.put(make_run(f"run_{i:02d}", i))
    outbox.put(BatchRecord(batch_id="batch_c", metadata={"plan": "p"}))
    for i in range(12, 25):
        outbox.put(make_run(f"run_{i:02d}", i))
    transport = RecordingTransport()
    with ResultsClient(live.url, api_key="k", retries=0, transport=transport, bulk_max_runs=5) as client:
        report = sync(client, outbox)
        assert (report.sent, report.failed, report.remaining) == (26, 0, 0)
        # Runs queued before the batch go first (5, 5, 2), then the batch, then the rest (5, 5, 3).
        assert transport.paths() == [BULK_PATH] * 3 + ["/api/results/batch"] + [BULK_PATH] * 3
        assert sync(client, outbox).sent == 0 and len(transport.paths()) == 7  # nothing left to send
    assert server_store.list_runs(limit=100).total == 25
    assert server_store.get_artifact("run_13", "diff") == "diff 13"  # artifacts travel with each run
    assert server_store.get_batch("batch_c").summary.metadata == {"plan": "p"}
    assert verify_rollups(server_store) == []


def test_refused_runs_are_set_aside_with_the_reason_a_single_post_gives(
    tmp_path: Path, start_server: Start, server_store: SqlStore
) -> None:
    live = start_server()
    outbox = Outbox(tmp_path / "outbox")
    with ResultsClient(live.url, retries=0) as client:
        client.submit_run(make_run("run_c", 1))
        outbox.put(make_run("run_a", 2))
        outbox.put(make_run("run_c", 3))  # another run under a final run's id: 409
        outbox.put(make_run("run_bad", 4, metadata={"text": "nul \x00 byte"}))  # the server refuses NULs: 422
        outbox.put(make_run("run_d", 5))
        report = sync(client, outbox)
        assert (report.sent, report.failed, report.remaining) == (2, 2, 0)
        reasons = _reasons(outbox)
        with pytest.raises(ServerRejectedError) as conflict:
            client.submit_run(make_run("run_c", 3))
        with pytest.raises(ServerRejectedError) as invalid:
            client.submit_run(make_run("run_bad", 4, metadata={"text": "nul \x00 byte"}))
    assert reasons == {"run_c": conflict.value.one_line(), "run_bad": invalid.value.one_line()}
    assert (
        "HTTP 409" in reasons["run_c"]
        and "HTTP 422" in reasons["run_bad"]
        and "metadata" in reasons["run_bad"]
    )
    assert {r.run_id for r in server_store.list_runs().items} == {"run_a", "run_c", "run_d"}
    assert server_store.get_run("run_c").total_score == 0.1  # the stored version stands


def test_sync_falls_back_to_single_posts_on_a_server_without_bulk(
    tmp_path: Path, start_server: Start, server_store: SqlStore
) -> None:
    live = start_server(bulk=False)
    outbox = Outbox(tmp_path / "outbox")
    transport = RecordingTransport()
    with ResultsClient(live.url, retries=0, transport=transport, bulk_max_runs=3) as client:
        client.submit_run(make_run("run_c", 1))
        for i in range(7):
            outbox.put(make_run(f"run_{i}", i))
        outbox.put(make_run("run_c", 2))
        report = sync(client, outbox)
    assert (report.sent, report.failed, report.remaining) == (7, 1, 0)
    # One probe of the bulk endpoint (404), remembered; then one POST per run.
    assert transport.paths() == ["/api/results", BULK_PATH] + ["/api/results"] * 8
    assert "HTTP 409" in _reasons(outbox)["run_c"]
    assert server_store.list_runs().total == 8 and verify_rollups(server_store) == []


def test_chunks_too_large_for_the_server_are_halved(start_server: Start, server_store: SqlStore) -> None:
    live = start_server(max_body_bytes=100_000)
    runs = [make_run(f"run_{i}", i, artifacts={"diff": f"{i}" * 30_000}) for i in range(6)]
    huge = make_run("run_huge", 9, artifacts={"diff": "h" * 150_000})
    transport = RecordingTransport()
    with ResultsClient(live.url, retries=0, transport=transport) as client:
        results = client.submit_runs([*runs, huge])
    assert [r.outcome for r in results] == ["created"] * 6 + ["invalid"]
    assert results[-1].status == 413 and results[-1].rejected and "HTTP 413" in (results[-1].error or "")
    assert transport.paths().count(BULK_PATH) > 1 and transport.paths()[-1] == "/api/results"
    assert server_store.list_runs().total == 6 and server_store.get_artifact("run_5", "diff") == "5" * 30_000


def test_remote_store_saves_many_runs_through_bulk(start_server: Start, server_store: SqlStore) -> None:
    live = start_server(api_key="k")
    transport = RecordingTransport()
    remote = RemoteStore(live.url, api_key="k", retries=0, transport=transport)
    running = make_run("run_live", 1, status=RunStatus.RUNNING, completed_at=None)
    remote.save_runs([running, *(make_run(f"run_{i}", i) for i in range(10))])
    assert transport.paths() == [BULK_PATH]
    with pytest.raises(ServerRejectedError) as refused:
        remote.save_runs([make_run("run_3", 4), make_run("run_live", 1), make_run("run_11", 11)])
    assert refused.value.status == 409 and "1 of 3 runs refused" in refused.value.message
    assert server_store.get_run("run_live").status == RunStatus.COMPLETED  # the others went through
    assert server_store.list_runs(limit=50).total == 12 and server_store.get_run("run_3").total_score == 0.3
    assert remote.get_run_fingerprints(["run_1", "nope"]) == {"run_1": ("completed", None)}
    assert verify_rollups(server_store) == []
    remote.close()
