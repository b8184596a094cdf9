"""Commands around the results server and LLM plumbing: serve, db, sync, fake-llm, models."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zebench.cli.context import API_KEY_ENV, WORKER_URL_ENV, console
from zebench.errors import StoreError

db_app = typer.Typer(help="Manage the results database.", no_args_is_help=True)


def serve(
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default results/zebench.db).")] = None,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8787,
    suites_dir: Annotated[
        Path | None,
        typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR", help="Suites the dashboard lists."),
    ] = None,
) -> None:
    """Serve the results API and the dashboard. Migrations apply on start."""
    from zebench.scenarios import discover_suites
    from zebench.server import serve as run_server

    if suites_dir is not None:
        discover_suites(suites_dir)  # a missing folder is bad input: one line and exit 2, before binding
    run_server(db, host=host, port=port, suites_dir=suites_dir)


@db_app.command("upgrade")
def db_upgrade(db: Annotated[str | None, typer.Option("--db")] = None) -> None:
    """Apply the database migrations."""
    from zebench.store import default_db_url, upgrade_database

    url = db or default_db_url()
    upgrade_database(url)
    console.print(f"database is up to date: {url}")


def sync() -> None:
    """Deliver runs waiting in the local outbox to the results server."""
    from zebench.cli.sinks import key_refused
    from zebench.client import KeyRejectedError, Outbox, ResultsClient
    from zebench.client import sync as sync_outbox

    url = os.environ.get(WORKER_URL_ENV)
    if not url:
        raise StoreError(
            f"{WORKER_URL_ENV} is not set", hint="export the results server URL, e.g. http://127.0.0.1:8787"
        )
    client = ResultsClient(url, api_key=os.environ.get(API_KEY_ENV))
    outbox = Outbox()
    try:
        report = sync_outbox(client, outbox)
    except KeyRejectedError as exc:
        raise key_refused(exc, outbox) from None  # every undelivered entry is still queued
    finally:
        client.close()
    console.print(f"sent {report.sent}, failed {report.failed}, remaining {report.remaining}")
    if report.errors:
        console.print(f"first error: {report.errors[0]}", markup=False)
    if report.remaining:
        raise typer.Exit(1)


def fake_llm(
    script: Annotated[
        Path, typer.Option("--script", exists=True, dir_okay=False, help="YAML or JSON script.")
    ],
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8765,
) -> None:
    """Serve a scripted fake LLM speaking the Anthropic, OpenAI (Chat, Responses) and Gemini APIs, for offline tests."""
    from zebench.llm.fake import serve as serve_fake

    serve_fake(script, host, port)


def models(
    query: Annotated[str | None, typer.Argument(help="Substring filter.")] = None,
    provider: Annotated[str, typer.Option(help="openrouter, openai or anthropic.")] = "openrouter",
    base_url: Annotated[str | None, typer.Option("--base-url")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List models with tool support and prices."""
    from zebench.cli.browse import print_json
    from zebench.errors import AgentConfigError
    from zebench.llm import list_models
    from zebench.llm.types import LLMRequestError, LLMUnavailableError

    try:
        found = list_models(provider, base_url=base_url, query=query)  # type: ignore[arg-type]
    except (LLMUnavailableError, LLMRequestError) as exc:
        raise AgentConfigError(
            f"cannot list {provider}'s models: {exc}",
            field="--base-url" if base_url else "--provider",
            hint="check the network (or --base-url) and the provider's API key",
        ) from None
    if as_json:
        print_json(found)
        return
    table = Table(header_style="bold")
    for column in ("Model", "Name", "Tools", "In $/M", "Out $/M"):
        table.add_column(column)
    for m in found:
        table.add_row(
            m.id,
            m.name or "",
            "yes" if m.supports_tools else ("no" if m.supports_tools is False else "?"),
            "—" if m.input_price_per_m is None else f"{m.input_price_per_m:g}",
            "—" if m.output_price_per_m is None else f"{m.output_price_per_m:g}",
        )
    console.print(table)
