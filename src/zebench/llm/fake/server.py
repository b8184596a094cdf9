"""The fake LLM server: a scripted, protocol-faithful stand-in for the Anthropic, OpenAI and Gemini APIs."""

from __future__ import annotations

import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from zebench.llm.fake.caching import PromptCache
from zebench.llm.fake.handler import FakeBackend, FakeRequestHandler
from zebench.llm.fake.script import FakeScript, load_script


class RecordedRequest(BaseModel):
    """One request the server received, as it arrived (headers lower-cased)."""

    model_config = ConfigDict(frozen=True)

    number: int  # 1-based, in arrival order; the number faults refer to
    method: str
    path: str  # without the query string
    query: dict[str, list[str]] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None  # the parsed JSON body, None when there was none or it was not JSON
    timestamp: float
    outcome: str = ""  # how it was answered: "turn 1", "rule 0", "default", "fault drop", "models", ...


class _HTTPServer(ThreadingHTTPServer):
    # Daemon threads: a client holding a keep-alive connection open must not block shutdown.
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, dropped stream) is normal here, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class FakeLLMServer:
    """Serve ``script`` on ``host:port`` (0 picks a free port) from a background thread.

    Use as a context manager::

        with FakeLLMServer(load_script(path)) as fake:
            client = anthropic.Anthropic(base_url=fake.url, api_key="sk-fake")

    The stdlib ThreadingHTTPServer is used on purpose: it gives the raw socket control that dropped
    connections and slow or truncated streams need, with no dependency.
    """

    def __init__(
        self, script: FakeScript, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
    ) -> None:
        self.script = script
        # The prompt cache, when the script bills caching (``caching:``); one per server.
        self.cache = PromptCache(script.caching) if script.caching is not None else None
        self.host = host
        self.port = port
        self.verbose = verbose
        self._lock = threading.Lock()
        self._count = 0
        self._requests: list[RecordedRequest] = []
        self._response_turns: dict[str, int] = {}  # Responses API id -> model turns up to it
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeLLMServer:
        """Bind and start serving; returns self. The bound port is in :attr:`port` afterwards."""
        if self._httpd is not None:
            return self
        # A subclass per server carries the back-reference, so two servers never share state.
        backend: FakeBackend = self  # typed, so mypy checks this server gives what handlers use
        handler = type("BoundFakeRequestHandler", (FakeRequestHandler,), {"fake": backend})
        self._httpd = _HTTPServer((self.host, self.port), handler)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"fake-llm:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- addresses ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://HOST:PORT``: the Anthropic base URL (ANTHROPIC_BASE_URL)."""
        if self._httpd is None:
            raise RuntimeError("the fake LLM server is not started; use it as a context manager")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """``url + "/v1"``: the OpenAI SDK's base URL."""
        return self.url + "/v1"

    @property
    def openrouter_base_url(self) -> str:
        """``url + "/api/v1"``: shaped like OpenRouter's, which also serves its model catalogue."""
        return self.url + "/api/v1"

    # --- the request log ----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return sorted(self._requests, key=lambda r: r.number)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path (query excluded) is ``path``."""
        return [r for r in self.requests if r.path == path]

    def clear_requests(self) -> None:
        """Forget the recorded requests; the fault counter keeps counting."""
        with self._lock:
            self._requests.clear()

    def remember_response(self, response_id: str, turns: int) -> None:
        """Note how many model turns a Responses conversation had up to ``response_id``."""
        with self._lock:
            self._response_turns[response_id] = turns

    def turns_after(self, response_id: object) -> int:
        """Model turns before a request continuing ``previous_response_id`` (0 for a new one)."""
        with self._lock:
            return self._response_turns.get(response_id, 0) if isinstance(response_id, str) else 0

    def _next_number(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def _record(
        self,
        number: int,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: Any,
        outcome: str,
    ) -> None:
        entry = RecordedRequest(
            number=number,
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
            timestamp=time.time(),
            outcome=outcome,
        )
        with self._lock:
            self._requests.append(entry)
        if self.verbose:
            print(f"#{number} {method} {path} → {outcome}", file=sys.stderr, flush=True)


def serve(script_path: Path, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve a script until Ctrl-C (the ``zebench fake-llm`` command). Prints the URLs to use."""
    script = load_script(script_path)
    with FakeLLMServer(script, host, port, verbose=True) as fake:
        print(f"zebench fake LLM server on {fake.url} (script {script_path})", flush=True)
        print(f"  Anthropic:  ANTHROPIC_BASE_URL={fake.url}", flush=True)
        print(f"  OpenAI:     OPENAI_BASE_URL={fake.openai_base_url}", flush=True)
        print(f"  OpenRouter: base URL {fake.openrouter_base_url}", flush=True)
        print(f"  Gemini:     GOOGLE_GEMINI_BASE_URL={fake.url}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while True:
                # A short sleep loop, not Event.wait(): Ctrl-C lands promptly on every platform.
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("stopped", flush=True)
