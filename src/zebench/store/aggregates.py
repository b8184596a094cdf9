"""Aggregates computed in SQL (one grouped pass) and finished in Python into ScoreStats fields.

Every figure comes from the stored rows at query time, either the runs themselves or the rollup
cells that each write updates in its own transaction (never stale, see ``rollups``). The database
returns count, sums, sum of squares, min, max and per-status counts; Python only divides and takes
the square root (SQLite builds do not all ship math functions). Both sources select the same
labels, so ``stats_from_row`` finishes either.

Scores and costs are aggregated clamped into their ranges (``zebench.results.ranges``): a row an
older server stored with a total score of 1e308 counts as 1, a negative cost as 0, NaN as the low
end. That keeps every sum finite (PostgreSQL raises an overflow error on 1e308 + 1e308, and JSON
has no infinity) while every count stays what the rows say, which the listing planner relies on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Label, Table, case, func, literal

from zebench.results.models import RunStatus
from zebench.results.ranges import MAX_COST_USD, SCORE_MAX, SCORE_MIN
from zebench.store import schema

# Bound as a parameter: PostgreSQL compares NaN equal to itself; SQLite binds it as NULL, and
# cannot store a NaN anyway.
_NAN = literal(float("nan"), Float())


def clamped(value: ColumnElement[Any], low: float, high: float) -> ColumnElement[Any]:
    """SQL for ``zebench.results.ranges.clamp``: ``value`` within low..high, NaN as low, NULL stays NULL."""
    return case((value == _NAN, low), (value < low, low), (value > high, high), else_=value)


def clamped_score(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A score column as aggregates read it (``ranges.clamp_score``)."""
    return clamped(value, SCORE_MIN, SCORE_MAX)


