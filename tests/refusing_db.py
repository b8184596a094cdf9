"""Make the database itself refuse one run id, for tests of writes the database rejects."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from zebench.store import SqlStore


@contextmanager
def refusing(store: SqlStore, run_id: str) -> Iterator[None]:
    """While inside, inserting ``run_id`` raises an integrity error (a trigger on ``runs``).

    The trigger is dropped again at the end: the PostgreSQL test database is shared by the session.
    """
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse BEFORE INSERT ON runs WHEN NEW.run_id = '{run_id}' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.run_id = '{run_id}' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; "
                    "END IF; RETURN NEW; END $$"
                )
            )
            conn.execute(
                text("CREATE TRIGGER refuse BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION refuse()")
            )
    try:
        yield
    finally:
        with store.engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            conn.execute(text("DROP TRIGGER refuse" + (" ON runs" if postgres else "")))
            if postgres:
                conn.execute(text("DROP FUNCTION refuse()"))
