"""A host-side byte relay from a Unix socket to a TCP model server, until the model gateway lands.

The sandbox has no network; its agent reaches the model through a Unix socket bound in. Until
``zebench.gateway.ModelGateway`` serves that socket itself (recording, budgets, keys), this relay
carries the bytes to the server named by ``--base-url`` (``zebench fake-llm`` in tests). It adds
nothing to the requests, so no key travels: the agent's placeholder key is all the server sees.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
from pathlib import Path

CHUNK = 65536


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(CHUNK):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


class SocketRelay:
    """Listens on a Unix socket in a private folder and relays each connection to ``host:port``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.folder = Path(tempfile.mkdtemp(prefix="zebench-gw-"))
        self.path = str(self.folder / "model.sock")
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(64)
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="zebench-model-relay", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=30)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
        back.start()
        _pump(client, upstream)
        back.join()
        client.close()
        upstream.close()

    def close(self) -> None:
        """Stop accepting and remove the socket; connections in flight end with their peers."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with contextlib.suppress(OSError):
            Path(self.path).unlink()
        with contextlib.suppress(OSError):
            self.folder.rmdir()
