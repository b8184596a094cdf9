"""Sending one call upstream and passing the reply back: headers, errors, streams, usage, pricing.

The upstream client is httpx2's AsyncClient: the SDKs' own transport (anthropic and openai depend
on it), with streaming reads, per-phase timeouts and connection pooling.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
from starlette.responses import Response, StreamingResponse

from zebench.gateway.sse import EventSplitter
from zebench.gateway.upstream import Upstream
from zebench.gateway.wires import StreamUsage, WireFormat
from zebench.llm.pricing import PricingTable
from zebench.results.model_calls import ErrorClass, GenerationSettings, ModelCall, ModelProvider, Wire
from zebench.results.models import CostKind

MAX_REPLY_BYTES = 64 * 1024 * 1024
# Client headers passed upstream; everything else (the placeholder key above all) stays behind.
FORWARDED_HEADERS = (
    "accept",
    "anthropic-version",
    "anthropic-beta",
    "openai-beta",
    "user-agent",
    "http-referer",
    "x-title",
    "x-goog-api-client",
)
# Reply headers passed back to the agent: its retry logic needs them as the provider sent them.
RETURNED_HEADERS = ("retry-after", "retry-after-ms", "request-id", "x-request-id")
RETURNED_PREFIXES = ("anthropic-ratelimit-", "x-ratelimit-")
ANTHROPIC_VERSION = "2023-06-01"


@dataclass
class Draft:
    """A call in progress; :meth:`finish` turns it into the recorded :class:`ModelCall`."""

    index: int
    wire: Wire
    path: str
    started_at: float = field(default_factory=time.time)
    t0: float = field(default_factory=time.monotonic)
    provider: ModelProvider | None = None
    stream: bool = False
    model_requested: str | None = None
    model: str | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    withheld: list[str] = field(default_factory=list)
    first_byte: float | None = None
    replayed: bool = False

    def mark_first_byte(self) -> None:
        if self.first_byte is None:
            self.first_byte = time.monotonic()

    def finish(
        self,
        status: int | None,
        found: StreamUsage | None = None,
        *,
        cost: tuple[float | None, CostKind | None] = (None, None),
        error_class: ErrorClass | None = None,
        error: str | None = None,
    ) -> ModelCall:
        now = time.monotonic()
        return ModelCall(
            index=self.index,
            wire=self.wire,
            provider=self.provider,
            path=self.path,
            stream=self.stream,
            model_requested=self.model_requested,
            model=self.model,
            model_served=found.model if found else None,
            status=status,
            started_at=self.started_at,
            latency_ms=int((now - self.t0) * 1000),
            first_byte_ms=None if self.first_byte is None else int((self.first_byte - self.t0) * 1000),
            usage=found.usage if found else StreamUsage().usage,
            cost_usd=cost[0],
            cost_kind=cost[1],
            settings=self.settings,
            withheld_tools=self.withheld,
            error_class=error_class,
            error=error,
            replayed=self.replayed,
        )


def error_class_of(status: int) -> ErrorClass | None:
    """429, 408 and 5xx (Anthropic's 529 too) are the provider's trouble; other 4xx are rejections."""
    if status < 400:
        return None
    return "infra" if status in (408, 429) or status >= 500 else "rejected"


def provider_message(body: bytes) -> str:
    """The provider's own error message, else the start of the body."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body[:300].decode("utf-8", errors="replace")
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:500]
    if isinstance(error, str):
        return error[:500]
    return json.dumps(data)[:300]


def upstream_headers(headers: Mapping[str, str], upstream: Upstream) -> dict[str, str]:
    out = {name: headers[name] for name in FORWARDED_HEADERS if name in headers}
    if upstream.provider == "anthropic":
        out.setdefault("anthropic-version", ANTHROPIC_VERSION)
    out["content-type"] = "application/json"
    out["accept-encoding"] = "identity"  # passed back byte for byte, never re-encoded
    out.update(upstream.auth_headers())
    return out


def returned_headers(headers: httpx2.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in RETURNED_HEADERS or lower.startswith(RETURNED_PREFIXES):
            out[lower] = value
    return out


def upstream_query(query: Mapping[str, str]) -> dict[str, str]:
    """The query passed upstream: Gemini's ``alt=sse`` and the like, never a ``key``."""
    return {k: v for k, v in query.items() if k.lower() not in ("key", "api_key", "api-key")}


def price(table: PricingTable, found: StreamUsage, model: str | None) -> tuple[float | None, CostKind | None]:
    """The call's cost: the provider's measured figure (OpenRouter), else the price table's estimate."""
    if found.cost_usd is not None:
        return found.cost_usd, "measured"
    if found.usage.total == 0:
        return 0.0, "measured"
    # The full ModelUsage is priced: its 1-hour cache writes cost more than the 5-minute ones.
    for name in (found.model, model):
        if name and table.lookup(name) is not None:
            return table.price_for(name, found.usage), "estimated"
    name = found.model or model
    estimate = table.price_for(name, found.usage) if name else None
    return estimate, "estimated" if estimate is not None else None


async def read_capped(response: httpx2.Response, limit: int = MAX_REPLY_BYTES) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise httpx2.DecodingError(f"the reply is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class StreamPass:
    """Everything a streamed reply needs to be passed on and accounted for."""

    fmt: WireFormat
    hide_usage: bool
    draft: Draft
    on_done: Callable[[ModelCall, list[str]], None]  # the finished call and the events seen
    pricing: PricingTable
    keep_events: bool = False


def stream_reply(response: httpx2.Response, job: StreamPass) -> StreamingResponse:
    """Pass server-sent events on as they arrive, reading usage on the side."""

    async def events() -> AsyncIterator[bytes]:
        splitter = EventSplitter()
        reader = job.fmt.stream_reader(hide_usage=job.hide_usage)
        seen: list[str] = []
        error_class: ErrorClass | None = "interrupted"
        error: str | None = "the agent hung up before the reply ended"
        try:
            async for chunk in response.aiter_bytes():
                job.draft.mark_first_byte()
                for item in splitter.feed(chunk):
                    if isinstance(item, bytes):
                        yield item
                        continue
                    if job.keep_events:
                        seen.append(item.raw.decode("utf-8", errors="replace"))
                    if reader.feed(item.name, item.data):
                        yield item.raw
            tail = splitter.close()
            if tail:
                yield tail
            error_class, error = None, None
        except (httpx2.TimeoutException, httpx2.TransportError) as exc:
            error_class, error = "infra", f"the provider's stream broke: {type(exc).__name__}: {exc}"
        finally:
            call = job.draft.finish(
                response.status_code,
                reader.found,
                cost=price(job.pricing, reader.found, job.draft.model),
                error_class=error_class,
                error=error,
            )
            job.on_done(call, seen)
            with anyio.CancelScope(shield=True):
                await response.aclose()

    return StreamingResponse(
        events(),
        status_code=response.status_code,
        headers={**returned_headers(response.headers), "cache-control": "no-cache"},
        media_type=response.headers.get("content-type", "text/event-stream"),
    )


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=status,
        headers=dict(headers or {}),
        media_type="application/json",
    )
