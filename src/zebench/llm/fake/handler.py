"""The HTTP request handler: routing, fault injection and response framing.

It works on the raw socket (through the stdlib's BaseHTTPRequestHandler) rather than a web framework
because faults need to misbehave at the transport level: close a connection without a reply, stop a
chunked stream halfway, or stall before answering.
"""

from __future__ import annotations

import json
import re
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, urlsplit

from zebench.llm.fake import anthropic_wire, gemini_wire, openai_wire, responses_wire
from zebench.llm.fake.caching import MAX_BREAKPOINTS, PromptCache, count_breakpoints
from zebench.llm.fake.conversation import (
    anthropic_context,
    gemini_context,
    openai_context,
    responses_context,
    rough_token_count,
    system_text,
)
from zebench.llm.fake.script import FakeFault, FakeScript

Flavor = Literal["anthropic", "openai", "gemini"]
_GEMINI_CALL = re.compile(
    r"^/(?:v1beta|v1|v1alpha)/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent|countTokens)$"
)
_GEMINI_MODELS = re.compile(r"^/(?:v1beta|v1alpha)/models$")


class FakeBackend(Protocol):
    """What a handler needs of the server it serves (``FakeLLMServer``): named here, so the
    handler does not import the server that imports it."""

    script: FakeScript
    cache: PromptCache | None

    def _next_number(self) -> int: ...

    def _record(
        self,
        number: int,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: Any,
        outcome: str,
    ) -> None: ...

    def remember_response(self, response_id: str, turns: int) -> None: ...

    def turns_after(self, response_id: object) -> int: ...


