"""Bulk sync under faults: the server dies between chunks, or its answer to a stored chunk is lost.

Either way every queued run ends up stored exactly once and leaves the outbox only once acknowledged.
"""

from __future__ import annotations

from pathlib import Path

import httpx2
from client_helpers import BULK_PATH, LiveServer, RecordingTransport, free_port, make_run

from zebench.client import Outbox, ResultsClient, sync
from zebench.server import ServerSettings
from zebench.store import open_store
from zebench.store.rollup_check import verify_rollups


def _queue(outbox: Outbox, n: int) -> set[str]:
    for i in range(n):
        outbox.put(make_run(f"run_{i:02d}", i))
    return {f"run_{i:02d}" for i in range(n)}


def test_server_dies_between_chunks(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'server.db'}")
    port = free_port()
    live = LiveServer(store, port, ServerSettings()).start()
    outbox = Outbox(tmp_path / "outbox")
    ids = _queue(outbox, 12)

    def kill_after_first_chunk(request: httpx2.Request, response: httpx2.Response) -> None:
        if request.url.path == BULK_PATH:
            live.stop()

    transport = RecordingTransport(after=kill_after_first_chunk)
    with ResultsClient(live.url, retries=0, bulk_max_runs=5, transport=transport) as client:
        first = sync(client, outbox)
    assert (first.sent, first.failed, first.remaining) == (5, 5, 7)
    assert "unavailable" in first.errors[0]
    assert store.list_runs(limit=50).total == 5

    revived = LiveServer(store, port, ServerSettings()).start()
    try:
        with ResultsClient(revived.url, retries=0, bulk_max_runs=5) as client:
            second = sync(client, outbox)
            third = sync(client, outbox)
    finally:
        revived.stop()
    assert (second.sent, second.failed, second.remaining) == (7, 0, 0)
    assert third.sent == 0 and len(outbox) == 0 and not outbox.rejected_path.exists()
    assert {r.run_id for r in store.list_runs(limit=50).items} == ids
    assert verify_rollups(store) == []
    store.close()


class LosesAnswers(httpx2.HTTPTransport):
    """Delivers each bulk request, then drops the connection before the client reads the answer."""

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = super().handle_request(request)
        if request.url.path == BULK_PATH:
            response.read()
            raise httpx2.ReadError("connection reset after the server answered", request=request)
        return response


def test_answer_lost_after_the_server_stored_a_chunk(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'server.db'}")
    live = LiveServer(store, free_port(), ServerSettings()).start()
    outbox = Outbox(tmp_path / "outbox")
    ids = _queue(outbox, 8)
    try:
        with ResultsClient(live.url, retries=1, backoff=0.01, transport=LosesAnswers()) as client:
            lost = sync(client, outbox)  # stored twice over (a retry), acknowledged never
        assert (lost.sent, lost.remaining) == (0, 8) and store.list_runs().total == 8
        with ResultsClient(live.url, retries=0) as client:
            again = sync(client, outbox)
    finally:
        live.stop()
    assert (again.sent, again.failed, again.remaining) == (8, 0, 0)
    assert {r.run_id for r in store.list_runs().items} == ids  # each once: the resend was a duplicate
    assert verify_rollups(store) == []
    store.close()
