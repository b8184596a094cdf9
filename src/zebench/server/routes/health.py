"""``GET /health``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from zebench import __version__
from zebench.results.models import utcnow

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness check")
def health() -> dict[str, Any]:
    """Always open (no key): load balancers and ``zebench`` probe it before submitting."""
    return {"status": "ok", "timestamp": utcnow().isoformat(), "version": __version__}
