"""Listing and detail commands: suites, runs, run, batches, batch, compare. All take --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from rich.table import Table
from rich.text import Text

from zebench.cli.context import console, open_results
from zebench.cli.render import (
    batch_view,
    breakdown_table,
    fmt_cost,
    fmt_duration,
    fmt_pct,
    fmt_score,
    mark,
    run_panel,
    runs_table,
)
from zebench.cli.tests_view import tests_table
from zebench.errors import ZebenchError
from zebench.results.models import RunRecord, RunStatus
from zebench.scenarios import discover_suites, load_suite
from zebench.scenarios.discovery import load_scenario_dir
from zebench.store.queries import BatchDetail, RunFilters

if TYPE_CHECKING:
    from zebench.grading import TestRow

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default results/zebench.db).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
SuitesDirOption = Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")]


def print_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [d.model_dump(mode="json") if isinstance(d, BaseModel) else d for d in data]
    console.print_json(json.dumps(data))


def suites(suites_dir: SuitesDirOption = None, as_json: JsonOption = False) -> None:
    """List suites, their scenarios and tiers."""
    found = discover_suites(suites_dir)
    rows: list[dict[str, Any]] = []
    for suite in found:
        for scenario_id in suite.scenario_ids:
            entry: dict[str, Any] = {"suite": suite.name, "scenario": scenario_id, "bundled": suite.bundled}
            try:
                scenario = load_scenario_dir(suite.directory / "scenarios" / scenario_id, suite.name)
                entry.update(title=scenario.title, tiers=scenario.tiers, format=scenario.format, error=None)
            except ZebenchError as exc:
                entry.update(title="", tiers=[], format=None, error=exc.one_line())
            rows.append(entry)
    if as_json:
        print_json(rows)
        return
    table = Table(header_style="bold")
    for column in ("Suite", "Scenario", "Tiers", "Title"):
        table.add_column(column)
    for row in rows:
        title: str | Text = row["title"] if not row["error"] else Text(row["error"], style="red")
        table.add_row(row["suite"], row["scenario"], " ".join(row["tiers"]), title)
    console.print(table)


def runs(
    suite: Annotated[str | None, typer.Option()] = None,
    scenario: Annotated[str | None, typer.Option()] = None,
    tier: Annotated[str | None, typer.Option()] = None,
    agent: Annotated[str | None, typer.Option()] = None,
    model: Annotated[str | None, typer.Option()] = None,
    status: Annotated[RunStatus | None, typer.Option()] = None,
    batch: Annotated[str | None, typer.Option("--batch", "--batch-id")] = None,
    specialist: Annotated[str | None, typer.Option(help="A name, 'none' for baseline runs, 'any'.")] = None,
    successful: Annotated[
        bool | None, typer.Option("--successful/--unsuccessful", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    cursor: Annotated[str | None, typer.Option(help="Cursor from a previous page.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List runs, newest first, with filters."""
    filters = RunFilters(
        suite=suite,
        scenario=scenario,
        tier=tier,
        agent=agent,
        model=model,
        status=status,
        batch_id=batch,
        specialist=specialist,
        successful=successful,
    )
    with open_results(db) as store:
        page = store.list_runs(filters, limit=limit, cursor=cursor)
    if as_json:
        print_json(page)
        return
    console.print(runs_table(page.items))
    if page.total is not None:
        console.print(f"[dim]{len(page.items)} of {page.total} run(s)[/dim]")
    if page.next_cursor:
        console.print(f"[dim]more: zebench runs --cursor {page.next_cursor}[/dim]")


