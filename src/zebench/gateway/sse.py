"""Split a byte stream into server-sent events as they arrive, keeping each event's exact bytes.

Hand-written rather than taken from a library (httpx-sse, sse-starlette) because the gateway must
pass every event on byte for byte as the provider sent it, and only read it on the side; those
libraries decode events and would make the gateway re-encode them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_LINE = re.compile(r"\r\n|\n|\r")
MAX_EVENT_BYTES = 16 * 1024 * 1024  # a larger "event" is passed on unread


@dataclass(frozen=True)
class Event:
    raw: bytes  # the event's bytes, its blank-line terminator included
    name: str | None  # the ``event:`` field
    data: str  # the ``data:`` lines joined with newlines


class EventSplitter:
    """Feed bytes, get complete events; :meth:`close` returns what is left (an unterminated tail)."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[Event | bytes]:
        """Complete events, and raw bytes passed through unread when an event grows too large."""
        self._buffer += chunk
        out: list[Event | bytes] = []
        while True:
            found = _BOUNDARY.search(self._buffer)
            if found is None:
                if len(self._buffer) > MAX_EVENT_BYTES:
                    out.append(self._buffer)
                    self._buffer = b""
                return out
            raw, self._buffer = self._buffer[: found.end()], self._buffer[found.end() :]
            out.append(parse_event(raw))

    def close(self) -> bytes:
        rest, self._buffer = self._buffer, b""
        return rest


def parse_event(raw: bytes) -> Event:
    """Read the ``event:`` and ``data:`` fields of one event (comments and other fields ignored)."""
    name: str | None = None
    data: list[str] = []
    for line in _LINE.split(raw.decode("utf-8", errors="replace")):
        if not line or line.startswith(":"):
            continue
        key, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if key == "event":
            name = value
        elif key == "data":
            data.append(value)
    return Event(raw=raw, name=name, data="\n".join(data))
