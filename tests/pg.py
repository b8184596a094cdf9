"""A throwaway PostgreSQL server for tests: ``start_postgres() -> (url, stop)``.

Runs the Debian ``postgresql`` binaries (``$ZEBENCH_PG_BIN`` or /usr/lib/postgresql/<ver>/bin) in a
private data directory on 127.0.0.1 and a free port, with fsync off. As root the server runs as the
``postgres`` user (PostgreSQL refuses root). Import this from any test directory; the session
fixture lives in ``tests/conftest_pg.py``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed here."""


def find_pg_bin() -> Path:
    """The directory holding initdb and pg_ctl; raises PostgresUnavailable."""
    candidates = [os.environ.get("ZEBENCH_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for cand in candidates:
        if cand and (Path(cand) / "initdb").is_file() and (Path(cand) / "pg_ctl").is_file():
            return Path(cand)
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (install postgresql or set ZEBENCH_PG_BIN)"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def start_postgres(base_dir: Path | None = None, *, attempts: int = 3) -> tuple[str, Callable[[], None]]:
    """Start a server; returns its SQLAlchemy URL (database ``postgres``) and a function that stops it.

    ``base_dir`` must be traversable by the ``postgres`` user when running as root (pytest's
    tmp_path is not: /tmp/pytest-of-root is 0700), so by default a fresh /tmp directory is used.
    """
    pg_bin = find_pg_bin()
    root = Path(tempfile.mkdtemp(prefix="zebench-pg-", dir=base_dir))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    sock.mkdir()
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")

    def run(argv: list[str]) -> None:
        proc = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.strip()}\n{tail}")

    run([str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
    port = 0
    for attempt in range(attempts):  # the free port can be taken between probe and bind
        port = free_port()
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        try:
            run(
                [
                    str(pg_bin / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            )
            break
        except RuntimeError:
            if attempt == attempts - 1:
                shutil.rmtree(root, ignore_errors=True)
                raise

    def stop() -> None:
        subprocess.run(
            _as_server_user([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


def create_database(server_url: str, name: str) -> str:
    """Create an empty database ``name`` on the server at ``server_url``; returns its SQLAlchemy URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
