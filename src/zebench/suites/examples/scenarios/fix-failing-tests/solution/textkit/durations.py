"""Parse and format human-friendly durations such as ``"1h30m"`` or ``"2d 4h"``."""

from __future__ import annotations

import re

_UNIT_SECONDS = {
    "d": 24 * 60 * 60,
    "h": 60 * 60,
    "m": 60,
    "s": 1,
}

_TOKEN = re.compile(r"(\d+)\s*([dhms])", re.IGNORECASE)


class DurationError(ValueError):
    """Raised when a duration string cannot be parsed."""


def parse_duration(text: str) -> int:
    """Return the number of seconds in ``text``.

    Accepts one or more ``<number><unit>`` tokens (units: d, h, m, s), optionally separated by
    whitespace, e.g. ``"90s"``, ``"1h30m"``, ``"2d 4h"``. A bare number is read as seconds.
    """
    cleaned = text.strip()
    if not cleaned:
        raise DurationError("empty duration")
    if cleaned.isdigit():
        return int(cleaned)

    total = 0
    position = 0
    for match in _TOKEN.finditer(cleaned):
        if cleaned[position:match.start()].strip():
            raise DurationError(f"unexpected text in duration: {text!r}")
        total += int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        raise DurationError(f"invalid duration: {text!r}")
    return total


def format_duration(seconds: int) -> str:
    """Format ``seconds`` compactly: ``5400`` -> ``"1h 30m"``, ``0`` -> ``"0s"``."""
    if seconds < 0:
        raise DurationError("negative durations are not supported")
    if seconds == 0:
        return "0s"

    parts = []
    remaining = seconds
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        amount, remaining = divmod(remaining, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts)
