"""What a newcomer needs after ``zebench bench``: where the results are and how to look at them."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from zebench.cli.context import remote_url
from zebench.cli.render import legend

DASHBOARD_URL = "http://127.0.0.1:8787"  # zebench serve's default host and port


def where_stored(db: str | None) -> tuple[str, str]:
    """(where this bench stored its results, how to open the dashboard over them)."""
    import os

    server = remote_url(db)
    if server:
        return f"the results server {server}", f"open {server.rstrip('/')}/"
    from zebench.store.engine import ENV_DB_URL, display_url, parse_db_url

    url = db or os.environ.get(ENV_DB_URL, "").strip()
    if not url:
        return "results/zebench.db (relative to this folder)", f"zebench serve, then open {DASHBOARD_URL}"
    parsed = parse_db_url(url)
    shown = (
        parsed.database if parsed.get_backend_name() == "sqlite" and parsed.database else display_url(parsed)
    )
    flag = "" if db is None else f" --db {db if parsed.password is None else 'URL'}"
    return str(shown), f"zebench serve{flag}, then open {DASHBOARD_URL}"


def print_onward(console: Console, batch_id: str, db: str | None, *, panels: bool) -> None:
    """The legend (under results panels), where the results are, how to see them again and the dashboard."""
    if panels:
        console.print(legend())
    stored, serve = where_stored(db)
    console.print(Text.assemble(("Stored in ", "dim"), stored), soft_wrap=True)
    console.print(
        Text.assemble(
            ("Again: ", "dim"), f"zebench batch {batch_id}", ("  ·  every run: ", "dim"), "zebench runs"
        ),
        soft_wrap=True,
    )
    console.print(Text.assemble(("Dashboard: ", "dim"), serve), soft_wrap=True)
