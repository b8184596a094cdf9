"""``serve``: migrate the database, then run the API under uvicorn (what ``zebench serve`` calls)."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from zebench.server.app import create_app
from zebench.server.settings import ServerSettings, check_settings


def serve(
    db_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8787,
    *,
    api_key: str | None = None,
    read_key: str | None = None,
    cors_origins: list[str] | None = None,
    max_body_bytes: int | None = None,
    log_level: str = "info",
    suites_dir: Path | None = None,
) -> None:
    """Run the results server until interrupted.

    Keys default to ``ZE_BENCHMARKS_API_KEY`` / ``ZEBENCH_READ_KEY``. Raises StoreError (one line,
    before anything is migrated or bound) when asked to listen beyond loopback without an API key.
    ``suites_dir`` is the suites folder the dashboard lists (see ``mount_dashboard``).
    """
    from zebench.store import default_db_url, open_store, upgrade_database

    settings = ServerSettings.from_env(
        host=host,
        port=port,
        api_key=api_key,
        read_key=read_key,
        cors_origins=cors_origins,
        max_body_bytes=max_body_bytes,
    )
    check_settings(settings)
    url = db_url or default_db_url()
    upgrade_database(url)
    store = open_store(url)
    try:
        app = create_app(store, settings, suites_dir=suites_dir)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, server_header=False)
    finally:
        store.close()
