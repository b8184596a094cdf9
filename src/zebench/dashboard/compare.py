"""Batch comparison and live-refresh fingerprints: pure functions over store query results."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from zebench.store.base import ResultStore
from zebench.store.queries import BatchDetail, BatchSummary, BreakdownRow, GlobalStats, ScoreStats

MIN_COMPARE, MAX_COMPARE = 2, 5
# Below this a difference is noise and shown as flat.
FLAT = 1e-9


@dataclass(frozen=True)
class Metric:
    """A row of the comparison table: how to read it, format it and which direction is better."""

    label: str
    read: Callable[[ScoreStats], float | None]
    kind: str  # formatting filter: score, pct, usd, ms, count
    higher_is_better: bool | None  # None: neither (e.g. the number of runs)


METRICS: tuple[Metric, ...] = (
    Metric("Runs", lambda s: float(s.runs), "count", None),
    Metric("Success rate", lambda s: s.success_rate, "pct", True),
    Metric("Mean score", lambda s: s.mean_score, "score", True),
    Metric("Score std dev", lambda s: s.std_score, "score", None),
    Metric("Min score", lambda s: s.min_score, "score", True),
    Metric("Max score", lambda s: s.max_score, "score", True),
    Metric("Mean duration", lambda s: s.mean_duration_ms, "ms", False),
    Metric("Total cost", lambda s: s.total_cost_usd, "usd", False),
    Metric("Mean cost per run", lambda s: s.mean_cost_usd, "usd", False),
    Metric("Tokens in", lambda s: float(s.tokens_in), "count", None),
    Metric("Tokens out", lambda s: float(s.tokens_out), "count", None),
)


@dataclass(frozen=True)
class Cell:
    """One batch's value in a comparison row, with its delta against the first batch."""

    value: float | None
    delta: float | None
    tone: str  # better / worse / flat / none


@dataclass(frozen=True)
class Row:
    """A comparison row: a metric (or a scenario) across the compared batches."""

    label: str
    kind: str
    cells: list[Cell]


def _tone(delta: float | None, higher_is_better: bool | None) -> str:
    if delta is None or higher_is_better is None:
        return "none"
    if abs(delta) <= FLAT:
        return "flat"
    return "better" if (delta > 0) == higher_is_better else "worse"


def _row(label: str, kind: str, values: Sequence[float | None], higher_is_better: bool | None) -> Row:
    base = values[0]
    cells = []
    for i, value in enumerate(values):
        delta = None if i == 0 or value is None or base is None else value - base
        cells.append(Cell(value, delta, _tone(delta, higher_is_better)))
    return Row(label, kind, cells)


def metric_rows(details: Sequence[BatchDetail]) -> list[Row]:
    """The headline metrics of each batch with deltas against the first."""
    return [_row(m.label, m.kind, [m.read(d.summary) for d in details], m.higher_is_better) for m in METRICS]


def scenario_rows(details: Sequence[BatchDetail]) -> tuple[list[Row], list[Row]]:
    """Per scenario (suite/scenario): mean score rows and success-rate rows, deltas vs the first batch."""
    keys: list[tuple[str | None, str | None]] = []
    per_batch: list[dict[tuple[str | None, str | None], BreakdownRow]] = []
    for detail in details:
        table = {(b.key.get("suite"), b.key.get("scenario")): b for b in detail.by_scenario}
        per_batch.append(table)
        keys += [k for k in table if k not in keys]
    keys.sort(key=lambda k: (k[0] or "", k[1] or ""))
    scores, rates = [], []
    for key in keys:
        label = f"{key[0]}/{key[1]}"
        stats = [t.get(key) for t in per_batch]
        scores.append(_row(label, "score", [s.mean_score if s else None for s in stats], True))
        rates.append(_row(label, "pct", [s.success_rate if s else None for s in stats], True))
    return scores, rates


def parse_ids(values: Sequence[str]) -> list[str]:
    """Batch ids from ``ids``/``ids[]`` parameters (repeated or comma-separated), deduplicated, in order."""
    ids: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part and part not in ids:
                ids.append(part)
    return ids


def canonical_ids(store: ResultStore, ids: Sequence[str], problems: list[str]) -> list[str]:
    """Each id as stored: a unique start or end of one stands for it. One lookup per id (at most
    MAX_COMPARE); an unknown or ambiguous id is added to ``problems`` and kept as given."""
    out: list[str] = []
    for ident in ids:
        matches = store.match_ids("batch", ident)
        if matches.exact or (len(matches.ids) == 1 and not matches.more):
            out.append(matches.ids[0])
            continue
        out.append(ident)
        if not matches.ids:
            problems.append(f"batch {ident!r} not found")
        else:
            more = " and more" if matches.more else ""
            problems.append(f"batch {ident!r} is ambiguous: it matches {', '.join(matches.ids)}{more}")
    return out


def compare_link(query: QueryParams, ids: Sequence[str]) -> str:
    """The compare URL with ``ids`` in place of the query's ids, its other parameters kept."""
    kept = [(k, v) for k, v in query.multi_items() if k not in ("ids", "ids[]")]
    return "/batches/compare?" + urlencode([("ids", i) for i in ids] + kept)


def _digest(parts: Sequence[object]) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def batch_fingerprint(summary: BatchSummary) -> str:
    """Changes whenever a run of the batch is added or changes status, or the batch completes."""
    return _digest(
        [
            summary.runs,
            sorted(summary.status_counts.items()),
            summary.successes,
            summary.mean_score,
            summary.duration_ms,
            summary.completed_at,
        ]
    )


def global_fingerprint(stats: GlobalStats, batches: Sequence[BatchSummary]) -> str:
    """Changes whenever any run is added or changes status, or a recent batch starts or completes."""
    return _digest(
        [
            stats.runs,
            stats.batches,
            sorted(stats.status_counts.items()),
            stats.mean_score,
            [(b.batch_id, b.completed_at) for b in batches],
        ]
    )
