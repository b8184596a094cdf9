"""The session-scoped ``postgres_url`` fixture: one throwaway PostgreSQL server per test session.

Register it from a conftest with ``from conftest_pg import postgres_url`` (``tests/`` on sys.path).
Skips when the binaries are missing, unless ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pg import PostgresUnavailable, start_postgres

# One server per process even if several conftests register the fixture.
_SERVER: dict[str, str] = {}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The SQLAlchemy URL of a running PostgreSQL server (superuser ``postgres``, database ``postgres``)."""
    if "url" in _SERVER:
        yield _SERVER["url"]
        return
    try:
        url, stop = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but PostgreSQL is unavailable: {exc}")
        pytest.skip(str(exc))
    _SERVER["url"] = url
    try:
        yield url
    finally:
        _SERVER.pop("url", None)
        stop()
