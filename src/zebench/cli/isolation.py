"""The isolation options ``bench`` and ``check`` share, and the command runners they give."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from zebench.cli.context import err_console
from zebench.errors import ZebenchError

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


def workspace_limit_flags(files: int | None, size: str | None) -> dict[str, int]:
    """``--max-workspace-files`` and ``--max-workspace-bytes`` as overrides of a scenario's limits."""
    from pydantic_core import PydanticCustomError

    from zebench.scenarios.raw_models import parse_size

    overrides: dict[str, int] = {}
    if files is not None:
        overrides["files"] = files
    if size is not None:
        try:
            overrides["bytes"] = parse_size(size)
        except PydanticCustomError as exc:
            raise ZebenchError(exc.message(), field="--max-workspace-bytes") from exc
    return overrides