def run(
    run_id: Annotated[str, typer.Argument()],
    db: DbOption = None,
    as_json: JsonOption = False,
    diff: Annotated[bool, typer.Option("--diff", help="Also print the diff.")] = False,
    tests: Annotated[
        bool, typer.Option("--tests", help="List the F2P tests and every test that did not pass.")
    ] = False,
    all_tests: Annotated[bool, typer.Option("--all-tests", help="With --tests: list every test.")] = False,
) -> None:
    """Show one run: scores, telemetry, validation, changed files (and its tests with --tests)."""
    with open_results(db) as store:
        record = store.get_run(run_id)
        names = store.artifact_names(run_id)
        patch = store.get_artifact(run_id, "diff") if diff and "diff" in names else None
        tests_text = (
            store.get_artifact(run_id, "tests") if (tests or all_tests) and "tests" in names else None
        )
    rows = run_test_rows(tests_text, everything=all_tests) if tests or all_tests else None
    if as_json:
        data = record.model_dump(mode="json", exclude={"artifacts"})
        data["artifact_names"] = names
        if rows is not None:
            data["test_rows"] = [r.model_dump(mode="json") for r in rows]
        print_json(data)
        return
    console.print(run_panel(record))
    if rows is not None:
        print_run_tests(record, rows, tests_text is not None)
    if record.validation:
        table = Table(title="Validation commands", header_style="bold", title_justify="left")
        for column in ("Name", "Command", "Exit", "Time", "Network"):
            table.add_column(column)
        for command in record.validation:
            exit_text = "timeout" if command.timed_out else str(command.exit_code)
            network = "—" if command.network is None else ("yes" if command.network else "no")
            table.add_row(
                Text(command.name),
                Text(command.command),
                exit_text,
                fmt_duration(command.duration_ms),
                network,
            )
        console.print(table)
    if record.changed_files:
        console.print("[bold]Changed files[/bold]")
        for change in record.changed_files:
            console.print(f"  {change.change:<9} {change.path}")
    if record.dependency_changes:
        console.print("[bold]Dependency changes[/bold]")
        for dep in record.dependency_changes:
            console.print(
                f"  {dep.file} [{dep.section}] {dep.name}: {dep.before or '—'} → {dep.after or '—'}"
            )
    for evaluation in record.evaluations:
        if evaluation.status != "skipped" and evaluation.details:
            console.print(Text.assemble(mark(evaluation), f" {evaluation.name}: ", evaluation.summary))
    if patch is not None:
        console.print(patch, markup=False, highlight=False)
    console.print(f"[dim]artifacts: {', '.join(names) or 'none'}[/dim]")


def run_test_rows(text: str | None, *, everything: bool) -> list[TestRow]:
    """The rows of a run's ``tests`` artifact (none when the run has no per-test results)."""
    from zebench.grading import TestReport, report_rows

    if text is None:
        return []
    return report_rows(TestReport.model_validate_json(text), everything=everything)


def print_run_tests(record: RunRecord, rows: list[TestRow], stored: bool) -> None:
    if not stored:
        console.print(
            "[dim]this run has no per-test results (no test command, or its output was not read)[/dim]"
        )
        return
    console.print(tests_table(rows, record.tests))
    if not rows:
        console.print("[green]every test passed[/green]")


