"""How a 0..1 score is shown: rounded down, so a score below 1 never reads as 1.00.

0.9975 (one failing test in 400) is shown as ``0.99``, not ``1.00``; only a perfect score shows
``1.00``. The rule lives here, at the bottom of the package graph, so the run record's
``score_out_of_ten`` and every renderer (``zebench.scoring.display``: CLI and dashboard) share it.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal


def floor_score(value: float, digits: int = 2) -> Decimal:
    """``value`` rounded down to ``digits`` decimals, exactly (0.29 stays 0.29, 0.9999 is 0.99)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite score: {value!r}")
    # repr() is the shortest text that reads back as the same float, so binary noise (0.29 is
    # 0.28999…) never pushes a score down a step.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_FLOOR)


def out_of_ten(total: float | None) -> float | None:
    """A 0..1 total as x/10 with two decimals, rounded down (0.9975 → 9.97)."""
    return None if total is None else float(floor_score(total * 10, 2))
