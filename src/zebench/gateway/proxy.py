"""The gateway's ASGI app: what happens to each request an agent sends.

In order: find the route (only model calls are served), check the run's placeholder key, refuse
when a budget is spent, map the model name, withhold provider-side tools, pin or record the
generation settings, then forward (or replay), pass the reply back and record the call.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx2
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from zebench.gateway.forward import (
    Draft,
    StreamPass,
    error_class_of,
    json_response,
    price,
    provider_message,
    read_capped,
    returned_headers,
    stream_reply,
    upstream_headers,
    upstream_query,
)
from zebench.gateway.ledger import Ledger
from zebench.gateway.recording import CallRecorder, RecordedCall, ReplayBook
from zebench.gateway.sse import parse_event
from zebench.gateway.upstream import Upstream
from zebench.gateway.wires import FORMATS, Route, StreamUsage, WireFormat, guess_wire, route
from zebench.llm.pricing import PricingTable
from zebench.results.model_calls import ModelCall, Wire

MAX_REQUEST_BYTES = 32 * 1024 * 1024
PREFIX = "zebench model gateway: "


class _OnDone(Protocol):
    """What the gateway does with a finished call: its events when streamed, else its whole body."""

    def __call__(self, call: ModelCall, events: list[str], reply_body: str | None = None) -> None: ...


@dataclass(frozen=True)
class Policy:
    """What the gateway does to calls: the key it expects, aliases, tool grants, pinned settings."""

    token: str
    aliases: Mapping[str, str] = field(default_factory=dict)
    grants: frozenset[str] = frozenset()
    pin: Mapping[str, Any] | None = None
    upstream_timeout_s: float = 600.0


class GatewayApp:
    """The ASGI application; one per gateway (per run)."""

    def __init__(
        self,
        upstreams: Mapping[Wire, Upstream],
        policy: Policy,
        ledger: Ledger,
        pricing: PricingTable,
        *,
        recorder: CallRecorder | None = None,
        replay: ReplayBook | None = None,
    ) -> None:
        self.upstreams = dict(upstreams)
        self.served: tuple[Wire, ...] = tuple(self.upstreams)
        self.policy = policy
        self.ledger = ledger
        self.pricing = pricing
        self.recorder = recorder
        self.replay = replay
        self._client: httpx2.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            timeout = httpx2.Timeout(self.policy.upstream_timeout_s, connect=30.0)
            self._client = httpx2.AsyncClient(timeout=timeout, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    # --- one request --------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        method, path = request.method, request.url.path
        headers = {k.lower(): v for k, v in request.headers.items()}
        found = route(method, path, headers, self.served)
        if found is None:
            wire = guess_wire(path, headers, self.served)
            message = f"{method} {path} is not a model call this gateway serves"
            return self._refuse(wire, path, 404, message, record=method == "POST")
        fmt = FORMATS[found.wire]
        if not self._authorized(headers, request.query_params):
            return self._refuse(
                found.wire, path, 401, "the request does not carry this run's key", record=False
            )
        if found.kind == "models":
            return await self._forward_plain(found, request, headers, None)
        raw = await _read_body(request)
        if raw is None:
            return self._refuse(
                found.wire, path, 413, f"the request is larger than {MAX_REQUEST_BYTES} bytes"
            )
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return self._refuse(found.wire, path, 400, "the request body is not a JSON object", record=False)
        if found.kind == "count":
            return await self._forward_plain(found, request, headers, body)
        return await self._generate(found, fmt, request, headers, body)

    async def _generate(
        self, found: Route, fmt: WireFormat, request: Request, headers: dict[str, str], body: dict[str, Any]
    ) -> Response:
        """A model call: refuse it when a budget is spent, apply the policy, then replay or forward it."""
        upstream = self.upstreams[found.wire]
        draft = Draft(index=self.ledger.next_index(), wire=found.wire, path=found.upstream_path)
        draft.provider = upstream.provider
        draft.model_requested = draft.model = fmt.model(found, body)
        draft.stream = fmt.is_stream(found, body)
        refusal = self.ledger.refusal()
        if refusal is not None:
            message = f"{refusal}; no further model calls are allowed in this run"
            return self._error(fmt, draft, 400, message, "budget_exceeded", "budget")
        found = self._apply_policy(found, fmt, body, draft)
        hide_usage = fmt.prepare_stream(body) if draft.stream else False
        if self.replay is not None:
            return self._replayed(fmt, draft, hide_usage)
        return await self._forward_generation(found, fmt, request, headers, body, upstream, draft, hide_usage)

    def _apply_policy(self, found: Route, fmt: WireFormat, body: dict[str, Any], draft: Draft) -> Route:
        """Map the model name, withhold tools not granted, pin or record the generation settings."""
        alias = self._alias(draft.model_requested)
        if alias is not None:
            found = fmt.set_model(found, body, alias)
            draft.model = alias
        draft.withheld = fmt.withhold_tools(body, self.policy.grants)
        pinned = fmt.pin(body, dict(self.policy.pin)) if self.policy.pin else []
        draft.settings = fmt.settings(body).model_copy(update={"pinned": pinned})
        return found

    async def _forward_generation(
        self,
        found: Route,
        fmt: WireFormat,
        request: Request,
        headers: dict[str, str],
        body: dict[str, Any],
        upstream: Upstream,
        draft: Draft,
        hide_usage: bool,
    ) -> Response:
        """Send the call to the provider and pass its reply back, streamed or whole."""
        url = upstream.url(found.upstream_path)
        sent = self.client().build_request(
            "POST",
            url,
            params=upstream_query(request.query_params),
            headers=upstream_headers(headers, upstream),
            content=json.dumps(body, ensure_ascii=False).encode(),
        )
        try:
            reply = await self.client().send(sent, stream=True)
        except httpx2.TimeoutException as exc:
            return self._error(fmt, draft, 504, f"the provider timed out: {exc}", "upstream_timeout", "infra")
        except httpx2.TransportError as exc:
            text = f"the provider could not be reached: {type(exc).__name__}: {exc}"
            return self._error(fmt, draft, 502, text, "upstream_unreachable", "infra")
        draft.mark_first_byte()
        done = self._on_done(body, reply)
        if reply.status_code < 400 and reply.headers.get("content-type", "").startswith("text/event-stream"):
            job = StreamPass(
                fmt, hide_usage, draft, done, self.pricing, keep_events=self.recorder is not None
            )
            return stream_reply(reply, job)
        return await self._whole_reply(fmt, draft, reply, done)

    def _on_done(self, body: dict[str, Any], reply: httpx2.Response) -> _OnDone:
        """What to do with a finished call: add it to the ledger and, under --record, record it."""

        def done(call: ModelCall, events: list[str], reply_body: str | None = None) -> None:
            self.ledger.add(call)
            if self.recorder is not None:
                self.recorder.record(
                    RecordedCall(
                        index=call.index,
                        wire=call.wire,
                        path=call.path,
                        model=call.model,
                        stream=call.stream,
                        request=body,
                        status=reply.status_code,
                        content_type=reply.headers.get("content-type", "application/json"),
                        body=reply_body,
                        events=events if reply_body is None else None,
                    )
                )

        return done

    async def _whole_reply(
        self, fmt: WireFormat, draft: Draft, reply: httpx2.Response, done: _OnDone
    ) -> Response:
        """A reply that is not a stream: read it (capped), record the call, pass it back as it came."""
        try:
            data = await read_capped(reply)
        except (httpx2.TimeoutException, httpx2.TransportError, httpx2.DecodingError) as exc:
            await reply.aclose()
            return self._error(
                fmt, draft, 502, f"the provider's reply broke: {exc}", "upstream_broken", "infra"
            )
        await reply.aclose()
        status = reply.status_code
        klass = error_class_of(status)
        usage = fmt.usage_of(_json(data)) if klass is None else StreamUsage()
        call = draft.finish(
            status,
            usage,
            cost=price(self.pricing, usage, draft.model) if klass is None else (None, None),
            error_class=klass,
            error=provider_message(data) if klass else None,
        )
        done(call, [], data.decode("utf-8", errors="replace"))
        return Response(
            data,
            status_code=status,
            headers=returned_headers(reply.headers),
            media_type=reply.headers.get("content-type", "application/json"),
        )

    def _replayed(self, fmt: WireFormat, draft: Draft, hide_usage: bool) -> Response:
        assert self.replay is not None
        recorded, diverged = self.replay.take(draft.wire, draft.model)
        if recorded is None:
            return self._error(fmt, draft, 400, f"replay diverged: {diverged}", "replay_diverged", "replay")
        draft.replayed = True
        klass = error_class_of(recorded.status)
        if recorded.events is not None:
            reader = fmt.stream_reader(hide_usage=hide_usage)
            kept = []
            for raw in recorded.events:
                event = parse_event(raw.encode())
                if reader.feed(event.name, event.data):
                    kept.append(event.raw)
            usage = reader.found
            payload, media = b"".join(kept), recorded.content_type
        else:
            payload = (recorded.body or "").encode()
            usage = fmt.usage_of(_json(payload)) if klass is None else StreamUsage()
            media = recorded.content_type
        # Replaying costs nothing: the recorded tokens are kept for comparison, the spend is zero.
        call = draft.finish(recorded.status, usage, cost=(0.0, "measured"), error_class=klass)
        self.ledger.add(call)
        return Response(payload, status_code=recorded.status, media_type=media)

    async def _forward_plain(
        self, found: Route, request: Request, headers: dict[str, str], body: dict[str, Any] | None
    ) -> Response:
        """Model lists and token counts: forwarded as they are, metered by no budget."""
        fmt = FORMATS[found.wire]
        if self.replay is not None:
            return json_response(404, fmt.error_body(404, PREFIX + "not available in a replay", "replay"))
        upstream = self.upstreams[found.wire]
        try:
            reply = await self.client().request(
                request.method,
                upstream.url(found.upstream_path),
                params=upstream_query(request.query_params),
                headers=upstream_headers(headers, upstream),
                content=None if body is None else json.dumps(body).encode(),
            )
        except (httpx2.TimeoutException, httpx2.TransportError) as exc:
            return json_response(502, fmt.error_body(502, PREFIX + f"the provider failed: {exc}", "upstream"))
        return Response(
            reply.content,
            status_code=reply.status_code,
            headers=returned_headers(reply.headers),
            media_type=reply.headers.get("content-type", "application/json"),
        )

    # --- helpers ------------------------------------------------------------------------------

    def _authorized(self, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        offered = [
            headers.get("x-api-key", ""),
            headers.get("x-goog-api-key", ""),
            headers.get("authorization", "").removeprefix("Bearer ").removeprefix("bearer ").strip(),
            query.get("key", ""),
        ]
        token = self.policy.token.encode()
        return any(hmac.compare_digest(value.encode(), token) for value in offered if value)

    def _alias(self, requested: str | None) -> str | None:
        aliases = self.policy.aliases
        if requested is not None and requested in aliases:
            return aliases[requested]
        return aliases.get("*")

    def _error(
        self, fmt: WireFormat, draft: Draft, status: int, message: str, code: str, klass: Any
    ) -> Response:
        self.ledger.add(draft.finish(status, error_class=klass, error=message))
        return json_response(status, fmt.error_body(status, PREFIX + message, code))

    def _refuse(self, wire: Wire, path: str, status: int, message: str, *, record: bool = True) -> Response:
        fmt = FORMATS[wire]
        if record:
            draft = Draft(index=self.ledger.next_index(), wire=wire, path=path[:200])
            self.ledger.add(draft.finish(status, error_class="refused", error=message))
        return json_response(status, fmt.error_body(status, PREFIX + message, "refused"))


async def _read_body(request: Request) -> bytes | None:
    """The request body, or None when it is larger than the gateway accepts."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
