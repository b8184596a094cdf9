"""``GET /api/ids``: which stored run or batch ids a shortened id can stand for."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from zebench.client.wire import to_wire
from zebench.server.auth import require_read
from zebench.server.deps import get_store
from zebench.server.errors import ERROR_RESPONSES
from zebench.server.routes.params import FILTER_PATTERN
from zebench.store.base import ResultStore

router = APIRouter(prefix="/api/ids", tags=["ids"], dependencies=[Depends(require_read)])

Store = Annotated[ResultStore, Depends(get_store)]
MAX_MATCHES = 50


@router.get("", summary="Resolve a shortened run or batch id", responses=ERROR_RESPONSES)
def match_ids(
    store: Store,
    kind: Annotated[Literal["run", "batch"], Query(description="run or batch")],
    q: Annotated[str, Query(pattern=FILTER_PATTERN, description="an id, or a start or end of one")],
    limit: Annotated[int, Query(ge=1, le=MAX_MATCHES, description="candidates to list")] = 10,
) -> JSONResponse:
    """``{kind, query, exact, ids, more}``: ``exact`` when ``q`` is a stored id; otherwise the ids
    that start or end with ``q``, newest first, at most ``limit`` (``more`` when there are others).
    Always 200: no match is an empty ``ids``, and one id in it means ``q`` resolves."""
    return JSONResponse(to_wire(store.match_ids(kind, q, limit=limit)))
