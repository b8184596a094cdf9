"""The outbox: queue while the server is down, deliver exactly once when it is back."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from client_helpers import LiveServer, free_port, make_run

from zebench.client import Delivery, KeyRejectedError, Outbox, ResultsClient, deliver_or_queue, sync
from zebench.client.outbox import OutboxEntry
from zebench.results import BatchRecord, ControlResult, RunStatus
from zebench.store import SqlStore

Start = Callable[..., LiveServer]


def test_queued_while_down_then_synced_exactly_once(
    tmp_path: Path, start_server: Start, server_store: SqlStore
) -> None:
    port = free_port()  # nothing listens here yet
    outbox = Outbox(tmp_path / "outbox")
    client = ResultsClient(f"http://127.0.0.1:{port}", retries=1, backoff=0.01)
    results = [deliver_or_queue(client, make_run(f"run_{i}", i), outbox).outcome for i in range(3)]
    assert results == ["queued"] * 3 and len(outbox) == 3
    assert [e.key for e in outbox.entries()] == ["run_0", "run_1", "run_2"]  # oldest first

    start_server(port=port)
    report = sync(client, outbox)
    assert (report.sent, report.failed, report.remaining) == (3, 0, 0)
    assert server_store.list_runs().total == 3
    assert server_store.get_artifact("run_1", "diff") == "diff 1"  # artifacts travel with the run
    assert deliver_or_queue(client, make_run("run_3", 3), outbox) == Delivery("sent")
    assert sync(client, outbox).sent == 0
    client.close()


def test_sync_interrupted_after_the_server_stored_a_run(
    tmp_path: Path, start_server: Start, server_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = start_server()
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(make_run("run_once", 1))
    client = ResultsClient(live.url, retries=0)

    def crash(self: Outbox, entries: list[OutboxEntry]) -> None:
        raise KeyboardInterrupt("killed between the server's 201 and the local delete")

    with monkeypatch.context() as m:
        m.setattr(Outbox, "remove_many", crash)  # remove() deletes through remove_many() too
        with pytest.raises(KeyboardInterrupt):
            sync(client, outbox)
    assert len(outbox) == 1 and server_store.list_runs().total == 1

    report = sync(client, outbox)  # the server answers 200 duplicate; the entry is removed
    assert (report.sent, report.remaining) == (1, 0)
    assert server_store.list_runs().total == 1
    client.close()


def test_server_down_midway_keeps_the_rest_queued(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(BatchRecord(batch_id="b1"))
    outbox.put(make_run("run_a"))
    with ResultsClient(f"http://127.0.0.1:{free_port()}", retries=0) as client:
        report = sync(client, outbox)
    assert (report.sent, report.failed, report.remaining) == (0, 1, 2)
    assert "unavailable" in report.errors[0]


def test_rejected_entries_are_set_aside(tmp_path: Path, start_server: Start, server_store: SqlStore) -> None:
    live = start_server()
    with ResultsClient(live.url, retries=0) as client:
        client.submit_run(make_run("run_c", 1))
        outbox = Outbox(tmp_path / "outbox")
        outbox.put(make_run("run_c", 2))  # another run under a final run's id: 409 forever
        outbox.put(make_run("run_d", 3))
        (outbox.path / "00000000000000000000-garbage-run-x.json").write_text("{not json")
        report = sync(client, outbox)
    assert (report.sent, report.failed, report.remaining) == (1, 1, 0)
    assert len(list(outbox.rejected_path.glob("*.json"))) == 2
    assert server_store.get_run("run_c").total_score == 0.1


def test_newer_version_of_a_run_supersedes_the_queued_one(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(make_run("run_v", 1, status=RunStatus.RUNNING, completed_at=None))
    outbox.put(make_run("run_v", 1))
    entries = outbox.entries()
    assert len(entries) == 1 and entries[0].record.status == RunStatus.COMPLETED  # type: ignore[union-attr]
    assert not list(outbox.path.glob(".tmp-*"))


def test_concurrent_syncs_send_each_entry_once(
    tmp_path: Path, start_server: Start, server_store: SqlStore
) -> None:
    live = start_server()
    outbox = Outbox(tmp_path / "outbox")
    for i in range(20):
        outbox.put(make_run(f"run_{i:02d}", i))
    reports = []

    def worker() -> None:
        with ResultsClient(live.url, retries=0) as client:
            reports.append(sync(client, outbox))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 20 and all(r.failed == 0 for r in reports)
    assert server_store.list_runs(limit=100).total == 20 and len(outbox) == 0


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("bulk", [True, False])
@pytest.mark.parametrize("key", ["wrong", None])
def test_a_refused_key_stops_the_sync_and_keeps_every_entry(
    tmp_path: Path, start_server: Start, server_store: SqlStore, bulk: bool, key: str | None
) -> None:
    live = start_server(api_key="right", bulk=bulk)
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(make_run("run_a", 1))
    outbox.put(BatchRecord(batch_id="batch_c"))
    outbox.put_control("batch_c", ControlResult(suite="examples", scenario="fix-tests", passed=True))
    outbox.put(make_run("run_b", 2))
    with outbox.locked():
        pass  # the lock file exists, as after any earlier sync
    before = _files(outbox.path)
    with ResultsClient(live.url, api_key=key, retries=0) as client, pytest.raises(KeyRejectedError) as info:
        sync(client, outbox)
    assert info.value.status == (403 if key else 401)
    assert f"the results server {live.url} refused the key" in info.value.one_line()
    assert _files(outbox.path) == before and not outbox.rejected_path.exists()
    assert server_store.list_runs().total == 0
    with ResultsClient(live.url, api_key="right", retries=0) as client:
        report = sync(client, outbox)
    assert (report.sent, report.failed, report.remaining) == (4, 0, 0)
    assert server_store.list_runs().total == 2 and server_store.get_batch("batch_c").controls


def test_deliver_or_queue_queues_on_a_refused_key_and_sets_aside_a_refused_run(
    tmp_path: Path, start_server: Start, server_store: SqlStore
) -> None:
    live = start_server(api_key="right")
    outbox = Outbox(tmp_path / "outbox")
    with ResultsClient(live.url, api_key="wrong", retries=0) as client:
        refused = deliver_or_queue(client, make_run("run_k", 1), outbox)
    assert refused.outcome == "key_refused" and "refused the key (HTTP 403" in (refused.reason or "")
    assert [e.key for e in outbox.entries()] == ["run_k"] and not outbox.rejected_path.exists()
    with ResultsClient(live.url, api_key="right", retries=0) as client:
        assert deliver_or_queue(client, make_run("run_c", 1), outbox).outcome == "sent"
        conflict = deliver_or_queue(client, make_run("run_c", 2), outbox)  # other content, same id
    assert conflict.outcome == "rejected" and "HTTP 409" in (conflict.reason or "")
    (kept,) = outbox.rejected_path.glob("*run_c.json")
    assert "HTTP 409" in (outbox.rejected_path / f"{kept.name}.reason.txt").read_text()
    assert [e.key for e in outbox.entries()] == ["run_k"]  # the queue itself holds only the key's victim
