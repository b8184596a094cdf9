"""Write routes: ``POST /api/results``, ``/api/results:batch`` (bulk), ``/api/results/batch`` and
``/api/results/control``."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from zebench.server.auth import require_write
from zebench.server.bulk import ingest_runs
from zebench.server.deps import get_store, get_write_lock
from zebench.server.errors import ERROR_RESPONSES, ApiError, ErrorBody
from zebench.server.ingest import (
    batch_from_payload,
    control_from_payload,
    decide,
    payload_digest,
    run_from_payload,
    stamp,
)
from zebench.server.schemas import (
    MAX_BULK_RUNS,
    BulkSubmitResponse,
    SubmitBatchPayload,
    SubmitControlPayload,
    SubmitRunPayload,
    SubmitRunsPayload,
)
from zebench.store.base import ResultStore

router = APIRouter(prefix="/api/results", tags=["results"], dependencies=[Depends(require_write)])

Store = Annotated[ResultStore, Depends(get_store)]
Lock = Annotated[threading.Lock, Depends(get_write_lock)]


@router.post(
    "",
    status_code=201,
    summary="Submit one run",
    responses={
        **ERROR_RESPONSES,
        200: {"description": "The same run was already stored (duplicate) or a running run was replaced"},
        409: {"model": ErrorBody, "description": "A different run with this runId is already stored"},
    },
)
def submit_run(payload: SubmitRunPayload, store: Store, lock: Lock) -> Any:
    """Store a run with its evaluations, telemetry and artifacts in one transaction.

    Idempotent by ``runId``: the same content again answers 200 ``duplicate: true``; different
    content answers 409, unless the stored run is still ``running`` (then it is replaced).
    """
    run = run_from_payload(payload)
    digest = payload_digest(run)  # outside the lock: it is the costly part of the check
    with lock:
        outcome = decide(store, run, digest, store.get_run_fingerprint(run.run_id))
        if outcome == "duplicate":
            return JSONResponse({"success": True, "runId": run.run_id, "duplicate": True}, status_code=200)
        if outcome == "conflict":
            raise ApiError(
                409,
                "Run already exists with different content",
                f"run {run.run_id} is stored with a final status; submit it under a new runId",
            )
        store.save_run(stamp(run, digest))
    if outcome == "replaced":
        return JSONResponse({"success": True, "runId": run.run_id, "replaced": True}, status_code=200)
    return {"success": True, "runId": run.run_id}


_BULK_DESCRIPTION = f"""\
Store up to {MAX_BULK_RUNS} runs in one transaction and answer 200 with one result per run, in order.

Each item has the shape of `POST /api/results` and gets the outcome that endpoint would give it at
its position in the list: `created` (201), `duplicate` or `replaced` (200), `conflict` (409),
`invalid` (422, `error` names the bad field), or `failed` (503: the store refused that run; send it
again later). One bad item never fails the others. Whole-request problems are ordinary errors: 401 or
403 for the key, 400 for malformed JSON, 413 above the body limit, 422 for more than {MAX_BULK_RUNS}
runs or a body that is not `{{"runs": [...]}}`.
"""


# ":batch", not "/batch": POST /api/results/batch is the original Worker's batch upsert (below).
@router.post(
    ":batch",
    response_model=BulkSubmitResponse,
    summary="Submit many runs at once (bulk)",
    description=_BULK_DESCRIPTION,
    responses={**ERROR_RESPONSES, 200: {"description": "One result per submitted run, in order, and counts"}},
)
def submit_runs(payload: SubmitRunsPayload, store: Store, lock: Lock) -> BulkSubmitResponse:
    """Bulk ingest: see ``zebench.server.bulk``."""
    return ingest_runs(store, payload.runs, lock)


@router.post("/batch", status_code=201, summary="Create or update a batch", responses=ERROR_RESPONSES)
def submit_batch(payload: SubmitBatchPayload, store: Store, lock: Lock) -> dict[str, Any]:
    """Upsert a batch's metadata and completion time. Totals in the payload are ignored."""
    batch = batch_from_payload(payload)
    with lock:
        store.save_batch(batch)
    return {"success": True, "batchId": batch.batch_id}


@router.post(
    "/control", status_code=201, summary="Store a warmup (control) result", responses=ERROR_RESPONSES
)
def submit_control(payload: SubmitControlPayload, store: Store, lock: Lock) -> dict[str, Any]:
    """Store the warmup of one scenario in a batch (created if unknown), replacing an older one."""
    control = control_from_payload(payload)
    with lock:
        store.save_control(payload.batch_id, control)
    return {"success": True, "batchId": payload.batch_id}