class FakeRequestHandler(BaseHTTPRequestHandler):
    """Serves one connection; keep-alive so SDK connection pools behave as against the real APIs."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection must not pin a thread forever
    # Headers and body are written separately; with Nagle on, the body waits ~40 ms for the
    # client's delayed ACK on every reply.
    disable_nagle_algorithm = True
    fake: FakeBackend  # set on a per-server subclass by FakeLLMServer

    # --- plumbing -----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by default: tests would drown in access lines. ``zebench fake-llm`` logs its own line.
        pass

    def _read_body(self) -> tuple[bytes, Any, str | None]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if not raw:
            return raw, None, None
        try:
            return raw, json.loads(raw), None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return raw, None, f"the request body is not valid JSON: {exc}"

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self._send_bytes(status, payload, "application/json", headers)

    def _send_bytes(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        cut: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut:
            # Promise the full length, deliver half, then hang up: the client sees a short read.
            self.wfile.write(payload[: len(payload) // 2])
            self.close_connection = True
        else:
            self.wfile.write(payload)

    def _send_stream(self, events: list[bytes], headers: dict[str, str], *, cut: bool = False) -> None:
        # Chunked framing, so a truncated stream is a protocol error the client can detect, as with
        # the real APIs, instead of a clean end of body.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        keep = max(1, len(events) // 2) if cut else len(events)
        for event in events[:keep]:
            self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
            self.wfile.flush()
        if cut:
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # --- routing ------------------------------------------------------------------------------

    def _handle(self) -> None:
        number = self.fake._next_number()
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        _, body, body_error = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        openrouter = path.startswith("/api/")
        route = path[len("/api") :] if openrouter else path
        if route in ("/chat/completions", "/models", "/responses"):
            route = "/v1" + route  # clients configured with a base URL lacking /v1
        flavor: Flavor = "openai"
        if route.startswith("/v1/messages") or "anthropic-version" in headers:
            flavor = "anthropic"
        elif (
            route.startswith(("/v1beta", "/v1alpha"))
            or _GEMINI_CALL.match(route)
            or "x-goog-api-key" in headers
        ):
            flavor = "gemini"
        fault = self.fake.script.fault_at(number)

        def record(note: str) -> None:
            self.fake._record(number, self.command, path, parse_qs(parts.query), headers, body, note)

        if fault is not None and fault.kind in ("status", "drop", "invalid_json"):
            record(f"fault {fault.kind}")
            self._apply_fault(fault, flavor, stream=bool(isinstance(body, dict) and body.get("stream")))
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay_s)
        cut = fault is not None and fault.kind == "truncate"
        if body_error is not None:
            record("bad request")
            self._error(400, body_error, flavor)
            return
        if self.command == "POST" and route == "/v1/messages":
            self._messages(body, record, cut=cut)
        elif self.command == "POST" and route == "/v1/messages/count_tokens":
            record("count_tokens")
            self._send_json(200, {"input_tokens": rough_token_count(body)})
        elif self.command == "POST" and route == "/v1/chat/completions":
            self._chat(body, record, cut=cut)
        elif self.command == "POST" and route == "/v1/responses":
            self._responses(body, record, cut=cut)
        elif self.command == "POST" and (gemini := _GEMINI_CALL.match(route)):
            self._gemini(gemini["model"], gemini["method"], parse_qs(parts.query), body, record, cut=cut)
        elif self.command in ("GET", "HEAD") and _GEMINI_MODELS.match(route):
            record("models")
            self._send_json(200, gemini_wire.models_json(self.fake.script.models))
        elif self.command in ("GET", "HEAD") and route == "/v1/models":
            record("models")
            self._models(flavor, openrouter)
        elif self.command in ("GET", "HEAD") and route.startswith("/v1/models/"):
            record("model")
            self._one_model(route.removeprefix("/v1/models/"), flavor)
        elif self.command in ("GET", "HEAD") and route == "/":
            record("health")
            self._send_json(200, {"status": "ok", "server": "zebench fake-llm"})
        else:
            record("not found")
            self._error(404, f"no route for {self.command} {path} on the zebench fake LLM server", flavor)

    def _error(
        self, status: int, message: str, flavor: Flavor, headers: dict[str, str] | None = None
    ) -> None:
        if flavor == "anthropic":
            body = anthropic_wire.error_body(status, message)
        elif flavor == "gemini":
            body = gemini_wire.error_body(status, message)
        else:
            body = openai_wire.error_body(status, message)
        self._send_json(status, body, headers)

    def _apply_fault(self, fault: FakeFault, flavor: Flavor, *, stream: bool) -> None:
        if fault.kind == "drop":
            self.close_connection = True  # no status line at all: the client sees a dropped connection
            return
        if fault.kind == "invalid_json":
            if stream:
                self._send_stream([b"event: message_start\ndata: {this is not json\n\n"], {}, cut=True)
            else:
                self._send_bytes(200, b"{this is not json", "application/json")
            return
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["retry-after"] = f"{fault.retry_after:g}"
        message = fault.message or f"injected fault: HTTP {fault.status}"
        self._error(fault.status, message, flavor, headers)

    def _model_name(self, body: dict[str, Any]) -> str:
        model = body.get("model")
        if isinstance(model, str) and model:
            return model
        return self.fake.script.models[0].id if self.fake.script.models else "fake-model"

    def _messages(self, body: Any, record: Any, *, cut: bool) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            record("bad request")
            self._error(400, "messages: Field required", "anthropic")
            return
        if (marks := count_breakpoints(body)) > MAX_BREAKPOINTS:
            record("bad request")
            message = (
                f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {marks}."
            )
            self._error(400, message, "anthropic")
            return
        script = self.fake.script
        reply, why = script.select(
            *anthropic_context(body), wire="anthropic-messages", system_text=system_text(body)
        )
        record(why)
        usage = script.usage_for(reply)
        model = self._model_name(body)
        if self.fake.cache is not None:
            usage = self.fake.cache.anthropic(body, model).usage(usage)
        headers = {"request-id": anthropic_wire.new_id("req_")}
        if body.get("stream"):
            self._send_stream(anthropic_wire.stream_events(reply, usage, model), headers, cut=cut)
        else:
            payload = json.dumps(anthropic_wire.message_json(reply, usage, model)).encode()
            self._send_bytes(200, payload, "application/json", headers, cut=cut)

    def _chat(self, body: Any, record: Any, *, cut: bool) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            record("bad request")
            self._error(400, "messages: Field required", "openai")
            return
        script = self.fake.script
        reply, why = script.select(*openai_context(body), wire="openai-chat", system_text=system_text(body))
        record(why)
        usage, cost, model = script.usage_for(reply), script.cost_for(reply), self._model_name(body)
        if self.fake.cache is not None:
            usage = self.fake.cache.openai_chat(body, model).usage(usage)
        headers = {"x-request-id": anthropic_wire.new_id("req_")}
        if body.get("stream"):
            options = body.get("stream_options") or {}
            include = bool(isinstance(options, dict) and options.get("include_usage"))
            self._send_stream(
                openai_wire.stream_chunks(reply, usage, cost, model, include_usage=include), headers, cut=cut
            )
        else:
            payload = json.dumps(openai_wire.completion_json(reply, usage, cost, model)).encode()
            self._send_bytes(200, payload, "application/json", headers, cut=cut)

    def _responses(self, body: Any, record: Any, *, cut: bool) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("input"), str | list):
            record("bad request")
            self._error(400, "input: Field required", "openai")
            return
        script = self.fake.script
        earlier = self.fake.turns_after(body.get("previous_response_id"))
        turns, last = responses_context(body, earlier)
        reply, why = script.select(turns, last, wire="openai-responses", system_text=system_text(body))
        record(why)
        usage, model = script.usage_for(reply), self._model_name(body)
        response_id = responses_wire.new_response_id()
        if self.fake.cache is not None:
            usage = self.fake.cache.responses(body, model, response_id, reply).usage(usage)
        self.fake.remember_response(response_id, turns + 1)
        headers = {"x-request-id": anthropic_wire.new_id("req_")}
        if body.get("stream"):
            self._send_stream(
                responses_wire.stream_events(reply, usage, model, response_id), headers, cut=cut
            )
        else:
            payload = json.dumps(responses_wire.response_json(reply, usage, model, response_id)).encode()
            self._send_bytes(200, payload, "application/json", headers, cut=cut)

    def _gemini(
        self, model: str, method: str, query: dict[str, list[str]], body: Any, record: Any, *, cut: bool
    ) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
            record("bad request")
            self._error(400, "contents: Field required", "gemini")
            return
        if method == "countTokens":
            record("count_tokens")
            self._send_json(200, {"totalTokens": rough_token_count(body)})
            return
        script = self.fake.script
        reply, why = script.select(*gemini_context(body), wire="gemini", system_text=system_text(body))
        record(why)
        usage = script.usage_for(reply)
        if self.fake.cache is not None:
            usage = self.fake.cache.gemini(body, model).usage(usage)
        if method == "generateContent":
            payload = json.dumps(gemini_wire.response_json(reply, usage, model)).encode()
            self._send_bytes(200, payload, "application/json", cut=cut)
            return
        chunks = gemini_wire.stream_chunks(reply, usage, model)
        if query.get("alt") == ["sse"]:
            self._send_stream(gemini_wire.sse_events(chunks), {}, cut=cut)
        else:  # without alt=sse, a JSON array of the chunks
            self._send_bytes(200, json.dumps(chunks).encode(), "application/json", cut=cut)

    def _models(self, flavor: Flavor, openrouter: bool) -> None:
        models = self.fake.script.models
        if openrouter:
            self._send_json(200, openai_wire.openrouter_models_json(models))
        elif flavor == "gemini":
            self._send_json(200, gemini_wire.models_json(models))
        elif flavor == "anthropic":
            self._send_json(200, anthropic_wire.models_json(models))
        else:
            self._send_json(200, openai_wire.models_json(models))

    def _one_model(self, model_id: str, flavor: Flavor) -> None:
        listing = anthropic_wire.models_json if flavor == "anthropic" else openai_wire.models_json
        for entry in listing(self.fake.script.models)["data"]:
            if entry["id"] == model_id:
                self._send_json(200, entry)
                return
        self._error(404, f"model: {model_id}", flavor)
