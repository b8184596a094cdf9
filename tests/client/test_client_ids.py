"""Shortened ids and a batch's controls through the results server (``GET /api/ids``,
``GET /api/batches/{id}/controls``), and what a client does with a server that has neither."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx2
import pytest
import uvicorn
from client_helpers import LiveServer, free_port, make_run
from starlette.types import ASGIApp, Receive, Scope, Send

from zebench.client import RemoteStore
from zebench.errors import AmbiguousIdError, NotFoundError
from zebench.results import CommandResult, ControlResult
from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore

Start = Callable[..., LiveServer]
RUNS = ["run_1700000000000_ab12cd34", "run_1700000000000_ef56ab78"]


def _seed(store: SqlStore) -> None:
    store.save_runs([make_run(run_id, i) for i, run_id in enumerate(RUNS)])
    command = CommandResult(name="tests", command="pytest", exit_code=1, stderr="boom")
    store.save_control("batch_c", ControlResult(suite="examples", scenario="fix-tests", passed=False,
                                                commands=[command]))  # fmt: skip


def test_remote_store_resolves_shortened_ids_like_the_database(
    start_server: Start, server_store: SqlStore
) -> None:
    _seed(server_store)
    remote = RemoteStore(start_server().url, retries=0)
    assert remote.resolve_id("run", "ab12cd34") == RUNS[0]
    assert remote.resolve_id("run", RUNS[1]) == RUNS[1]
    assert remote.match_ids("run", "run_1700000000000").ids == sorted(RUNS, reverse=True)
    with pytest.raises(AmbiguousIdError) as caught:
        remote.resolve_id("run", "run_17")
    assert RUNS[0] in caught.value.one_line() and RUNS[1] in caught.value.one_line()
    with pytest.raises(NotFoundError, match="run 'zzz' not found"):
        remote.resolve_id("run", "zzz")
    controls = remote.get_controls("batch_c")
    assert [(c.scenario, c.passed, c.commands[0].stderr) for c in controls] == [("fix-tests", False, "boom")]
    assert remote.get_controls("batch_none") == []


def test_the_ids_endpoint_bounds_its_input(start_server: Start, server_store: SqlStore) -> None:
    _seed(server_store)
    url = start_server().url
    ok = httpx2.get(f"{url}/api/ids", params={"kind": "run", "q": "cd34"})
    assert ok.status_code == 200
    assert ok.json() == {"kind": "run", "query": "cd34", "exact": False, "ids": [RUNS[0]], "more": False}
    for params in (
        {"kind": "task", "q": "x"},
        {"kind": "run", "q": "a\x01b"},
        {"kind": "run", "q": "x", "limit": 0},
    ):
        assert httpx2.get(f"{url}/api/ids", params=params).status_code == 422


def _older(app: ASGIApp) -> ASGIApp:
    """The app as a server from before these endpoints: both paths reach it as unknown routes."""

    async def older(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == "/api/ids" or path.endswith("/controls"):
            scope = {**scope, "path": "/api/unknown", "raw_path": b"/api/unknown"}
        await app(scope, receive, send)

    return older


@pytest.fixture
def older_server(server_store: SqlStore) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(_older(create_app(server_store, ServerSettings())), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_an_older_server_still_serves_whole_ids_and_controls(
    older_server: str, server_store: SqlStore
) -> None:
    _seed(server_store)
    remote = RemoteStore(older_server, retries=0)
    assert remote.resolve_id("run", RUNS[0]) == RUNS[0]  # taken as exact: the run is then read as before
    assert remote.get_run(remote.resolve_id("run", RUNS[0])).run_id == RUNS[0]
    assert [c.scenario for c in remote.get_controls("batch_c")] == ["fix-tests"]  # from the batch detail
    assert remote.get_controls("batch_none") == []
