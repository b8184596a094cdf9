"""The results store: SQLAlchemy 2 with Alembic migrations; SQLite by default, PostgreSQL for teams.

``open_store(url)`` returns a ``SqlStore`` (the ``ResultStore`` protocol), migrated to the newest
schema. Query result shapes live in ``zebench.store.queries``.

The names below are imported on first use (PEP 562): importing ``zebench.store.base`` or
``zebench.store.queries`` for their types must not pull in SQLAlchemy and Alembic, which cost
about a second of CLI start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zebench._lazy import load_lazy

if TYPE_CHECKING:
    from zebench.store.base import ResultStore
    from zebench.store.engine import default_db_url
    from zebench.store.migrate import upgrade_database
    from zebench.store.sql_store import SqlStore, open_store

_LAZY = {
    "ResultStore": "zebench.store.base",
    "default_db_url": "zebench.store.engine",
    "upgrade_database": "zebench.store.migrate",
    "SqlStore": "zebench.store.sql_store",
    "open_store": "zebench.store.sql_store",
}

__all__ = ["ResultStore", "SqlStore", "default_db_url", "open_store", "upgrade_database"]


def __getattr__(name: str) -> Any:
    return load_lazy(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
