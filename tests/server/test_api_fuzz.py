"""Schemathesis over the OpenAPI document: no generated request may produce a server error, and
every answer must have a declared status, content type and (where one is declared) body schema.

Runs against SQLite and, when the binaries exist, PostgreSQL: the two reject different inputs
(PostgreSQL: NUL bytes, out-of-range integers, over-long VARCHARs), so both must be covered.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore


@pytest.fixture
def sqlite_schema(store: SqlStore) -> Iterator[schemathesis.BaseSchema]:
    yield _schema(create_app(store, ServerSettings()))


@pytest.fixture
def postgres_schema(pg_store: SqlStore) -> Iterator[schemathesis.BaseSchema]:
    yield _schema(create_app(pg_store, ServerSettings()))


def _schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


sqlite_api = schemathesis.pytest.from_fixture("sqlite_schema")
postgres_api = schemathesis.pytest.from_fixture("postgres_schema")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

BUDGET = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


@sqlite_api.parametrize()
@BUDGET
def test_no_server_errors_on_sqlite(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@pytest.mark.postgres
@postgres_api.parametrize()
@BUDGET
def test_no_server_errors_on_postgres(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
