"""The ranges a stored number must lie in: one definition for the results API, the store's
aggregates and the local pipeline.

A score is a fraction: 0..1 (``totalScore``, each evaluation's ``score``, ``successThreshold``).
Weights are >= 0. Money is >= 0 and at most :data:`MAX_COST_USD` per run, so that summing the
costs of any number of runs stays finite in every database (PostgreSQL raises an overflow error
where Python would give infinity). Token counts and durations are integers the API already bounds.
NaN and infinity are never in range.

The API refuses anything else with a 422 (``zebench.server.schemas``). Aggregates read a stored
value outside its range (rows an older server accepted) clamped into it, NaN as the low end: the
reading ``zebench.scoring`` already gives an evaluator's out-of-range score. A clamped value still
counts as a value, so every count (scored runs, costed runs) stays what the rows say.
"""

from __future__ import annotations

import math
from typing import Any

SCORE_MIN = 0.0
SCORE_MAX = 1.0
# The original Worker's ``weightedScore`` (kept for read-back only) was on a 0..10 scale.
WEIGHTED_SCORE_MAX = 10.0
# A billion dollars for one run is no real cost; the bound keeps sums over any store finite.
MAX_COST_USD = 1e9


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def is_score(value: Any) -> bool:
    """Whether ``value`` is a finite number in 0..1."""
    number = _number(value)
    return number is not None and SCORE_MIN <= number <= SCORE_MAX


def is_cost(value: Any) -> bool:
    """Whether ``value`` is a finite number in 0..MAX_COST_USD."""
    number = _number(value)
    return number is not None and 0.0 <= number <= MAX_COST_USD


def as_cost(value: Any) -> float | None:
    """``value`` as a float when it is a cost in 0..MAX_COST_USD (a provider's figure), else None."""
    return float(value) if is_cost(value) else None


def clamp(value: float | None, low: float, high: float) -> float | None:
    """``value`` clamped into low..high for aggregating; NaN reads as ``low``, None stays None."""
    if value is None:
        return None
    if math.isnan(value):
        return low
    return min(max(float(value), low), high)


def clamp_score(value: float | None) -> float | None:
    """A stored score as aggregates read it: within 0..1."""
    return clamp(value, SCORE_MIN, SCORE_MAX)


def clamp_cost(value: float | None) -> float | None:
    """A stored cost as aggregates read it: within 0..MAX_COST_USD."""
    return clamp(value, 0.0, MAX_COST_USD)
