"""Query and path parameters shared by the read routes, bounded so no input reaches the store raw."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from fastapi import Path, Query

from zebench.errors import StoreError
from zebench.results.models import RunStatus
from zebench.server.errors import ApiError
from zebench.server.schemas import ID_PATTERN
from zebench.store.queries import RunFilters, RunSort

MAX_LIMIT = 500
# Filter values: printable, no NUL (PostgreSQL rejects NUL in text), as long as the columns allow.
FILTER_PATTERN = r"^[^\x00-\x1f]{1,200}$"
ARTIFACT_PATTERN = r"^[A-Za-z0-9._-]{1,100}$"

# camelCase (the API's) and snake_case (the store's) spellings of every sort.
SortParam = Literal[
    "-startedAt", "startedAt", "-totalScore", "totalScore", "-durationMs", "durationMs",
    "-costUsd", "costUsd",
    "-started_at", "started_at", "-total_score", "total_score", "-duration_ms", "duration_ms",
    "-cost_usd", "cost_usd",
]  # fmt: skip

_SORTS: dict[str, RunSort] = {}
for _sort in get_args(RunSort):
    _SORTS[_sort] = _sort
    _sign, _name = ("-", _sort[1:]) if _sort.startswith("-") else ("", _sort)
    _head, *_rest = _name.split("_")
    _SORTS[_sign + _head + "".join(p.title() for p in _rest)] = _sort

RunIdPath = Annotated[str, Path(pattern=ID_PATTERN, description="The run id")]
BatchIdPath = Annotated[str, Path(pattern=ID_PATTERN, description="The batch id")]
ArtifactPath = Annotated[str, Path(pattern=ARTIFACT_PATTERN, description="diff, trajectory, validation, ...")]
Cursor = Annotated[
    str | None,
    Query(max_length=1024, pattern=r"^[A-Za-z0-9_=-]+$", description="nextCursor of the previous page"),
]


LIMIT_DOC = "page size; values above 500 are clamped to 500 (the original API had no maximum)"


def run_page_limit(limit: Annotated[int, Query(ge=1, le=2**63 - 1, description=LIMIT_DOC)] = 50) -> int:
    """``limit`` for runs: default 50, clamped (not rejected) above 500 so old clients keep working."""
    return min(limit, MAX_LIMIT)


def batch_page_limit(limit: Annotated[int, Query(ge=1, le=2**63 - 1, description=LIMIT_DOC)] = 20) -> int:
    """``limit`` for batches: default 20 (as the original), clamped above 500."""
    return min(limit, MAX_LIMIT)


def _filter(description: str) -> object:
    return Query(pattern=FILTER_PATTERN, description=description)


def run_filters(
    suite: Annotated[str | None, _filter("suite name")] = None,
    scenario: Annotated[str | None, _filter("scenario id")] = None,
    tier: Annotated[str | None, _filter("prompt tier")] = None,
    agent: Annotated[str | None, _filter("agent name")] = None,
    model: Annotated[str | None, _filter("model name")] = None,
    status: Annotated[RunStatus | None, Query(description="run status")] = None,
    batch_id: Annotated[str | None, Query(alias="batchId", pattern=ID_PATTERN)] = None,
    specialist: Annotated[str | None, _filter("a specialist name, 'none' (baseline) or 'any'")] = None,
    successful: Annotated[
        bool | None, Query(description="only successful (true) or unsuccessful runs")
    ] = None,
) -> RunFilters:
    """The run filters from the query string."""
    return RunFilters(
        suite=suite,
        scenario=scenario,
        tier=tier,
        agent=agent,
        model=model,
        status=status,
        batch_id=batch_id,
        specialist=specialist,
        successful=successful,
    )


def run_sort(
    sort: Annotated[SortParam, Query(description="sort key; '-' for descending")] = "-startedAt",
) -> RunSort:
    return _SORTS[sort]


def bad_cursor(exc: StoreError) -> ApiError | None:
    """A 400 for a cursor the store could not use (a client mistake, not an outage)."""
    if exc.field == "cursor":
        return ApiError(400, "Invalid cursor", exc.one_line())
    return None
