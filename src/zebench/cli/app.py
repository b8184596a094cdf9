"""The ``zebench`` Typer application and its entry point.

Every command is named here by import string, in the order ``--help`` lists them. A process that
runs one command builds only that one: ``zebench bench …`` imports ``zebench.cli.bench`` and
turns only its signature into Click parameters, where building all of them (importing each
command's module and reading twenty signatures with their annotations) cost a run's start-up
~60 ms. ``--help``, a bare ``zebench``, ``--version`` and an unknown name get the whole
application, as does ``app`` (what ``typer.testing.CliRunner`` and the tests use), which is built
on first access.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

from zebench.cli.context import err_console
from zebench.errors import ZebenchError

# (name on the command line, "module:attribute", whether it is a group of subcommands)
COMMANDS: tuple[tuple[str, str, bool], ...] = (
    ("bench", "zebench.cli.bench:bench", False),
    ("suites", "zebench.cli.browse:suites", False),
    ("check", "zebench.cli.check:check", False),
    ("fetch", "zebench.cli.fetch:fetch", False),
    ("runs", "zebench.cli.browse:runs", False),
    ("run", "zebench.cli.run_view:run", False),
    ("batches", "zebench.cli.browse:batches", False),
    ("batch", "zebench.cli.browse:batch", False),
    ("compare", "zebench.cli.browse:compare", False),
    ("mine", "zebench.cli.mine:mine", False),
    ("export", "zebench.cli.swebench:export_app", True),
    ("import", "zebench.cli.swebench:import_app", True),
    ("new", "zebench.cli.new:new_app", True),
    ("mint", "zebench.cli.mint:mint_app", True),
    ("agents", "zebench.cli.agents:agents_app", True),
    ("serve", "zebench.cli.services:serve", False),
    ("db", "zebench.cli.services:db_app", True),
    ("sync", "zebench.cli.services:sync", False),
    ("fake-llm", "zebench.cli.services:fake_llm", False),
    ("models", "zebench.cli.services:models", False),
    ("worker", "zebench.cli.worker:worker", False),
)


def _version(value: bool) -> None:
    if value:
        from zebench import __version__

        print(f"zebench {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Benchmark AI coding agents on real repositories."""


def _load(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def build_app(only: str | None = None) -> typer.Typer:
    """The application with every command, or with the command named ``only`` alone."""
    built = typer.Typer(
        name="zebench",
        help="Benchmark AI coding agents on real repositories.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    built.callback()(_root)
    for name, target, group in COMMANDS:
        if only is not None and name != only:
            continue
        if group:
            built.add_typer(_load(target), name=name)
        else:
            built.command(name)(_load(target))
    return built


def _invoked(argv: list[str]) -> str | None:
    """The command ``argv`` runs, when it names one first (no option before it)."""
    first = argv[1] if len(argv) > 1 else None
    return first if first in {name for name, _, _ in COMMANDS} else None


def __getattr__(name: str) -> typer.Typer:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    full = build_app()
    globals()["app"] = full
    return full


def application_for(argv: list[str]) -> typer.Typer:
    """What runs ``argv``: the one command it names, else the whole application."""
    command = _invoked(argv)
    return build_app(command) if command is not None else __getattr__("app")


def main(application: typer.Typer | None = None) -> None:
    """Run the CLI: user errors print one line and exit 2, never a traceback."""
    application = application or application_for(sys.argv)
    try:
        application(standalone_mode=True)
    except ZebenchError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc.one_line()}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/yellow]")
        sys.exit(130)
