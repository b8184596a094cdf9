"""``zebench fetch``: download and build what scenarios need from PyPI and npm, ahead of the runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from zebench.cli.browse import JsonOption, SuitesDirOption, print_json
from zebench.cli.context import console, err_console
from zebench.errors import ZebenchError
from zebench.scenarios import load_scenario, load_suite

if TYPE_CHECKING:
    from zebench.cli.steps_view import StepsView
    from zebench.scenarios.model import Scenario


def prepare_scenarios(
    scenarios: Iterable[Scenario], *, quiet: bool = False, view: StepsView | None = None
) -> None:
    """Fetch each scenario's package fixture and build its environment before a batch, showing
    each download and build as it happens (in ``view``, or a view of its own).

    Cached after the first time; a scenario that cannot be prepared (no network and an empty
    cache, a hash mismatch) stops the batch before any run with one line.
    """
    from zebench.packages import needs_preparing, prepare_scenario

    todo = [scenario for scenario in scenarios if needs_preparing(scenario)]
    if not todo:
        return
    if view is None:
        from zebench.cli.steps_view import StepsView  # Rich's progress: only when there is work

        with StepsView(err_console, what="prepare", total=len(todo), quiet=quiet) as own:
            prepare_scenarios(todo, quiet=quiet, view=own)
        return
    for scenario in todo:
        view.subject(scenario.key)
        prepared = prepare_scenario(scenario, view)
        view.advance()
        if not quiet and prepared.seconds >= 1:
            err_console.print(f"[dim]prepared {scenario.key} in {prepared.seconds:.1f} s (now cached)[/dim]")


def _pins(pins: object, shown: int = 2) -> str:
    if not isinstance(pins, list) or not pins:
        return "—"
    more = f" +{len(pins) - shown} more" if len(pins) > shown else ""
    return ", ".join(str(p) for p in pins[:shown]) + more


def fetch(
    suite: Annotated[str, typer.Argument(help="Suite whose scenarios to prepare.")],
    scenarios: Annotated[list[str] | None, typer.Argument(help="Scenario ids; default: all.")] = None,
    suites_dir: SuitesDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Download package fixtures and build tool environments into the cache, so runs work offline."""
    from zebench.cli.steps_view import StepsView
    from zebench.packages import cache_dir, needs_preparing, prepare_scenario

    ids = scenarios or load_suite(suite, suites_dir).scenario_ids
    rows: list[dict[str, object]] = []
    first_error: ZebenchError | None = None
    with StepsView(err_console, what="fetch", total=len(ids), quiet=as_json) as view:
        for scenario_id in ids:
            view.subject(f"{suite}/{scenario_id}")
            row: dict[str, object] = {
                "scenario": scenario_id,
                "fixture": None,
                "environment": [],
                "error": None,
            }
            try:
                scenario = load_scenario(suite, scenario_id, suites_dir)
                if scenario.package_fixture is not None:
                    fixture = scenario.package_fixture
                    row["fixture"] = f"{fixture.registry}:{fixture.requirement}"
                if scenario.environment is not None:
                    row["environment"] = [*scenario.environment.python, *scenario.environment.npm]
                if needs_preparing(scenario):
                    row["seconds"] = round(prepare_scenario(scenario, view).seconds, 2)
            except ZebenchError as exc:
                row["error"] = exc.one_line()
                first_error = first_error or exc
            rows.append(row)
            view.advance()
    if as_json:
        print_json({"cache": str(cache_dir()), "scenarios": rows})
    else:
        table = Table(header_style="bold")
        for column in ("Scenario", "Fixture", "Environment", "Result"):
            table.add_column(column)
        for row in rows:
            env = row["environment"]
            if row["error"]:
                result = Text(str(row["error"]), style="red")
            elif "seconds" in row:
                result = Text(f"ready ({row['seconds']} s)", style="green")
            else:
                result = Text("nothing to fetch")
            table.add_row(
                Text(str(row["scenario"])),
                Text(str(row["fixture"] or "—")),
                Text(_pins(env)),
                result,
            )
        console.print(table)
        console.print(f"[dim]cache: {cache_dir()}[/dim]")
    if first_error is not None:
        raise first_error
