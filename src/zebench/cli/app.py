"""The ``zebench`` Typer application and its entry point."""

from __future__ import annotations

import sys

import typer

from zebench import __version__
from zebench.cli import browse, check, fetch, mine, run_view, services, swebench, worker
from zebench.cli.agents import agents_app
from zebench.cli.bench import bench
from zebench.cli.context import err_console
from zebench.cli.mint import mint_app
from zebench.cli.new import new_app
from zebench.errors import ZebenchError

app = typer.Typer(
    name="zebench",
    help="Benchmark AI coding agents on real repositories.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"zebench {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Benchmark AI coding agents on real repositories."""


app.command()(bench)
app.command()(browse.suites)
app.command("check")(check.check)
app.command("fetch")(fetch.fetch)
app.command()(browse.runs)
app.command()(run_view.run)
app.command()(browse.batches)
app.command()(browse.batch)
app.command()(browse.compare)
app.command("mine")(mine.mine)
app.add_typer(new_app, name="new")
app.add_typer(swebench.export_app, name="export")
app.add_typer(swebench.import_app, name="import")
app.add_typer(mint_app, name="mint")
app.add_typer(agents_app, name="agents")
app.command()(services.serve)
app.add_typer(services.db_app, name="db")
app.command()(services.sync)
app.command("fake-llm")(services.fake_llm)
app.command()(services.models)
app.command()(worker.worker)


def main() -> None:
    """Run the CLI: user errors print one line and exit 2, never a traceback."""
    try:
        app(standalone_mode=True)
    except ZebenchError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc.one_line()}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/yellow]")
        sys.exit(130)