def clamped_cost(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A cost column as aggregates read it (``ranges.clamp_cost``)."""
    return clamped(value, 0.0, MAX_COST_USD)


HISTOGRAM_BUCKETS = 10


@dataclass(frozen=True)
class StatSource:
    """The columns a group of ScoreStats is computed from."""

    score: ColumnElement[Any]
    success: ColumnElement[Any]
    status: ColumnElement[Any]
    statuses: tuple[str, ...]
    duration: ColumnElement[Any]
    cost: ColumnElement[Any]
    tokens_in: ColumnElement[Any]
    tokens_out: ColumnElement[Any]
    judge_cost: ColumnElement[Any]


RUN_STATS = StatSource(
    score=clamped_score(schema.runs.c.total_score),
    success=schema.runs.c.is_successful,
    status=schema.runs.c.status,
    statuses=tuple(s.value for s in RunStatus),
    duration=schema.runs.c.duration_ms,
    cost=clamped_cost(schema.runs.c.cost_usd),
    tokens_in=schema.runs.c.tokens_in,
    tokens_out=schema.runs.c.tokens_out,
    judge_cost=clamped_cost(schema.runs.c.judge_cost_usd),
)

# Evaluator groups: the evaluation's score and pass flag, its own status, the run's cost and time.
EVALUATION_STATS = StatSource(
    score=clamped_score(schema.evaluations.c.score),
    success=schema.evaluations.c.passed,
    status=schema.evaluations.c.status,
    statuses=("scored", "skipped", "error"),
    duration=schema.runs.c.duration_ms,
    cost=RUN_STATS.cost,
    tokens_in=schema.runs.c.tokens_in,
    tokens_out=schema.runs.c.tokens_out,
    judge_cost=RUN_STATS.judge_cost,
)


# Below this magnitude a score's square is under 1e-300: counted as 0, as Python's float arithmetic
# (the rollups) rounds it. PostgreSQL raises "value out of range: underflow" instead, so an API
# client storing a score of 1e-200 would otherwise break every aggregate read.
_TINY = 1e-150


def square(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """``value * value`` that is 0 instead of a PostgreSQL underflow error for tiny values (NULL stays NULL)."""
    return case((func.abs(value) < _TINY, 0.0), else_=value * value)


def _count_if(condition: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def stat_columns(src: StatSource) -> list[Label[Any]]:
    """The aggregate select columns for ``src``; pair with ``stats_from_row``."""
    cols: list[Label[Any]] = [
        func.count().label("agg_n"),
        _count_if(src.success).label("agg_successes"),
        func.count(src.score).label("agg_scored"),
        func.sum(src.score).label("agg_sum"),
        func.sum(square(src.score)).label("agg_sumsq"),
        func.min(src.score).label("agg_min"),
        func.max(src.score).label("agg_max"),
        func.sum(src.duration).label("agg_duration_sum"),
        func.count(src.duration).label("agg_duration_n"),
        func.sum(src.cost).label("agg_cost"),
        func.count(src.cost).label("agg_costed"),
        func.coalesce(func.sum(src.tokens_in), 0).label("agg_tokens_in"),
        func.coalesce(func.sum(src.tokens_out), 0).label("agg_tokens_out"),
        func.sum(src.judge_cost).label("agg_judge_cost"),
    ]
    # Conditional sums: every status in the same single pass instead of a second GROUP BY.
    cols += [
        _count_if(src.status == status).label(f"agg_status_{i}") for i, status in enumerate(src.statuses)
    ]
    return cols


def histogram_columns(score: ColumnElement[Any]) -> list[Label[Any]]:
    """Ten conditional counts of ``score`` in buckets [0, .1), [.1, .2), ... [.9, 1]."""
    cols = []
    for i in range(HISTOGRAM_BUCKETS):
        lower = score >= i / HISTOGRAM_BUCKETS if i else score.is_not(None)
        cond = lower & (score < (i + 1) / HISTOGRAM_BUCKETS) if i < HISTOGRAM_BUCKETS - 1 else lower
        cols.append(_count_if(cond).label(f"agg_hist_{i}"))
    return cols


def rollup_stat_columns(table: Table, success: str, statuses: tuple[str, ...]) -> list[Label[Any]]:
    """``stat_columns`` over a rollup table's cells: the sums of their sums.

    ``success`` names the boolean key column whose cells count as successes.
    """
    c = table.c

    def total(col: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(col), 0)

    def count_where(cond: ColumnElement[Any]) -> ColumnElement[Any]:
        return total(case((cond, c.n), else_=0))

    cols: list[Label[Any]] = [
        total(c.n).label("agg_n"),
        count_where(c[success].is_(True)).label("agg_successes"),
        total(c.scored).label("agg_scored"),
        func.sum(c.score_sum).label("agg_sum"),
        func.sum(c.score_sumsq).label("agg_sumsq"),
        func.min(c.score_min).label("agg_min"),
        func.max(c.score_max).label("agg_max"),
        total(c.duration_sum).label("agg_duration_sum"),
        total(c.duration_n).label("agg_duration_n"),
        # NULL when no cell has a cost, as SUM over the runs would be.
        func.sum(case((c.cost_n > 0, c.cost_sum), else_=None)).label("agg_cost"),
        total(c.cost_n).label("agg_costed"),
        total(c.tokens_in).label("agg_tokens_in"),
        total(c.tokens_out).label("agg_tokens_out"),
        func.sum(case((c.judge_cost_n > 0, c.judge_cost_sum), else_=None)).label("agg_judge_cost"),
    ]
    cols += [count_where(c.status == status).label(f"agg_status_{i}") for i, status in enumerate(statuses)]
    return cols


def rollup_histogram_columns(table: Table) -> list[Label[Any]]:
    """The histogram buckets summed over rollup cells; pair with ``histogram_from_row``."""
    return [
        func.coalesce(func.sum(table.c[f"hist_{i}"]), 0).label(f"agg_hist_{i}")
        for i in range(HISTOGRAM_BUCKETS)
    ]


def score_bucket(score: float) -> int:
    """The histogram bucket of a score, by the same comparisons as ``histogram_columns``."""
    bucket = 0
    for i in range(1, HISTOGRAM_BUCKETS):
        if score >= i / HISTOGRAM_BUCKETS:
            bucket = i
    return bucket


def histogram_from_row(row: Mapping[Any, Any]) -> list[int]:
    """The bucket counts selected with ``histogram_columns``."""
    return [int(row[f"agg_hist_{i}"] or 0) for i in range(HISTOGRAM_BUCKETS)]


def _float(value: Any) -> float | None:
    # A non-finite figure can only come from rollup cells an older version summed unclamped (the
    # 0007 migration rebuilds them); None keeps the answer valid JSON whatever the cells hold.
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _int(value: Any) -> int:
    return 0 if value is None else int(value)


def sample_std(n: int, total: float, total_sq: float) -> float | None:
    """The sample standard deviation from a count, a sum and a sum of squares (None below 2)."""
    if n < 2:
        return None
    variance = (total_sq - total * total / n) / (n - 1)
    if not math.isfinite(variance):
        return None
    return math.sqrt(max(variance, 0.0))  # rounding can make a zero variance slightly negative


def stats_from_row(row: Mapping[Any, Any], src: StatSource) -> dict[str, Any]:
    """ScoreStats fields from a row selected with ``stat_columns(src)``."""
    n = _int(row["agg_n"])
    successes = _int(row["agg_successes"])
    scored = _int(row["agg_scored"])
    total = _float(row["agg_sum"] or 0.0)  # PostgreSQL returns numeric sums as Decimal
    total_sq = _float(row["agg_sumsq"] or 0.0)
    usable = scored if total is not None and total_sq is not None else 0
    costed = _int(row["agg_costed"])
    timed = _int(row["agg_duration_n"])
    cost = _float(row["agg_cost"])
    statuses = {
        status: _int(row[f"agg_status_{i}"])
        for i, status in enumerate(src.statuses)
        if row[f"agg_status_{i}"]
    }
    return {
        "runs": n,
        "successes": successes,
        "success_rate": successes / n if n else None,
        "mean_score": total / usable if usable and total is not None else None,
        "std_score": sample_std(usable, total or 0.0, total_sq or 0.0),
        "min_score": _float(row["agg_min"]),
        "max_score": _float(row["agg_max"]),
        "mean_duration_ms": float(row["agg_duration_sum"] or 0) / timed if timed else None,
        "total_cost_usd": cost,
        "mean_cost_usd": cost / costed if cost is not None and costed else None,
        "tokens_in": _int(row["agg_tokens_in"]),
        "tokens_out": _int(row["agg_tokens_out"]),
        "status_counts": statuses,
        "judge_cost_usd": _float(row["agg_judge_cost"]),
    }
