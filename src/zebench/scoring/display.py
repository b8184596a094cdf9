"""Scores as text, for the CLI and the dashboard alike: rounded down (see ``zebench.results.scores``).

``format_score(0.9975)`` is ``"0.99"``: no failing score is ever shown as 1.00. Means and other
aggregates use the same rule with three digits.
"""

from __future__ import annotations

import math

from zebench.results.scores import floor_score, out_of_ten

DASH = "—"


def format_score(value: float | None, digits: int = 2, *, none: str = DASH) -> str:
    """A 0..1 score as text, rounded down to ``digits`` decimals; ``none`` for a missing score."""
    if value is None:
        return none
    if not math.isfinite(value):
        return str(value)
    return f"{floor_score(value, digits):.{digits}f}"


def format_out_of_ten(total: float | None) -> str:
    """A total as ``9.97/10`` (rounded down)."""
    value = out_of_ten(total)
    return DASH if value is None else f"{value:.2f}/10"


class ScoreFormat:
    """A score format usable where a ``"{:.2f}"`` format string is expected (``.format(value)``)."""

    def __init__(self, digits: int = 2) -> None:
        self.digits = digits

    def format(self, value: float) -> str:
        return format_score(value, self.digits)


SCORE = ScoreFormat(2)
