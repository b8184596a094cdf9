"""Keyset (cursor) pagination: stable under ties and NULLs, and one index range scan per page.

A page is ordered by (sort column, run_id), both in the requested direction. Rows whose sort value
is NULL come after every non-NULL row in both directions; they form a second "phase" ordered by
run_id alone. The cursor is an opaque base64 token of the last row's (phase, value, key).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, Select, literal, tuple_
from sqlalchemy.sql.elements import KeyedColumnElement

from zebench.errors import StoreError

MAX_PAGE = 500


class Cursor(BaseModel):
    """The position after the last row of a page."""

    sort: str
    phase: Literal[0, 1]  # 0: rows with a sort value; 1: rows whose sort value is NULL
    value: float | int | str | None = None
    is_time: bool = False  # the value is a datetime, travelling as ISO text
    key: str


def encode_cursor(cursor: Cursor) -> str:
    """The opaque token for ``cursor``."""
    return base64.urlsafe_b64encode(cursor.model_dump_json().encode()).decode().rstrip("=")


def decode_cursor(token: str, sort: str) -> Cursor:
    """Parse a token made by encode_cursor for the same sort; raises StoreError."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        cursor = Cursor.model_validate(json.loads(raw))
    except (binascii.Error, ValueError, ValidationError, UnicodeDecodeError):
        raise StoreError(
            f"invalid page cursor {token[:40]!r}", field="cursor", hint="start from the first page"
        ) from None
    if cursor.sort != sort:
        raise StoreError(
            f"the page cursor was made for sort {cursor.sort!r}, not {sort!r}",
            field="cursor",
            hint="start from the first page when changing the sort",
        )
    return cursor


def clamp_limit(limit: int) -> int:
    """A page size between 1 and MAX_PAGE."""
    return max(1, min(int(limit), MAX_PAGE))


def _value_from_cursor(cursor: Cursor) -> Any:
    if cursor.is_time and isinstance(cursor.value, str):
        return datetime.fromisoformat(cursor.value)
    return cursor.value


def keyset_page(
    base: Select[Any],
    *,
    sort_name: str,
    column: KeyedColumnElement[Any],
    key: KeyedColumnElement[Any],
    descending: bool,
    nullable: bool,
    limit: int,
    cursor: str | None,
    execute: Any,
    plan: Callable[[int, Select[Any]], Select[Any] | None] | None = None,
) -> tuple[list[Any], str | None]:
    """Fetch one page of ``base`` after ``cursor``; returns the rows and the next cursor (or None).

    ``base`` must select ``column`` and ``key`` (under their own names); ``execute`` runs a
    Select and returns a list of rows. At most two queries run: the valued rows, then NULLs.
    ``plan(phase, query)`` may rewrite a phase's query (index hints) or return None when it is
    known to match no row, so it is not run at all.
    """

    def run(phase: int, q: Select[Any]) -> list[Any]:
        planned = plan(phase, q) if plan is not None else q
        return [] if planned is None else list(execute(planned))

    limit = clamp_limit(limit)
    pos = decode_cursor(cursor, sort_name) if cursor else None

    def ordered(col: ColumnElement[Any]) -> ColumnElement[Any]:
        return col.desc() if descending else col.asc()

    def after(lhs: ColumnElement[Any], rhs: Any) -> ColumnElement[bool]:
        return lhs < rhs if descending else lhs > rhs

    rows: list[Any] = []
    if pos is None or pos.phase == 0:
        q = base.where(column.is_not(None)) if nullable else base
        if pos is not None:
            value = _value_from_cursor(pos)
            # Bind with the columns' own types so e.g. UTC timestamps compare as stored.
            bound = tuple_(literal(value, type_=column.type), literal(pos.key, type_=key.type))
            q = q.where(after(tuple_(column, key), bound))
        rows = run(0, q.order_by(ordered(column), ordered(key)).limit(limit + 1))
    if nullable and len(rows) <= limit:
        q = base.where(column.is_(None))
        if pos is not None and pos.phase == 1:
            q = q.where(after(key, literal(pos.key, type_=key.type)))
        rows += run(1, q.order_by(ordered(key)).limit(limit + 1 - len(rows)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]._mapping
    value = last[column.key]
    is_time = isinstance(value, datetime)
    next_cursor = Cursor(
        sort=sort_name,
        phase=1 if value is None else 0,
        value=value.isoformat() if is_time else value,
        is_time=is_time,
        key=last[key.key],
    )
    return rows, encode_cursor(next_cursor)
