"""Database URLs and engines: the default location, driver rewriting, SQLite tuning, clear errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from zebench.errors import StoreError

ENV_DB_URL = "ZEBENCH_DB_URL"
# An execution option asking a SQLite transaction to take the write lock up front (BEGIN IMMEDIATE).
SQLITE_BEGIN = "zebench_sqlite_begin"


def default_db_url() -> str:
    """The store URL to use when none is given: ``$ZEBENCH_DB_URL`` or ``./results/zebench.db``."""
    env = os.environ.get(ENV_DB_URL, "").strip()
    if env:
        return env
    path = Path.cwd() / "results" / "zebench.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def parse_db_url(url: str) -> URL:
    """Parse a store URL, pointing PostgreSQL URLs at the psycopg 3 driver; raises StoreError."""
    raw = url.strip()
    if raw.startswith("postgres://"):  # Heroku-style spelling
        raw = "postgresql://" + raw[len("postgres://") :]
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise StoreError(
            f"invalid database URL {raw!r}",
            field=ENV_DB_URL,
            hint="use sqlite:///path/to/zebench.db or postgresql://user@host:5432/db",
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported database {parsed.get_backend_name()!r} in {display_url(parsed)}",
            field=ENV_DB_URL,
            hint="zebench stores results in SQLite or PostgreSQL",
        )
    return parsed


def display_url(url: URL | str) -> str:
    """The URL with its password hidden, for messages."""
    parsed = url if isinstance(url, URL) else make_url(url)
    return parsed.render_as_string(hide_password=True)


def is_memory_sqlite(url: URL) -> bool:
    """Whether the URL is an in-memory SQLite database (lives only as long as its one connection)."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_store_engine(url: URL) -> Engine:
    """An engine tuned for concurrent writers: SQLite in WAL mode with a long busy timeout."""
    kwargs: dict[str, Any] = {"future": True}
    if url.get_backend_name() == "sqlite":
        if is_memory_sqlite(url):
            # One shared connection, or every new connection would see an empty database.
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            assert url.database is not None
            folder = Path(url.database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder of database {display_url(url)}: {exc.strerror or exc}",
                    field=ENV_DB_URL,
                    hint="point the URL at a writable path",
                ) from None
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs.update(pool_pre_ping=True, connect_args={"connect_timeout": 10})
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"cannot use database {display_url(url)}: {first_line(exc)}",
            hint="PostgreSQL needs the psycopg package: pip install 'zebench[postgres]'",
        ) from None
    if url.get_backend_name() == "sqlite":
        _tune_sqlite(engine)
    return engine


class _HintingSQLiteCompiler(SQLiteCompiler):
    """SQLite's compiler, rendering ``Select.with_hint(table, "INDEXED BY ix", "sqlite")`` after the table.

    Stock SQLAlchemy drops table hints on SQLite. Without statistics the SQLite planner cannot
    tell a filter matching half the runs from one matching ten, so the store names the index
    itself where it knows better (see ``zebench.store.plans``).
    """

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text


def _tune_sqlite(engine: Engine) -> None:
    # Per engine (a dialect instance attribute), so no other SQLite user of SQLAlchemy is affected.
    engine.dialect.statement_compiler = _HintingSQLiteCompiler

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself, so writers can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # WAL: readers never block the writer; parallel runs write from threads and processes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # A batch's rows are scattered through a large file; each connection's default 2 MB page
            # cache missed on almost every page. Memory-mapping reads them straight from the OS cache.
            cursor.execute("PRAGMA mmap_size=1073741824")
            cursor.execute("PRAGMA cache_size=-32768")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads first and writes later cannot wait for the lock
        # (SQLITE_BUSY at once), so write transactions take it immediately and wait busy_timeout.
        mode = "IMMEDIATE" if conn.get_execution_options().get(SQLITE_BEGIN) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, for one-line errors."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
