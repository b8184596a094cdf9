"""``match_ids`` in SQL: the stored run or batch ids a shortened id can stand for.

The exact id is one primary-key probe. Otherwise the ids that start or end with the query are
found by comparing ``substr`` of the id column, which is exact and case-sensitive on SQLite and
PostgreSQL alike (``LIKE`` is case-insensitive on SQLite and depends on the collation for index
use on PostgreSQL); it reads the whole primary-key index, a few milliseconds at 100k runs, and
only runs when the exact probe missed.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select

from zebench.store import schema
from zebench.store.queries import IdKind, IdMatches

_COLUMNS = {"run": schema.runs.c.run_id, "batch": schema.batches.c.batch_id}


def match_ids(conn: Connection, kind: IdKind, query: str, limit: int) -> IdMatches:
    """The stored ids of ``kind`` that are, start with or end with ``query``; at most ``limit``."""
    column = _COLUMNS[kind]
    if conn.execute(select(column).where(column == query)).first() is not None:
        return IdMatches(kind=kind, query=query, exact=True, ids=[query])
    size = len(query)
    starts = func.substr(column, 1, size) == query
    ends = (func.length(column) >= size) & (func.substr(column, func.length(column) - size + 1) == query)
    found = list(
        conn.execute(
            select(column).where(or_(starts, ends)).order_by(column.desc()).limit(limit + 1)
        ).scalars()
    )
    return IdMatches(kind=kind, query=query, ids=found[:limit], more=len(found) > limit)
