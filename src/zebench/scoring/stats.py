"""Summary statistics over repeated runs (scores, costs, durations)."""

from __future__ import annotations

import statistics

from pydantic import BaseModel


class SummaryStats(BaseModel):
    """Count, mean, sample standard deviation (None below two values), min and max."""

    n: int
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None


def summarize(values: list[float]) -> SummaryStats:
    """Summarise ``values``; an empty list gives ``n=0`` and None everywhere else."""
    if not values:
        return SummaryStats(n=0)
    return SummaryStats(
        n=len(values),
        mean=statistics.fmean(values),
        std=statistics.stdev(values) if len(values) >= 2 else None,
        min=min(values),
        max=max(values),
    )