def batches(
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    cursor: Annotated[str | None, typer.Option()] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List batches, newest first, with their aggregates."""
    with open_results(db) as store:
        page = store.list_batches(limit=limit, cursor=cursor)
    if as_json:
        print_json(page)
        return
    table = Table(header_style="bold")
    for column in ("Batch", "Created", "Runs", "Success", "Mean score", "Duration", "Cost", "State"):
        table.add_column(column)
    for b in page.items:
        table.add_row(
            b.batch_id,
            b.created_at.strftime("%Y-%m-%d %H:%M"),
            str(b.runs),
            f"{b.successes}/{b.runs} ({fmt_pct(b.success_rate)})",
            fmt_score(b.mean_score),
            fmt_duration(b.duration_ms),
            fmt_cost(b.total_cost_usd) if b.total_cost_usd is not None else "—",
            "done" if b.completed_at else "open",
        )
    console.print(table)
    if page.next_cursor:
        console.print(f"[dim]more: zebench batches --cursor {page.next_cursor}[/dim]")


def batch(
    batch_id: Annotated[str, typer.Argument()], db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Show a batch: totals, success rate, breakdowns, warmups and failed runs with reasons."""
    with open_results(db) as store:
        detail = store.get_batch(batch_id)
    if as_json:
        print_json(detail)
        return
    console.print(batch_view(detail))


def _delta(a: float | None, b: float | None, *, pct: bool = False) -> Text:
    if a is None or b is None:
        return Text("—", style="dim")
    d = b - a
    style = "green" if d > 1e-9 else "red" if d < -1e-9 else "dim"
    return Text(f"{d * 100:+.0f} pts" if pct else f"{d:+.3f}", style=style)


def compare_batches(details: list[BatchDetail]) -> dict[str, Any]:
    """Per-metric and per-scenario numbers for 2+ batches, relative to the first."""
    scenarios: dict[str, dict[str, float | None]] = {}
    for detail in details:
        for row in detail.by_scenario:
            key = f"{row.key.get('suite')}/{row.key.get('scenario')}"
            scenarios.setdefault(key, {})[detail.summary.batch_id] = row.mean_score
    return {
        "batches": [d.summary.model_dump(mode="json") for d in details],
        "scenarios": scenarios,
    }


def compare(
    batch_ids: Annotated[list[str], typer.Argument(help="Two to five batch ids; the first is the baseline.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare batches: success rate, scores, cost and per-scenario deltas against the first."""
    if not 2 <= len(batch_ids) <= 5:
        raise ZebenchError("compare takes two to five batch ids", field="BATCH_IDS")
    with open_results(db) as store:
        details = [store.get_batch(b) for b in batch_ids]
    data = compare_batches(details)
    if as_json:
        print_json(data)
        return
    base = details[0].summary
    table = Table(title="Batches", header_style="bold", title_justify="left")
    table.add_column("Metric")
    for detail in details:
        table.add_column(detail.summary.batch_id)
    metrics = [
        ("Runs", lambda s: str(s.runs), None),
        ("Success rate", lambda s: fmt_pct(s.success_rate), "success_rate"),
        ("Mean score", lambda s: fmt_score(s.mean_score), "mean_score"),
        ("Min score", lambda s: fmt_score(s.min_score), "min_score"),
        ("Max score", lambda s: fmt_score(s.max_score), "max_score"),
        ("Mean duration", lambda s: fmt_duration(s.mean_duration_ms), None),
        ("Total cost", lambda s: fmt_cost(s.total_cost_usd) if s.total_cost_usd is not None else "—", None),
    ]
    for name, show, attr in metrics:
        cells: list[str | Text] = [name]
        for i, detail in enumerate(details):
            s = detail.summary
            cell = Text(show(s))
            if i and attr:
                cell.append(" ")
                cell.append(_delta(getattr(base, attr), getattr(s, attr), pct=attr == "success_rate"))
            cells.append(cell)
        table.add_row(*cells)
    console.print(table)
    per = Table(title="Mean score per scenario", header_style="bold", title_justify="left")
    per.add_column("Scenario")
    for detail in details:
        per.add_column(detail.summary.batch_id)
    for key, values in sorted(data["scenarios"].items()):
        cells = [key]
        first = values.get(base.batch_id)
        for i, detail in enumerate(details):
            value = values.get(detail.summary.batch_id)
            cell = Text(fmt_score(value))
            if i:
                cell.append(" ")
                cell.append(_delta(first, value))
            cells.append(cell)
        per.add_row(*cells)
    console.print(per)
    for detail in details:
        if detail.by_agent_model:
            console.print(
                breakdown_table(f"{detail.summary.batch_id} by agent / model", detail.by_agent_model)
            )


__all__ = ["batch", "batches", "compare", "load_suite", "run", "runs", "suites"]
