"""The FastAPI application factory of the results server."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from zebench import __version__
from zebench.dashboard import mount_dashboard
from zebench.server.errors import install_error_handlers
from zebench.server.limits import BodyLimitMiddleware
from zebench.server.render import FastJSONResponse
from zebench.server.routes import batches, health, ids, results, runs, stats
from zebench.server.settings import ServerSettings, check_settings
from zebench.store.base import ResultStore

DOCS_STATIC_URL = "/static-docs"
DESCRIPTION = """\
Results API of zebench. JSON uses camelCase with the original ze-benchmarks Worker API's field
names, so existing clients keep working.

* Writes need `Authorization: Bearer <key>` (401 without it, 403 with a wrong one). A server with
  no key accepts writes only on a loopback address.
* Reads are open unless a read key is configured (then the read or the write key).
* Every error is `{"error": str, "details"?: ...}`; malformed JSON is a 400, validation a 422
  whose `error` names the field, bodies above the limit a 413.
* `POST /api/results:batch` stores many runs in one transaction and answers each run as
  `POST /api/results` would have, in a 200 (see its description).
"""


def create_app(
    store: ResultStore, settings: ServerSettings | None = None, *, suites_dir: Path | None = None
) -> FastAPI:
    """The results API over ``store``, with the dashboard (``suites_dir``: see ``mount_dashboard``).
    More routers can be added with ``app.include_router``; ``app.state.store`` and
    ``app.state.settings`` are available to them.

    Raises StoreError for settings that would expose writes without a key (see check_settings).
    """
    settings = settings or ServerSettings()
    check_settings(settings)
    # FastAPIOffline serves Swagger UI (/docs) from files shipped in its package, not from a CDN, so
    # the API docs work on an air-gapped machine. No ReDoc: its bundle fetches its logo from a CDN.
    app = FastAPIOffline(
        redoc_url=None,
        title="zebench results API",
        version=__version__,
        description=DESCRIPTION,
        static_url=DOCS_STATIC_URL,
        favicon_url="/static/favicon.svg",
        # A NaN or infinity that reaches an answer is null, never a 500.
        default_response_class=FastJSONResponse,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.write_lock = threading.Lock()
    install_error_handlers(app)
    for module in (health, results, runs, batches, ids, stats):
        app.include_router(module.router)
    # Added last = outermost: size is checked before routing, CORS headers wrap every answer.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    mount_dashboard(app, store, suites_dir=suites_dir)
    return app
