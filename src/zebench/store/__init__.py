"""The results store: SQLAlchemy 2 with Alembic migrations; SQLite by default, PostgreSQL for teams.

``open_store(url)`` returns a ``SqlStore`` (the ``ResultStore`` protocol), migrated to the newest
schema. Query result shapes live in ``zebench.store.queries``.
"""

from zebench.store.base import ResultStore
from zebench.store.engine import default_db_url
from zebench.store.migrate import upgrade_database
from zebench.store.sql_store import SqlStore, open_store

__all__ = ["ResultStore", "SqlStore", "default_db_url", "open_store", "upgrade_database"]
