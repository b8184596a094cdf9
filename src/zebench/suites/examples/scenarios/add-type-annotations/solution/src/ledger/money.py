"""Money amounts, kept as integer cents."""

from __future__ import annotations

import re

_AMOUNT = re.compile(
    r"^(?P<sign>-)?(?P<symbol>[$€£])?(?P<units>\d{1,3}(?:,\d{3})*|\d+)(?:\.(?P<cents>\d{1,2}))?$"
)


def parse_amount(text: str) -> int:
    """Parse ``"$1,234.5"`` or ``"-12.05"`` into cents (``123450``, ``-1205``)."""
    match = _AMOUNT.match(text.strip().replace(" ", ""))
    if match is None:
        raise ValueError(f"not an amount: {text!r}")
    units = int(match.group("units").replace(",", ""))
    cents = int((match.group("cents") or "0").ljust(2, "0"))
    total = units * 100 + cents
    return -total if match.group("sign") else total


def format_amount(cents: int, symbol: str = "$") -> str:
    """Format cents with a currency symbol and thousands separators: ``-123450 -> "-$1,234.50"``."""
    sign = "-" if cents < 0 else ""
    units, remainder = divmod(abs(cents), 100)
    return f"{sign}{symbol}{units:,}.{remainder:02d}"


def split_evenly(cents: int, parts: int) -> list[int]:
    """Split an amount into ``parts`` shares that differ by at most one cent and sum to it."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    share, remainder = divmod(cents, parts)
    return [share + 1 if index < remainder else share for index in range(parts)]
