"""Fixtures for the results API: a real SQLite store (and PostgreSQL when available) behind the app."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# tests/pg.py and tests/conftest_pg.py (the store engineer's PostgreSQL helpers) live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest_pg import postgres_url
from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore, open_store, upgrade_database

__all__ = ["postgres_url"]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied per test (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("api-template") / "zebench.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def store(tmp_path: Path, migrated_sqlite: Path) -> Iterator[SqlStore]:
    """A fresh SQLite store for one test."""
    path = tmp_path / "api.db"
    shutil.copy(migrated_sqlite, path)
    s = open_store(f"sqlite:///{path}", migrate=False)
    yield s
    s.close()


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[SqlStore]:
    """A fresh, migrated PostgreSQL database on the session's throwaway server."""
    name = f"api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    s = open_store(url)
    yield s
    s.close()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def make_client(store: SqlStore) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient for an app with the given settings over the test's store."""
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        client = TestClient(create_app(store, ServerSettings(**settings)), raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A loopback server with no keys: reads and writes open, as for a local `zebench serve`."""
    return make_client()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest) -> SqlStore:
    """The test's fresh store on each backend: SQLite, and PostgreSQL where its binaries exist."""
    s: SqlStore = request.getfixturevalue("store" if request.param == "sqlite" else "pg_store")
    return s


@pytest.fixture
def any_client(any_store: SqlStore) -> Iterator[TestClient]:
    """An unkeyed loopback server (writes open) over ``any_store``."""
    with TestClient(create_app(any_store, ServerSettings()), raise_server_exceptions=False) as c:
        yield c
