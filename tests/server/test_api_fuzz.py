"""Schemathesis over the OpenAPI document: no generated request may produce a server error, and
every answer must have a declared status, content type and (where one is declared) body schema.

The write endpoints are also judged against the number ranges (``range_rules``): a generated run,
bulk item or batch holding a score, weight, cost, count or duration out of range must get a 422
naming it, one in range must never be refused for it; and after every write, whatever it stored,
the stats endpoints still answer 200 with standard JSON.

Runs against SQLite and, when the binaries exist, PostgreSQL: the two reject different inputs
(PostgreSQL: NUL bytes, out-of-range integers, over-long VARCHARs), so both must be covered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from range_rules import BATCH_RULES, RUN_RULES, check_answer
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore

STATS = [
    "/api/stats",
    "/api/stats/agents",
    "/api/stats/scenarios",
    "/api/stats/evaluators",
    "/api/stats/costs",
]


@pytest.fixture
def sqlite_app(store: SqlStore) -> FastAPI:
    return create_app(store, ServerSettings())


@pytest.fixture
def postgres_app(pg_store: SqlStore) -> FastAPI:
    return create_app(pg_store, ServerSettings())


@pytest.fixture
def sqlite_schema(sqlite_app: FastAPI) -> Iterator[schemathesis.BaseSchema]:
    yield _schema(sqlite_app)


@pytest.fixture
def postgres_schema(postgres_app: FastAPI) -> Iterator[schemathesis.BaseSchema]:
    yield _schema(postgres_app)


def _schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


sqlite_api = schemathesis.pytest.from_fixture("sqlite_schema")
postgres_api = schemathesis.pytest.from_fixture("postgres_schema")


def _answer(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def ranges_hold(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """Out-of-range numbers in a write are a 422 naming them; in-range ones are never refused."""
    if case.method.upper() != "POST" or not isinstance(case.body, dict):
        return
    status, answer, path = response.status_code, _answer(response), case.operation.path
    if path == "/api/results":
        check_answer(case.body, status, answer, RUN_RULES)
    elif path == "/api/results/batch":
        check_answer(case.body, status, answer, BATCH_RULES)
    elif path == "/api/results:batch" and status == 200:
        for item, result in zip(case.body["runs"], answer["results"], strict=True):
            check_answer(item, result["status"], result, RUN_RULES)


def _refuse_constant(token: str) -> None:
    raise AssertionError(f"non-standard JSON number {token}")


def stats_stay_ok(app: FastAPI, case: schemathesis.Case) -> None:
    """Whatever a write stored, every stats endpoint answers 200 with standard JSON."""
    if case.method.upper() != "POST":
        return
    with TestClient(app) as client:
        for url in STATS:
            r = client.get(url)
            assert r.status_code == 200, (url, r.text[:300])
            json.loads(r.text, parse_constant=_refuse_constant)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ranges_hold,
]

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
def test_no_server_errors_on_sqlite(case: schemathesis.Case, sqlite_app: FastAPI) -> None:
    case.call_and_validate(checks=CHECKS)
    stats_stay_ok(sqlite_app, case)


@pytest.mark.postgres
@postgres_api.parametrize()
@BUDGET
def test_no_server_errors_on_postgres(case: schemathesis.Case, postgres_app: FastAPI) -> None:
    case.call_and_validate(checks=CHECKS)
    stats_stay_ok(postgres_app, case)
