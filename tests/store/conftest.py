"""Store test fixtures: a fresh, migrated store per test on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

# tests/pg.py and tests/conftest_pg.py are shared helpers one directory up.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest_pg import postgres_url
from pg import create_database
from zebench.store import SqlStore, open_store, upgrade_database

__all__ = ["postgres_url"]

STORE_TABLES = (
    "controls",
    "artifacts",
    "telemetry",
    "evaluations",
    "runs",
    "batches",
    "run_rollup",
    "eval_rollup",
    "run_batch_cells",
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied per test (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "zebench.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_store_url(postgres_url: str) -> str:
    """One migrated PostgreSQL database shared by the session's store tests (emptied per test)."""
    url = create_database(postgres_url, "zebench_store_tests")
    upgrade_database(url)
    return url


@pytest.fixture
def pg_db_url(request: pytest.FixtureRequest) -> str:
    """The shared PostgreSQL store database, emptied (CREATE DATABASE per test costs ~1 s)."""
    url: str = request.getfixturevalue("pg_store_url")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(STORE_TABLES)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, migrated, empty store database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "zebench.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_db_url")
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    """An open store on a fresh database."""
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()
