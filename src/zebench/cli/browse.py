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
    SHORT_IDS_NOTE,
    add_id_column,
    batch_view,
    breakdown_table,
    fmt_cost,
    fmt_duration,
    fmt_pct,
    fmt_score,
    id_labels,
    printable,
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
WideOption = Annotated[bool, typer.Option("--wide", help="Show ids whole instead of their unique end.")]


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
        table.add_row(printable(row["suite"]), printable(row["scenario"]), " ".join(row["tiers"]), title)
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
    wide: WideOption = False,
) -> None:
    """List runs, newest first, with filters."""
    with open_results(db) as store:
        filters = RunFilters(
            suite=suite,
            scenario=scenario,
            tier=tier,
            agent=agent,
            model=model,
            status=status,
            batch_id=store.resolve_id("batch", batch) if batch is not None else None,
            specialist=specialist,
            successful=successful,
        )
        page = store.list_runs(filters, limit=limit, cursor=cursor)
    if as_json:
        print_json(page)
        return
    table = runs_table(page.items, wide=wide)
    console.print(table)
    _note_short_ids(wide, [r.run_id for r in page.items])
    if page.total is not None:
        console.print(f"[dim]{len(page.items)} of {page.total} run(s)[/dim]")
    if page.next_cursor:
        console.print(f"[dim]more: zebench runs --cursor {page.next_cursor}[/dim]", soft_wrap=True)


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
    wide: WideOption = False,
) -> None:
    """List batches, newest first, with their aggregates."""
    with open_results(db) as store:
        page = store.list_batches(limit=limit, cursor=cursor)
    if as_json:
        print_json(page)
        return
    labels = id_labels((b.batch_id for b in page.items), wide)
    table = Table(header_style="bold")
    add_id_column(table, "Batch", labels)
    for column in ("Created", "Runs", "Success", "Mean score", "Duration", "Cost", "State"):
        table.add_column(column)
    for b in page.items:
        table.add_row(
            printable(labels[b.batch_id]),
            b.created_at.strftime("%Y-%m-%d %H:%M"),
            str(b.runs),
            f"{b.successes}/{b.runs} ({fmt_pct(b.success_rate)})",
            fmt_score(b.mean_score),
            fmt_duration(b.duration_ms),
            fmt_cost(b.total_cost_usd) if b.total_cost_usd is not None else "—",
            "done" if b.completed_at else "open",
        )
    console.print(table)
    _note_short_ids(wide, list(labels))
    if page.next_cursor:
        console.print(f"[dim]more: zebench batches --cursor {page.next_cursor}[/dim]", soft_wrap=True)


def batch(
    batch_id: Annotated[str, typer.Argument(help="A batch id, or a unique start or end of one.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """Show a batch: totals, success rate, breakdowns, warmups and failed runs with reasons."""
    with open_results(db) as store:
        detail = store.get_batch(store.resolve_id("batch", batch_id))
    if as_json:
        print_json(detail)
        return
    console.print(batch_view(detail, wide=wide))


def _note_short_ids(wide: bool, ids: list[str] | None) -> None:
    """Say under a list that its ids are shortened (when one was) and how to use them."""
    if not wide and ids and any(label != i for i, label in id_labels(ids, wide).items()):
        console.print(f"[dim]{SHORT_IDS_NOTE}[/dim]")


def batch_details_alias(batch_id: str, suite: str | None, *, db: str | None, as_json: bool) -> None:
    """``bench --batch-details ID``: the design document's name for ``zebench batch ID``."""
    if suite is not None:
        raise ZebenchError(
            "--batch-details shows a stored batch and runs nothing",
            field="--batch-details",
            hint=f"zebench bench --batch-details {batch_id} (without a suite), or zebench batch {batch_id}",
        )
    batch(batch_id, db=db, as_json=as_json)


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
    batch_ids: Annotated[
        list[str],
        typer.Argument(help="Two to five batch ids (or unique starts or ends); the first is the baseline."),
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """Compare batches: success rate, scores, cost and per-scenario deltas against the first."""
    if not 2 <= len(batch_ids) <= 5:
        raise ZebenchError("compare takes two to five batch ids", field="BATCH_IDS")
    with open_results(db) as store:
        details = [store.get_batch(store.resolve_id("batch", b)) for b in batch_ids]
    data = compare_batches(details)
    if as_json:
        print_json(data)
        return
    base = details[0].summary
    labels = id_labels([d.summary.batch_id for d in details], wide)
    table = Table(title="Batches", header_style="bold", title_justify="left")
    table.add_column("Metric")
    for detail in details:
        table.add_column(printable(labels[detail.summary.batch_id]), no_wrap=True)
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
        per.add_column(printable(labels[detail.summary.batch_id]), no_wrap=True)
    for key, values in sorted(data["scenarios"].items()):
        cells = [printable(key)]
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
                breakdown_table(
                    printable(f"{labels[detail.summary.batch_id]} by agent / model"), detail.by_agent_model
                )
            )
    _note_short_ids(wide, list(labels))


__all__ = ["batch", "batches", "compare", "load_suite", "runs", "suites"]
