"""Opening the store: migrations, URLs, errors and concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from store_helpers import full_run, simple_run

from pg import create_database
from zebench.errors import StoreError
from zebench.store import default_db_url, open_store, upgrade_database
from zebench.store.engine import parse_db_url
from zebench.store.migrate import HEAD_REVISION, head_revision
from zebench.store.schema import metadata

TABLES = {
    "alembic_version",
    "batches",
    "runs",
    "evaluations",
    "telemetry",
    "artifacts",
    "controls",
    "run_rollup",
    "eval_rollup",
    "run_batch_cells",
    "test_summaries",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh' / 'z.db'}"
    name = f"fresh_{abs(hash(request.node.nodeid)) % 10**9}"
    return create_database(request.getfixturevalue("postgres_url"), name)


def test_head_constant_matches_the_scripts() -> None:
    assert head_revision() == HEAD_REVISION


def test_migrations_create_the_schema_and_are_idempotent(empty_url: str) -> None:
    upgrade_database(empty_url)
    upgrade_database(empty_url)  # second time: a no-op
    engine = create_engine(parse_db_url(empty_url))
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == TABLES
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD_REVISION
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []  # migration and models agree
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("runs")}
        assert {
            "ix_runs_started_at",
            "ix_runs_batch_started",
            "ix_runs_total_score",
            "ix_runs_agent_model",
        } <= indexes
    finally:
        engine.dispose()
    with open_store(empty_url) as store:
        store.save_run(full_run())
        assert store.get_run("run_full_1").attempt == 2


def test_open_without_migrating_leaves_the_database_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'z.db'}"
    open_store(url, migrate=False).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


# Run in a fresh interpreter: which modules opening a store imports is the point of the test.
_OPEN_AND_USE = """
import json, sys
from datetime import UTC, datetime
from zebench.results.models import RunRecord
from zebench.store import open_store

with open_store(sys.argv[1]) as store:
    store.save_run(RunRecord(run_id="r1", batch_id="b1", suite="s", scenario="sc", tier="L1", agent="echo",
                             started_at=datetime.now(UTC)))
    assert store.list_runs().total == 1
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_opening(url: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _OPEN_AND_USE, url], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(proc.stdout))


def test_a_store_at_head_opens_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'z.db'}"
    upgrade_database(url)
    modules = _modules_after_opening(url)
    assert "sqlalchemy" in modules
    assert not {m for m in modules if m.split(".")[0] in ("alembic", "mako")}
    # Core only, and only the dialect in use: the ORM and PostgreSQL's dialect are not needed.
    assert "sqlalchemy.orm" not in modules
    assert "sqlalchemy.dialects.postgresql" not in modules


def test_a_store_behind_head_is_migrated_on_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'z.db'}"
    assert "alembic" in _modules_after_opening(url)  # a new database: Alembic creates the schema
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD_REVISION
    engine.dispose()


def test_a_database_from_a_newer_zebench_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'z.db'}"
    upgrade_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert "cannot migrate database" in str(info.value)
    assert "newer zebench" in (info.value.hint or "")


def test_in_memory_sqlite_works() -> None:
    with open_store("sqlite://") as store:
        store.save_run(simple_run("r1"))
        assert store.list_runs().total == 1


def test_default_db_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ZEBENCH_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_db_url() == f"sqlite:///{tmp_path / 'results' / 'zebench.db'}"
    assert (tmp_path / "results").is_dir()
    monkeypatch.setenv("ZEBENCH_DB_URL", "postgresql://u@h/db")
    assert default_db_url() == "postgresql://u@h/db"


@pytest.mark.parametrize("raw", ["postgres://u:pw@h:5432/db", "postgresql://u:pw@h:5432/db"])
def test_postgres_urls_use_psycopg(raw: str) -> None:
    url = parse_db_url(raw)
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("h", 5432, "db")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a url", "invalid database URL"),
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        (
            "postgresql://postgres:secret@127.0.0.1:1/x",
            "cannot open database postgresql+psycopg://postgres:***@127.0.0.1:1/x",
        ),
        ("sqlite:////proc/zebench/nope.db", "zebench/nope.db"),
    ],
)
def test_bad_urls_give_one_line_store_errors(raw: str, message: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(raw)
    line = str(info.value)
    assert message in line
    assert "\n" not in line and "secret" not in line


def test_concurrent_thread_writers_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'z.db'}"
    errors: list[BaseException] = []
    with open_store(url) as store:

        def writer(t: int) -> None:
            try:
                for i in range(15):
                    store.save_run(simple_run(f"t{t}_{i}", batch_id=f"b{t % 2}"))
                    store.list_runs(limit=5)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []
        assert store.stats().runs == 120


def _process_writer(url: str, worker: int) -> None:
    with open_store(url) as store:
        for i in range(20):
            store.save_run(simple_run(f"p{worker}_{i}", batch_id="shared"))


@pytest.mark.skipif(sys.platform == "win32", reason="fork-free spawn is slow on Windows")
def test_concurrent_process_writers_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'z.db'}"  # not migrated yet: the processes race to migrate too
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(url, w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    with open_store(url) as store:
        assert store.get_batch("shared").summary.runs == 80
