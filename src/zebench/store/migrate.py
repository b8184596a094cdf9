"""Alembic migrations, run programmatically: no alembic.ini, the scripts ship inside the package.

Opening a store checks the database's revision with a plain query and imports Alembic only when
there is something to migrate: Alembic (with Mako and Pygments) costs ~0.1 s of every CLI start-up
otherwise, and a database at head needs none of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from zebench.errors import StoreError
from zebench.store.engine import SQLITE_BEGIN, create_store_engine, display_url, first_line, parse_db_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision this code knows: the one place it is written. Opening a store compares the
# database with it instead of asking Alembic; a test checks it equals the script directory's head,
# so adding a migration without updating it fails the suite.
HEAD_REVISION = "0004"
# Any constant works: it only has to be the same in every zebench process migrating this database.
_PG_MIGRATION_LOCK = 0x7A6562656E6368


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migration scripts."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The head revision of the packaged scripts (reads the scripts; slower than HEAD_REVISION)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at, or None when it was never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_database(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (``alembic upgrade head``); idempotent."""
    engine = create_store_engine(parse_db_url(url))
    try:
        upgrade_engine(engine)
    finally:
        engine.dispose()


def upgrade_engine(engine: Engine) -> None:
    """Migrate through an existing engine, serialised against other processes doing the same."""
    try:
        # Cheap check first, without the write lock or Alembic: opening the store must stay fast.
        with engine.connect() as conn:
            if current_revision(conn) == HEAD_REVISION:
                return
        with engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: True})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
                # Re-read under the lock: another process may have migrated meanwhile.
                if current_revision(conn) == HEAD_REVISION:
                    return
                _alembic_upgrade(conn)
    except (OperationalError, DBAPIError) as exc:
        raise StoreError(
            f"cannot open database {display_url(engine.url)}: {first_line(exc)}",
            hint="check the URL, that the server is running and that you may connect",
        ) from None


def _alembic_upgrade(conn: Connection) -> None:
    """``alembic upgrade head`` on ``conn``, inside its (locked) transaction."""
    from alembic import command
    from alembic.util import CommandError

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    try:
        command.upgrade(cfg, "head")
    except CommandError as exc:
        raise StoreError(
            f"cannot migrate database {display_url(conn.engine.url)}: {first_line(exc)}",
            hint="the database may have been written by a newer zebench; upgrade zebench",
        ) from None
