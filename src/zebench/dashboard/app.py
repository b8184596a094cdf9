"""Wiring of the dashboard into a FastAPI app.

``mount_dashboard(app, store)`` registers the HTML pages (server-rendered with Jinja2), a small
JSON endpoint for live refresh, and ``/static``. Nothing is loaded from a CDN.

The specialists page lists the snapshots in ``snapshots_dir``; without one it uses
``$ZEBENCH_SNAPSHOTS_DIR``, else ``./snapshots`` when that folder exists (checked on each request).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from zebench.dashboard import (
    routes_analysis,
    routes_batches,
    routes_runs,
    routes_specialists,
    routes_suites,
)
from zebench.dashboard.core import STATIC_DIR, Dashboard, require_dashboard_read
from zebench.store.base import ResultStore


def mount_dashboard(
    app: FastAPI, store: ResultStore, *, snapshots_dir: Path | None = None, suites_dir: Path | None = None
) -> None:
    """Add the dashboard pages, its live-refresh JSON endpoint and ``/static`` to ``app``.

    ``snapshots_dir``: where ``zebench mint snapshot`` wrote snapshots (see the module docstring).
    ``suites_dir``: the user's suites folder for the Suites page (else ``$ZEBENCH_SUITES_DIR`` or
    ``./suites``, as the CLI finds them); the bundled suites are always listed.
    """
    dash = Dashboard(store)
    router = APIRouter(include_in_schema=False, dependencies=[Depends(require_dashboard_read)])
    # Batches first: /batches/compare must win over /batches/{batch_id}.
    routes_batches.register(router, dash)
    routes_runs.register(router, dash)
    routes_analysis.register(router, dash)
    routes_suites.register(router, dash, suites_dir=suites_dir)
    routes_specialists.register(router, dash, snapshots_dir=snapshots_dir)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="dashboard-static")
