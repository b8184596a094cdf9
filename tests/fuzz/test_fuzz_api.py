"""Schemathesis over every endpoint of the results API with the write and read keys configured.

The server engineer's suite fuzzes an open (keyless, loopback) server; this one sends the keys, so
the authenticated write paths (POST /api/results, /batch, ...) see generated bodies too, on SQLite
and on PostgreSQL (via tests/conftest_pg.py's throwaway server).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore, open_store, upgrade_database

WRITE_KEY = "fuzz-write-key-0123456789"
READ_KEY = "fuzz-read-key-0123456789"
HEADERS = {"Authorization": f"Bearer {WRITE_KEY}"}
BUDGET = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


def _schema(store: SqlStore) -> schemathesis.BaseSchema:
    app = create_app(store, ServerSettings(api_key=WRITE_KEY, read_key=READ_KEY))  # type: ignore[arg-type]
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz-api") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_schema(tmp_path: Path, migrated: Path) -> Iterator[schemathesis.BaseSchema]:
    shutil.copy(migrated, tmp_path / "api.db")
    store = open_store(f"sqlite:///{tmp_path / 'api.db'}", migrate=False)
    yield _schema(store)
    store.close()


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[schemathesis.BaseSchema]:
    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    store = open_store(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    yield _schema(store)
    store.close()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


sqlite_api = schemathesis.pytest.from_fixture("sqlite_schema")
postgres_api = schemathesis.pytest.from_fixture("postgres_schema")


@sqlite_api.parametrize()
@BUDGET
def test_authenticated_api_on_sqlite(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=HEADERS, checks=[not_a_server_error])


@pytest.mark.postgres
@postgres_api.parametrize()
@BUDGET
def test_authenticated_api_on_postgres(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=HEADERS, checks=[not_a_server_error])


@sqlite_api.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_wrong_key_is_refused_never_a_server_error(case: schemathesis.Case) -> None:
    response = case.call(headers={"Authorization": "Bearer wrong-key-000000000"})
    assert response.status_code < 500
    if case.path.startswith("/api") and "health" not in case.path:
        # A malformed body may be refused (400/422) before the key is checked; nothing is ever served.
        assert not 200 <= response.status_code < 300, (case.method, case.path, response.status_code)
