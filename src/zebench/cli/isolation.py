"""The isolation options ``bench`` and ``check`` share, and the command runners they give."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from zebench.cli.context import err_console

if TYPE_CHECKING:
    from zebench.commands.runner import CommandRunner
    from zebench.scenarios.model import Scenario

SandboxOption = Annotated[
    str, typer.Option("--sandbox", help="auto (bubblewrap where it works), bwrap or none.")
]
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="No command gets the network, install commands included (needs bwrap)."),
]


def command_runners(sandbox: str, offline: bool) -> Callable[[Scenario], CommandRunner]:
    """The runner factory for ``--sandbox``/``--offline``; a fallback to no sandbox is one line."""
    from zebench.sandbox import runner_factory

    return runner_factory(
        sandbox,  # type: ignore[arg-type]
        offline=offline,
        on_fallback=lambda message: err_console.print(
            f"[yellow]warning:[/yellow] {message}", highlight=False
        ),
    )
