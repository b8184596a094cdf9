"""``zebench export swebench`` and ``zebench import swebench``: SWE-bench JSONL in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from zebench.cli.browse import SuitesDirOption
from zebench.cli.context import console, err_console
from zebench.cli.mine import EnvironmentOption, TestCommandOption, WorkspaceRootOption

export_app = typer.Typer(help="Export scenarios to other benchmark formats.", no_args_is_help=True)
import_app = typer.Typer(help="Import scenarios from other benchmark formats.", no_args_is_help=True)


@export_app.command("swebench")
def export_swebench(
    suite: Annotated[str, typer.Argument(help="The suite to export.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The JSONL file; default: stdout.")
    ] = None,
    suites_dir: SuitesDirOption = None,
    workspace_root: WorkspaceRootOption = Path("results/workspaces"),
) -> None:
    """Write the suite's scenarios as SWE-bench instances, one JSON object per line."""
    from zebench.scenarios import load_scenario, load_suite
    from zebench.swebench import export_scenario, instance_line

    loaded = load_suite(suite, suites_dir)
    lines: list[str] = []
    skipped = 0
    for scenario_id in loaded.scenario_ids:
        exported = export_scenario(load_scenario(suite, scenario_id, suites_dir), workspace_root)
        if exported.instance is None:
            skipped += 1
            err_console.print(f"[yellow]skipped[/yellow] {scenario_id}: {exported.skipped}", soft_wrap=True)
        else:
            lines.append(instance_line(exported.instance))
    text = "".join(line + "\n" for line in lines)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err_console.print(
            f"wrote {len(lines)} instance(s) to {output}" + (f", {skipped} skipped" if skipped else "")
        )
    if not lines:
        raise typer.Exit(1)


@import_app.command("swebench")
def import_swebench(
    file: Annotated[Path, typer.Argument(help="SWE-bench instances, one JSON object per line.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The suite folder to write into.")],
    repo: Annotated[
        Path | None, typer.Option("--repo", help="A local clone holding the instances' base commits.")
    ] = None,
    test_command: TestCommandOption = None,
    environment: EnvironmentOption = None,
) -> None:
    """Build a scenario for each instance whose repository is the local clone (or a zebench package pin)."""
    from zebench.mining import SourceRepo
    from zebench.mining.environment import parse_pins
    from zebench.swebench import ImportOptions, import_instance, read_instances

    python, npm = parse_pins(environment) if environment else (None, None)
    options = ImportOptions(
        repo=SourceRepo(repo) if repo else None, test_command=test_command, python_pins=python, npm_pins=npm
    )
    table = Table(header_style="bold")
    for column in ("Instance", "Result"):
        table.add_column(column)
    created = 0
    with err_console.status("importing…"):
        for _, item in read_instances(file):
            if isinstance(item, str):
                table.add_row(Text(file.name), Text(item, style="red"))
                continue
            result = import_instance(item, output, options)
            created += result.scenario is not None
            cell = (
                Text(f"created {result.scenario}", style="green")
                if result.scenario
                else Text(f"skipped: {result.skipped}", style="red")
            )
            table.add_row(Text(item.instance_id), cell)
    console.print(table)
    console.print(f"{created} scenario(s) in {output}", soft_wrap=True)
    if created:
        console.print(f"prove them: zebench check {output.name} --suites-dir {output.parent}", soft_wrap=True)
    else:
        raise typer.Exit(1)
