"""``zebench run ID``: one run, and on request what the agent did (--trajectory), the validation
output (--logs), the per-test results (--tests) and the diff (--diff).

Each view is one function over what the store returns; a new one (per-test results, say) is one
more option and one more function. Everything the agent or its commands wrote is printed through
``render.printable``: shown, never obeyed by the terminal.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from zebench.cli.browse import DbOption, JsonOption, print_json, print_run_tests, run_test_rows
from zebench.cli.context import console, open_results
from zebench.cli.render import fmt_duration, legend, mark, printable, run_panel
from zebench.cli.render_calls import calls_table, usage_check_line
from zebench.results.model_calls import MODEL_CALLS_ARTIFACT, calls_from_json
from zebench.results.models import CommandResult, ControlResult, RunRecord
from zebench.store.base import ResultStore


def run(
    run_id: Annotated[str, typer.Argument(help="A run id, or a unique start or end of one.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    diff: Annotated[bool, typer.Option("--diff", help="Also print the diff.")] = False,
    logs: Annotated[
        bool, typer.Option("--logs", help="Also print each validation command's stdout and stderr, in full.")
    ] = False,
    trajectory: Annotated[
        bool,
        typer.Option(
            "--trajectory", help="Also print what the agent did: messages, tool calls and their results."
        ),
    ] = False,
    tests: Annotated[
        bool, typer.Option("--tests", help="List the F2P tests and every test that did not pass.")
    ] = False,
    all_tests: Annotated[bool, typer.Option("--all-tests", help="With --tests: list every test.")] = False,
) -> None:
    """Show one run: scores beside its scenario's control, validation, changed files; more on request."""
    with open_results(db) as store:
        found = store.resolve_id("run", run_id)
        record = store.get_run(found)
        names = store.artifact_names(found)
        control = _control_for(store, record)
        asked = (
            ("diff", diff),
            ("trajectory", trajectory),
            ("tests", tests or all_tests),
            (MODEL_CALLS_ARTIFACT, True),
        )
        wanted = [name for name, on in asked if on and name in names]
        texts = {name: store.get_artifact(found, name) for name in wanted}
    rows = run_test_rows(texts.get("tests"), everything=all_tests) if tests or all_tests else None
    calls = calls_from_json(texts.pop(MODEL_CALLS_ARTIFACT, None))
    if as_json:
        data = _json(record, names, control, texts)
        data["model_calls"] = [c.model_dump(mode="json") for c in calls]
        if rows is not None:
            data["test_rows"] = [row.model_dump(mode="json") for row in rows]
        print_json(data)
        return
    console.print(run_panel(record, control))
    console.print(legend())
    if calls:
        console.print(calls_table(calls))
    mismatch = usage_check_line(record.metadata.get("usage_check") or {})
    if mismatch is not None:
        console.print(mismatch)
    if rows is not None:
        print_run_tests(record, rows, "tests" in texts)
    _summary(record)
    if logs:
        _logs(record.validation)
    if trajectory:
        _trajectory(texts.get("trajectory"), record.run_id)
    if diff:
        _diff(texts.get("diff"))
    console.print(f"[dim]artifacts: {', '.join(names) or 'none'}[/dim]")


def _control_for(store: ResultStore, record: RunRecord) -> ControlResult | None:
    """The warmup of the run's own scenario in its batch, if the batch ran one."""
    for control in store.get_controls(record.batch_id):
        if (control.suite, control.scenario) == (record.suite, record.scenario):
            return control
    return None


def _json(
    record: RunRecord, names: list[str], control: ControlResult | None, texts: dict[str, str]
) -> dict[str, Any]:
    """The record (validation output included), its control, and the artifacts asked for, whole."""
    data: dict[str, Any] = record.model_dump(mode="json", exclude={"artifacts"})
    data["artifact_names"] = names
    data["control"] = control.model_dump(mode="json") if control is not None else None
    if "diff" in texts:
        data["diff"] = texts["diff"]
    if "trajectory" in texts:
        try:
            data["trajectory"] = json.loads(texts["trajectory"])
        except json.JSONDecodeError:
            data["trajectory"] = texts["trajectory"]  # as stored: the reader can see what is wrong
    return data


