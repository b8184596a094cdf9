"""Helpers of the client tests: a live uvicorn server and run records using every field."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx2
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from zebench.results import (
    CommandResult,
    EvaluationResult,
    FileChange,
    RunRecord,
    RunStatus,
    Telemetry,
    TokenUsage,
)
from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BULK_PATH = "/api/results:batch"


def without_bulk(app: FastAPI) -> ASGIApp:
    """``app`` as a server from before the bulk endpoint: the bulk path reaches the app as a path it
    has no route for, so the answer is the app's own 404, as an older server would give."""

    async def older(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == BULK_PATH:
            scope = {**scope, "path": "/api/results:unknown", "raw_path": b"/api/results:unknown"}
        await app(scope, receive, send)

    return older


class LiveServer:
    """uvicorn in a background thread; ``url`` is where it listens.

    ``bulk=False`` serves the app without the bulk endpoint, as an older server would.
    """

    def __init__(self, store: SqlStore, port: int, settings: ServerSettings, *, bulk: bool = True) -> None:
        self.url = f"http://127.0.0.1:{port}"
        app = create_app(store, settings)
        config = uvicorn.Config(
            app if bulk else without_bulk(app),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class RecordingTransport(httpx2.HTTPTransport):
    """A real HTTP transport that notes each request's method and path (and can hook responses)."""

    def __init__(self, after: Callable[[httpx2.Request, httpx2.Response], None] | None = None) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []
        self.after = after

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append((request.method, request.url.path))
        response = super().handle_request(request)
        if self.after is not None:
            self.after(request, response)
        return response

    def paths(self, method: str = "POST") -> list[str]:
        return [path for m, path in self.seen if m == method]


def make_run(run_id: str, i: int = 0, **overrides: object) -> RunRecord:
    fields: dict[str, object] = dict(
        run_id=run_id,
        batch_id="batch_c",
        suite="examples",
        scenario="fix-tests",
        tier="L0",
        agent="echo" if i % 2 else "oracle",
        model="fake-1",
        status=RunStatus.COMPLETED,
        started_at=datetime(2025, 6, 1, tzinfo=UTC) + timedelta(minutes=i),
        completed_at=datetime(2025, 6, 1, 0, 5, tzinfo=UTC) + timedelta(minutes=i),
        total_score=(i % 11) / 10,  # scores are fractions: the server refuses anything above 1
        is_successful=i >= 7,
        specialist_name="py" if i % 3 == 0 else None,
        prompt_sent=f"prompt {i}",
        evaluations=[EvaluationResult(name="tests", score=(i % 11) / 10, passed=i >= 7, details={"n": i})],
        telemetry=Telemetry(
            duration_ms=100 * i, tokens=TokenUsage(input=i, cache_read=2 * i), cost_usd=0.01 * i
        ),
        validation=[CommandResult(name="t", kind="test", command="pytest", exit_code=0)],
        changed_files=[FileChange(path="a.py", change="added")],
        metadata={"i": i},
        artifacts={"diff": f"diff {i}"},
    )
    fields.update(overrides)
    return RunRecord(**fields)  # type: ignore[arg-type]
