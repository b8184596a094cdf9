"""Fixtures for the dashboard tests: a seeded SQLite store, the real app under uvicorn, Chromium."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_kit import PageProbe, _serve
from dashboard_seed import seed

from zebench.server import create_app
from zebench.store import SqlStore, open_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """A real SQLite store with the seed data; shared by a module's read-only tests."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('dash') / 'zebench.db'}")
    seed(store)
    yield store
    store.close()


@pytest.fixture
def fresh_store(tmp_path: Path) -> Iterator[SqlStore]:
    """A seeded store of its own, for tests that write (live refresh)."""
    store = open_store(f"sqlite:///{tmp_path / 'zebench.db'}")
    seed(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(seeded_store: SqlStore) -> TestClient:
    """The real results app (API + dashboard) in-process."""
    return TestClient(create_app(seeded_store))


@pytest.fixture
def serve() -> Iterator[Callable[[SqlStore], str]]:
    """Start the real app on a free loopback port in a background thread; stopped after the test."""
    started: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(store: SqlStore) -> str:
        server, thread, url = _serve(store)
        started.append((server, thread))
        return url

    yield start
    for server, thread in started:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(seeded_store: SqlStore) -> Iterator[str]:
    """The seeded app served over HTTP for the whole module."""
    server, thread, url = _serve(seeded_store)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium via Playwright; skipped without it unless CI=true."""
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing on CI; install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def probe(browser: Any) -> Iterator[PageProbe]:
    """A fresh browser context and page with error and dialog recording."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield PageProbe(page)
    context.close()
