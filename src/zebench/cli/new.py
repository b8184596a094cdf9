"""``zebench new suite`` and ``zebench new scenario``: scaffolds that load and run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zebench.cli.context import console
from zebench.scenarios import scaffold_scenario, scaffold_suite

new_app = typer.Typer(help="Create a suite or scenario scaffold.", no_args_is_help=True)


def _root(suites_dir: Path | None) -> Path:
    return suites_dir or Path("suites")


@new_app.command("suite")
def new_suite(
    name: Annotated[str, typer.Argument(help="kebab-case name")],
    suites_dir: Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")] = None,
) -> None:
    """Create suites/NAME with an empty scenarios folder."""
    path = scaffold_suite(name, _root(suites_dir))
    console.print(f"created suite {path}")
    console.print(f"next: zebench new scenario {name} my-scenario")


@new_app.command("scenario")
def new_scenario(
    suite: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Argument(help="kebab-case name")],
    suites_dir: Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")] = None,
) -> None:
    """Create a scenario with tier prompts, a fixture, a solution folder and oracle answers."""
    path = scaffold_scenario(suite, name, _root(suites_dir))
    console.print(f"created scenario {path}")
    console.print(
        f"prove it: zebench check {suite} {name}" + (f" --suites-dir {suites_dir}" if suites_dir else "")
    )
