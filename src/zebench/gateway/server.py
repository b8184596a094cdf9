"""Hosting the gateway: uvicorn on a TCP port on 127.0.0.1 and a Unix socket, in a thread of its own.

uvicorn (with starlette's request and response types) rather than the standard library's
http.server: the agent is hostile, and uvicorn's HTTP parsing (httptools or h11) handles chunked
bodies, keep-alive, slow clients and disconnects mid-stream properly, while asyncio serves many
concurrent streams from one thread. Each gateway runs its own event loop in its own thread, so
runs share nothing and one run's gateway stopping cannot disturb another's. The loop is uvloop's
where it is installed: on asyncio's own loop each request paid ~45 ms more on this machine (measured
by ``benchmarks/gateway.py``), against ~1 ms on uvloop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn

from zebench.gateway.proxy import GatewayApp

START_TIMEOUT_S = 15.0


class GatewayServer:
    """Serves ``app`` on the given listening sockets until :meth:`stop`."""

    def __init__(self, app: GatewayApp, sockets: list[socket.socket]) -> None:
        self.app = app
        self.sockets = sockets
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,  # leave the harness's logging alone
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="zebench-gateway", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if self._failure is not None or not self._thread.is_alive():
                raise RuntimeError(f"the model gateway did not start: {self._failure!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("the model gateway did not start in time")
            time.sleep(0.002)

    def _run(self) -> None:
        assert self._server is not None
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(self._serve())
        except BaseException as exc:  # reported by start() or ignored at stop
            self._failure = exc

    async def _serve(self) -> None:
        assert self._server is not None
        try:
            await self._server.serve(sockets=self.sockets)
        finally:
            await self.app.aclose()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # not on this platform: asyncio's own loop works, only slower
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def tcp_listener() -> socket.socket:
    """A listening socket on a free port of 127.0.0.1 (never another interface)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def unix_listener(path: Path) -> socket.socket:
    """A listening Unix socket at ``path``, reachable only by the harness's user (0600)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    os.chmod(path, 0o600)
    sock.listen(128)
    return sock
