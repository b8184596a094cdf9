"""Run read routes: list, detail, evaluations, telemetry and artifacts."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from zebench.errors import NotFoundError, StoreError
from zebench.server.auth import require_read
from zebench.server.deps import get_store
from zebench.server.errors import ERROR_RESPONSES, ApiError
from zebench.server.render import (
    FastJSONResponse,
    evaluation_body,
    run_detail,
    summary_body,
    telemetry_body,
)
from zebench.server.routes.params import (
    ArtifactPath,
    Cursor,
    RunIdPath,
    bad_cursor,
    run_filters,
    run_page_limit,
    run_sort,
)
from zebench.store.base import ResultStore
from zebench.store.queries import RunFilters, RunSort

router = APIRouter(prefix="/api/runs", tags=["runs"], dependencies=[Depends(require_read)])

Store = Annotated[ResultStore, Depends(get_store)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Run not found"}}
# Artifacts whose text is JSON (served as application/json when it parses).
JSON_ARTIFACTS = frozenset({"trajectory", "judge", "control", "recording", "validation"})


def _load(store: ResultStore, run_id: str) -> Any:
    try:
        return store.get_run(run_id)
    except NotFoundError:
        raise ApiError(404, "Run not found") from None


@router.get("", summary="List runs", responses=ERROR_RESPONSES)
def list_runs(
    store: Store,
    filters: Annotated[RunFilters, Depends(run_filters)],
    sort: Annotated[RunSort, Depends(run_sort)],
    limit: Annotated[int, Depends(run_page_limit)],
    cursor: Cursor = None,
) -> JSONResponse:
    """One page of runs, newest first by default: ``{items, nextCursor, total}``.

    ``limit`` defaults to 50; values above 500 are clamped to 500. Pass ``nextCursor`` back as
    ``cursor`` (with the same sort) for the next page; it is null on the last page.
    """
    try:
        page = store.list_runs(filters, limit=limit, cursor=cursor, sort=sort)
    except StoreError as exc:
        raise bad_cursor(exc) or exc from None
    return FastJSONResponse(
        {"items": [summary_body(s) for s in page.items], "nextCursor": page.next_cursor, "total": page.total}
    )


@router.get(
    "/{run_id}", summary="One run with every stored field", responses={**ERROR_RESPONSES, **NOT_FOUND}
)
def get_run(run_id: RunIdPath, store: Store) -> JSONResponse:
    """``{run, evaluations, telemetry}``, including specialist fields, promptSent and metadata."""
    return FastJSONResponse(run_detail(_load(store, run_id)))


@router.get(
    "/{run_id}/evaluations", summary="A run's evaluations", responses={**ERROR_RESPONSES, **NOT_FOUND}
)
def get_evaluations(run_id: RunIdPath, store: Store) -> JSONResponse:
    run = _load(store, run_id)
    return FastJSONResponse([evaluation_body(run.run_id, e) for e in run.evaluations])


@router.get("/{run_id}/telemetry", summary="A run's telemetry", responses={**ERROR_RESPONSES, **NOT_FOUND})
def get_telemetry(run_id: RunIdPath, store: Store) -> JSONResponse:
    return FastJSONResponse(telemetry_body(_load(store, run_id)))


@router.get(
    "/{run_id}/artifacts", summary="Names of a run's artifacts", responses={**ERROR_RESPONSES, **NOT_FOUND}
)
def list_artifacts(run_id: RunIdPath, store: Store) -> JSONResponse:
    _load(store, run_id)  # 404 for an unknown run rather than an empty list
    return FastJSONResponse({"runId": run_id, "names": store.artifact_names(run_id)})


@router.get(
    "/{run_id}/artifacts/{name}",
    summary="One artifact's text",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        404: {"description": "Run or artifact not found"},
        200: {"content": {"text/plain": {}, "application/json": {}}, "description": "The artifact"},
    },
)
def get_artifact(run_id: RunIdPath, name: ArtifactPath, store: Store) -> Response:
    """The diff, the trajectory, the validation logs...: JSON ones as application/json."""
    try:
        text = store.get_artifact(run_id, name)
    except NotFoundError:
        raise ApiError(404, "Artifact not found") from None
    media = "text/plain; charset=utf-8"
    if name in JSON_ARTIFACTS or name.endswith(".json"):
        try:
            json.loads(text)
            media = "application/json"
        except ValueError:
            pass
    return Response(text, media_type=media, headers={"X-Content-Type-Options": "nosniff"})
