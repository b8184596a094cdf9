"""Fixtures: a real uvicorn results server on 127.0.0.1, started and stopped inside the test process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from client_helpers import LiveServer, free_port

from zebench.server import ServerSettings
from zebench.store import SqlStore, open_store


@pytest.fixture
def server_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = open_store(f"sqlite:///{tmp_path / 'server.db'}")
    yield store
    store.close()


@pytest.fixture
def start_server(server_store: SqlStore) -> Iterator[Callable[..., LiveServer]]:
    """Start a live server on a given (or free) port with given settings; stopped after the test."""
    started: list[LiveServer] = []

    def start(port: int | None = None, *, bulk: bool = True, **settings: object) -> LiveServer:
        settings_ = ServerSettings.model_validate(settings)
        live = LiveServer(server_store, port or free_port(), settings_, bulk=bulk).start()
        started.append(live)
        return live

    yield start
    for live in started:
        live.stop()
