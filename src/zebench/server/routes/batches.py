"""Batch read routes: list and detail (aggregates and breakdowns computed by the store in SQL)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from zebench.client.wire import to_wire
from zebench.errors import NotFoundError, StoreError
from zebench.server.auth import require_read
from zebench.server.deps import get_store
from zebench.server.errors import ERROR_RESPONSES, ApiError
from zebench.server.render import FastJSONResponse, batch_detail, batch_summary_body
from zebench.server.routes.params import BatchIdPath, Cursor, bad_cursor, batch_page_limit
from zebench.store.base import ResultStore

router = APIRouter(prefix="/api/batches", tags=["batches"], dependencies=[Depends(require_read)])

Store = Annotated[ResultStore, Depends(get_store)]


@router.get("", summary="List batches", responses=ERROR_RESPONSES)
def list_batches(
    store: Store, limit: Annotated[int, Depends(batch_page_limit)], cursor: Cursor = None
) -> JSONResponse:
    """Newest batches first: ``{items, nextCursor}``; each item has the original's field names too.
    ``limit`` defaults to 20; values above 500 are clamped to 500."""
    try:
        page = store.list_batches(limit=limit, cursor=cursor)
    except StoreError as exc:
        raise bad_cursor(exc) or exc from None
    return FastJSONResponse(
        {"items": [batch_summary_body(b) for b in page.items], "nextCursor": page.next_cursor}
    )


@router.get(
    "/{batch_id}",
    summary="A batch with its runs, aggregates and breakdowns",
    responses={**ERROR_RESPONSES, 404: {"description": "Batch not found"}},
)
def get_batch(
    batch_id: BatchIdPath,
    store: Store,
    with_evaluations: Annotated[
        bool,
        Query(
            alias="withEvaluations",
            description="also list each run's evaluations (name, status, score, passed)",
        ),
    ] = False,
) -> JSONResponse:
    """The batch's summary fields at the top level (as the original), plus ``summary``, ``runs``,
    ``byScenario``, ``byTier``, ``byAgentModel``, ``byEvaluator``, ``failedRuns`` and ``controls``.
    Every run is included (the original's clients read them all from here)."""
    try:
        detail = store.get_batch(batch_id, with_evaluations=with_evaluations)
    except NotFoundError:
        raise ApiError(404, "Batch not found") from None
    return FastJSONResponse(batch_detail(detail))


@router.get(
    "/{batch_id}/controls",
    summary="A batch's warmup (control) results, one per scenario",
    responses=ERROR_RESPONSES,
)
def batch_controls(batch_id: BatchIdPath, store: Store) -> JSONResponse:
    """``[{suite, scenario, passed, ranAt, commands}]``: the validation commands on the pristine
    fixture, once per scenario of the batch; an empty list for a batch without any (or unknown)."""
    return JSONResponse([to_wire(control) for control in store.get_controls(batch_id)])


@router.get(
    "/{batch_id}/fingerprint",
    summary="A hash that changes when the batch's runs or completion change",
    responses={**ERROR_RESPONSES, 404: {"description": "Batch not found"}},
)
def batch_fingerprint(batch_id: BatchIdPath, store: Store) -> JSONResponse:
    """``{batchId, fingerprint}``: cheap to poll for live views (one aggregate over the batch index)."""
    try:
        fingerprint = store.batch_fingerprint(batch_id)
    except NotFoundError:
        raise ApiError(404, "Batch not found") from None
    return JSONResponse({"batchId": batch_id, "fingerprint": fingerprint})