def _summary(record: RunRecord) -> None:
    """The validation commands, changed files, dependency changes and evaluator details."""
    if record.validation:
        table = Table(title="Validation commands", header_style="bold", title_justify="left")
        for column in ("Name", "Command", "Exit", "Time", "Network"):
            table.add_column(column)
        for command in record.validation:
            network = "—" if command.network is None else ("yes" if command.network else "no")
            table.add_row(
                Text(command.name),
                Text(command.command),
                _exit(command),
                fmt_duration(command.duration_ms),
                network,
            )
        console.print(table)
        if any(c.stdout or c.stderr for c in record.validation):
            console.print(f"[dim]their output: zebench run {record.run_id} --logs[/dim]")
    if record.changed_files:
        console.print("[bold]Changed files[/bold]")
        for change in record.changed_files:  # paths are the agent's: printable, no markup
            console.print(Text.assemble(f"  {change.change:<9} ", printable(change.path)))
    if record.dependency_changes:
        console.print("[bold]Dependency changes[/bold]")
        for dep in record.dependency_changes:
            line = f"  {dep.file} [{dep.section}] {dep.name}: {dep.before or '—'} → {dep.after or '—'}"
            console.print(printable(line))
    for evaluation in record.evaluations:
        if evaluation.status != "skipped" and evaluation.details:
            console.print(
                Text.assemble(mark(evaluation), f" {evaluation.name}: ", printable(evaluation.summary))
            )


def _exit(command: CommandResult) -> str:
    if command.timed_out:
        return "timeout"
    if command.error is not None and command.exit_code is None:
        return "did not run"
    return str(command.exit_code)


def _logs(commands: list[CommandResult]) -> None:
    """Each validation command's stdout and stderr, whole, under a rule naming it."""
    if not commands:
        console.print("[dim]no validation commands ran[/dim]")
        return
    for command in commands:
        heading = (
            f"{command.name} ({command.kind}): exit {_exit(command)} in {fmt_duration(command.duration_ms)}"
        )
        console.print(Rule(Text(heading, style="bold"), align="left"))
        console.print(Text.assemble(("$ ", "dim"), printable(command.command)), soft_wrap=True)
        if command.error:
            console.print(Text.assemble(("could not run: ", "red"), printable(command.error)), soft_wrap=True)
        for name, output in (("stdout", command.stdout), ("stderr", command.stderr)):
            if not output:
                console.print(f"[dim]{name}: (empty)[/dim]")
                continue
            console.print(f"[dim]{name}:[/dim]")
            console.print(printable(output.rstrip("\n")), soft_wrap=True)
        if command.truncated:
            console.print("[yellow]the output was cut at the capture limit when the command ran[/yellow]")


def _trajectory(text: str | None, run_id: str) -> None:
    """The transcript: every step, each long text cut to its first lines."""
    from zebench.results.transcript import transcript

    console.print(Rule(Text("Trajectory", style="bold"), align="left"))
    if text is None:
        console.print("[dim]no trajectory was stored for this run[/dim]")
        return
    view = transcript(text)
    if view.problem:
        console.print(f"[yellow]{view.problem}[/yellow]")
        return
    for entry in view.entries:
        head = Text.assemble(
            (f"#{entry.index}", "bold"),
            (f" +{entry.offset_s:.1f}s " if entry.offset_s is not None else " ", "dim"),
            (entry.title, "bold cyan"),
        )
        if entry.detail:
            detail = printable(entry.detail)
            detail.stylize("dim")
            head.append("  ")
            head.append_text(detail)
        console.print(head, soft_wrap=True)
        for label, part in entry.parts:
            lines = part.text.splitlines() or [""]
            if label and len(lines) == 1:
                console.print(Text.assemble((f"    {label}: ", "dim"), printable(lines[0])), soft_wrap=True)
            else:
                if label:
                    console.print(f"[dim]    {label}:[/dim]")
                indent = "      " if label else "    "
                console.print(printable("\n".join(indent + line for line in lines)), soft_wrap=True)
            if part.cut:
                left = _left(part.lines_left, part.chars_left)
                console.print(f"[dim]      … {left} (--json has everything)[/dim]")
    if view.total > len(view.entries):
        more = view.total - len(view.entries)
        console.print(f"[dim]… {more} more steps: zebench run {run_id} --trajectory --json[/dim]")


def _left(lines: int, chars: int) -> str:
    if lines and chars:
        return f"{lines} more lines and {chars:,} more characters"
    return f"{lines} more lines" if lines else f"{chars:,} more characters"


def _diff(patch: str | None) -> None:
    console.print(Rule(Text("Diff", style="bold"), align="left"))
    if patch is None:
        console.print("[dim]no diff was stored for this run[/dim]")
        return
    console.print(printable(patch.rstrip("\n")), soft_wrap=True)
