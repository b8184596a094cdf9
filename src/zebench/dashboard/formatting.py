"""Jinja filters that turn stored numbers into the short text the dashboard shows.

Every filter accepts ``None`` (a missing value) and renders it as an em dash, so templates never
need ``if x is not none`` guards around a number.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from zebench.scoring.display import format_score

DASH = "—"


def score(value: float | None, digits: int = 2) -> str:
    """A 0..1 score as ``0.65``, rounded down like the CLI's (a failing 0.9975 is 0.99, never 1.00)."""
    return format_score(value, digits, none=DASH)


def pct(value: float | None, digits: int = 0) -> str:
    """A 0..1 fraction as ``65%``."""
    return DASH if value is None else f"{value * 100:.{digits}f}%"


def usd(value: float | None) -> str:
    """Money: four decimals below a dollar (LLM calls are cheap), two above."""
    if value is None:
        return DASH
    return f"${value:,.4f}" if abs(value) < 1 else f"${value:,.2f}"


def duration(ms: float | None) -> str:
    """Milliseconds as ``850 ms``, ``12.3 s``, ``4m 05s`` or ``2h 03m``."""
    if ms is None:
        return DASH
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def count(value: int | float | None) -> str:
    """An integer with thousands separators; large token counts compacted (``1.2M``)."""
    if value is None:
        return DASH
    if abs(value) >= 10_000_000:
        return f"{value / 1_000_000:,.1f}M"
    return f"{int(value):,}"


def when(value: datetime | None) -> str:
    """A timestamp in UTC, to the second: ``2025-03-01 12:00:05``."""
    if value is None:
        return DASH
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, coarse: ``just now``, ``5 min ago``, ``3 h ago``, ``12 d ago``."""
    if value is None:
        return DASH
    now = now or datetime.now(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def score_class(value: float | None, threshold: float = 0.7) -> str:
    """The CSS class colouring a score: good (≥ 0.9), ok (≥ threshold), bad, or none."""
    if value is None:
        return "s-none"
    if value >= 0.9:
        return "s-good"
    return "s-ok" if value >= threshold else "s-bad"


def pretty_json(value: Any) -> str:
    """Indented JSON for a <pre> (the template escapes it)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def short_id(value: str | None, keep: int = 22) -> str:
    """A long id shortened for a table cell; the full id goes in a title attribute."""
    if value is None:
        return DASH
    return value if len(value) <= keep else value[: keep - 1] + "…"


def signed(value: float | None, kind: str = "score") -> str:
    """A delta with its sign, formatted like the metric it is a delta of."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    magnitude = abs(value)
    if kind == "pct":
        return f"{sign}{magnitude * 100:.1f} pp"
    if kind == "usd":
        return f"{sign}{usd(magnitude)}"
    if kind == "ms":
        return f"{sign}{duration(magnitude)}"
    if kind == "count":
        return f"{sign}{count(magnitude)}"
    return f"{sign}{magnitude:.3f}"


FILTERS: dict[str, Callable[..., str]] = {
    "score": score,
    "pct": pct,
    "usd": usd,
    "duration": duration,
    "count": count,
    "when": when,
    "ago": ago,
    "score_class": score_class,
    "pretty_json": pretty_json,
    "short_id": short_id,
    "signed": signed,
}
