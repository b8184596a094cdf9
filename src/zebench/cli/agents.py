"""``zebench agents``: the agents, their pinned versions and installs; ``agents install`` ahead of runs."""

from __future__ import annotations

from typing import Annotated

import typer

from zebench.cli.context import console, err_console
from zebench.errors import AgentConfigError

agents_app = typer.Typer(
    help="List the agents (pinned CLI versions, installed or not); install CLIs ahead of time.",
    no_args_is_help=False,
    invoke_without_command=True,
)


@agents_app.callback()
def agents(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable rows.")] = False,
) -> None:
    """Every agent: kind, pinned version, whether it is installed, its wire API and what it needs."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from zebench.agents.catalog import agent_catalog
    from zebench.cli.browse import print_json

    rows = agent_catalog()
    if as_json:
        print_json([row.model_dump() for row in rows])
        return
    table = Table(title="agents")
    for column in ("agent", "kind", "version", "installed", "wire API", "needs"):
        table.add_column(column)
    for row in rows:
        mark = (
            "-"
            if row.installed is None
            else ("[green]yes[/green]" if row.installed else "[yellow]no[/yellow]")
        )
        table.add_row(row.name, row.kind, row.version or "-", mark, row.wire_api, row.needs)
    console.print(table)
    console.print(
        "[dim]zebench agents install NAME (or --all) installs a CLI into the cache for offline runs[/dim]"
    )


@agents_app.command("install")
def install(
    names: Annotated[list[str] | None, typer.Argument(help="CLI agents to install.")] = None,
    all_agents: Annotated[bool, typer.Option("--all", help="Every CLI agent.")] = False,
) -> None:
    """Install CLI agents at their pinned versions into zebench's cache (npm, or a venv of their own)."""
    import time

    from zebench.agents.installed.install import install as install_pin
    from zebench.agents.installed.install import installed
    from zebench.agents.installed.pins import PINS

    chosen = list(PINS) if all_agents else list(names or [])
    if not chosen:
        raise AgentConfigError(
            "name a CLI agent, or pass --all", field="agents install", hint=f"one of {', '.join(PINS)}"
        )
    for name in chosen:
        if name not in PINS:
            raise AgentConfigError(
                f"{name!r} is not an installable CLI agent",
                field="agents install",
                hint=f"one of {', '.join(PINS)}",
            )
    for name in chosen:
        pin = PINS[name]
        if installed(pin) is not None:
            err_console.print(f"[green]✓[/green] {name} {pin.version} is installed")
            continue
        started = time.monotonic()
        with err_console.status(f"installing {pin.requirement} ({pin.registry}) …"):
            done = install_pin(pin)
        err_console.print(
            f"[green]✓[/green] {name} {pin.version} installed in {time.monotonic() - started:.0f} s: {done.binary}"
        )


def prepare_agent(agent: object, *, quiet: bool) -> None:
    """Install a CLI agent before the batch (once, into the cache), so no run's time includes it."""
    prepare = getattr(agent, "prepare", None)
    if not callable(prepare):
        return
    if quiet or not err_console.is_terminal:
        prepare()
        return
    with err_console.status(
        f"preparing the {getattr(agent, 'name', 'agent')} agent (installing it on first use) …"
    ):
        prepare()
