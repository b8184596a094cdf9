"""Rich renderings of runs, batches and comparisons (the design document's results panel)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from zebench.cli.tests_view import control_line, summary_line
from zebench.results.models import CommandResult, ControlResult, EvaluationResult, RunRecord, RunStatus
from zebench.scoring import format_out_of_ten, format_score, summarize
from zebench.store.queries import BatchDetail, BreakdownRow, RunSummary


def fmt_score(score: float | None, digits: int = 2) -> str:
    """A score rounded down: a failing 0.9975 reads 0.99, never 1.00."""
    return format_score(score, digits)


def fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def fmt_cost(cost: float | None) -> str:
    if cost is None:
        return "unknown"
    return f"${cost:.4f}" if cost < 1 else f"${cost:,.2f}"


def fmt_duration(ms: float | int | None) -> str:
    if ms is None:
        return "—"
    seconds = ms / 1000
    return f"{seconds:.1f}s" if seconds < 120 else f"{seconds / 60:.1f}m"


def mark(result: EvaluationResult) -> Text:
    """✓ full marks, ⚠ partial, ✗ failed or errored, – skipped."""
    if result.status == "skipped":
        return Text("–", style="dim")
    if result.status == "error" or not result.score:
        return Text("✗", style="red")
    if result.score >= 1.0 - 1e-9:
        return Text("✓", style="green")
    return Text("⚠", style="yellow")


def status_text(status: RunStatus | str, successful: bool) -> Text:
    if str(status) == RunStatus.COMPLETED:
        return Text("PASS", style="bold green") if successful else Text("FAIL", style="bold red")
    return Text(str(status).upper().replace("_", " "), style="bold magenta")


def _commands_line(commands: list[CommandResult]) -> Text:
    line = Text()
    for command in commands:
        ok = command.ok
        line.append(f"{command.name} ", style="")
        line.append("✓  " if ok else "✗  ", style="green" if ok else "red")
    return line


def run_panel(record: RunRecord, control: ControlResult | None = None) -> Panel:
    """The results panel: scores per evaluator, total, PASS/FAIL, telemetry, ids."""
    header = Text()
    if record.status == RunStatus.COMPLETED and record.is_successful:
        header.append("✓ Benchmark passed", style="bold green")
    elif record.status == RunStatus.COMPLETED:
        header.append("✗ Benchmark failed", style="bold red")
    else:
        header.append(f"✗ Run {record.status.value.replace('_', ' ')}", style="bold magenta")
    if record.reason:
        header.append(f"\n  {record.reason}", style="dim")

    ids = Table.grid(padding=(0, 2))
    ids.add_row("Run ID", record.run_id)
    ids.add_row("Batch ID", record.batch_id)
    ids.add_row("Scenario", f"{record.suite}/{record.scenario} ({record.tier})")
    ids.add_row("Agent", record.agent + (f" [{record.model}]" if record.model else ""))
    if record.specialist_name:
        ids.add_row("Specialist", f"{record.specialist_name} {record.specialist_version or ''}".strip())

    scores = Table(box=None, show_header=True, header_style="bold", padding=(0, 2))
    scores.add_column("Evaluator")
    scores.add_column("Score", justify="right")
    scores.add_column("Weight", justify="right")
    scores.add_column("")
    scores.add_column("Details", overflow="fold", max_width=60)
    for evaluation in record.evaluations:
        score = "skipped" if evaluation.status == "skipped" else f"{fmt_score(evaluation.score)} / 1.00"
        name = evaluation.name + (" *" if evaluation.required else "")
        scores.add_row(name, score, f"{evaluation.weight:g}", mark(evaluation), evaluation.summary)
    if record.evaluations:
        total = Text(f"{fmt_score(record.total_score)} / 1.00")
        scores.add_row(
            Text("Total", style="bold"),
            total,
            "",
            status_text(record.status, record.is_successful),
            f"{format_out_of_ten(record.total_score)}, threshold {record.success_threshold:.2f}"
            if record.total_score is not None
            else "",
        )

    telemetry = record.telemetry
    tele = Table.grid(padding=(0, 2))
    tele.add_row(
        "Duration",
        fmt_duration(telemetry.duration_ms) + f" (agent {fmt_duration(telemetry.agent_duration_ms)})",
    )
    tokens = telemetry.tokens
    token_text = f"{tokens.input:,} in / {tokens.output:,} out"
    if tokens.cache_read or tokens.cache_write:
        token_text += f" (cache {tokens.cache_read:,} read / {tokens.cache_write:,} written)"
    tele.add_row("Tokens", token_text)
    cost = fmt_cost(telemetry.cost_usd)
    if telemetry.cost_kind:
        cost += f" ({telemetry.cost_kind})"
    tele.add_row("Cost", cost)
    if telemetry.judge_cost_usd is not None or telemetry.judge_tokens.total:
        tele.add_row(
            "Judge", f"{telemetry.judge_tokens.total:,} tokens, {fmt_cost(telemetry.judge_cost_usd)}"
        )
    counts = ", ".join(f"{name} {n}" for name, n in sorted(telemetry.tool_call_counts.items()))
    tele.add_row("Tool calls", f"{telemetry.tool_calls}" + (f" ({counts})" if counts else ""))
    if record.changed_files:
        tele.add_row("Changed", f"{len(record.changed_files)} file(s)")

    parts: list[RenderableType] = [header, Text(""), ids]
    if record.validation or control:
        validation = Table.grid(padding=(0, 2))
        if control is not None:
            validation.add_row("Control (pristine)", _commands_line(control.commands))
            if control.tests is not None:
                validation.add_row("  its tests", control_line(control))
        if record.validation:
            validation.add_row("After the agent", _commands_line(record.validation))
            if record.tests is not None:
                validation.add_row("  its tests", summary_line(record.tests))
        parts += [Text(""), Text("Validation", style="bold"), validation]
    if record.evaluations:
        parts += [Text(""), Text("Scores", style="bold"), scores]
    parts += [Text(""), Text("Telemetry", style="bold"), tele]
    return Panel(Group(*parts), title="zebench", border_style="cyan", expand=False)


def iterations_summary(records: list[RunRecord]) -> Panel:
    """mean ± std, min–max and success rate over a batch's runs."""
    scores = [r.total_score for r in records if r.total_score is not None]
    stats = summarize(scores)
    successes = sum(1 for r in records if r.is_successful)
    grid = Table.grid(padding=(0, 2))
    grid.add_row("Runs", str(len(records)))
    if stats.n:
        spread = f" ± {stats.std:.3f}" if stats.std is not None else ""
        grid.add_row(
            "Score",
            f"{fmt_score(stats.mean, 3)}{spread}  (min {fmt_score(stats.min)} – max {fmt_score(stats.max)})",
        )
    else:
        grid.add_row("Score", "no scored runs")
    rate = successes / len(records) if records else 0.0
    grid.add_row("Success rate", f"{successes}/{len(records)} ({rate * 100:.0f}%)")
    failed = [r for r in records if not r.is_successful]
    for record in failed:
        grid.add_row(Text("✗", style="red"), f"{record.run_id}: {record.reason or record.status.value}")
    return Panel(grid, title="Batch summary", border_style="cyan", expand=False)


def runs_table(runs: list[RunSummary], title: str | None = None) -> Table:
    table = Table(title=title, header_style="bold")
    for column in ("Run", "Scenario", "Tier", "Agent", "Status", "Score", "Duration", "Cost", "Started"):
        table.add_column(column, justify="right" if column in {"Score", "Duration", "Cost"} else "left")
    for run in runs:
        agent = run.agent + (f" [{run.model}]" if run.model else "")
        if run.specialist_name:
            agent += f" +{run.specialist_name}"
        table.add_row(
            run.run_id,
            f"{run.suite}/{run.scenario}",
            run.tier,
            agent,
            status_text(run.status, run.is_successful),
            fmt_score(run.total_score),
            fmt_duration(run.duration_ms),
            fmt_cost(run.cost_usd) if run.cost_usd is not None else "—",
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    return table


def breakdown_table(title: str, rows: list[BreakdownRow]) -> Table:
    keys = list(rows[0].key) if rows else ["group"]
    table = Table(title=title, header_style="bold", title_justify="left")
    for key in keys:
        table.add_column(key.replace("_", " ").title())
    for column in ("Runs", "Success", "Mean", "Min", "Max", "Cost"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            *[str(row.key.get(k) or "—") for k in keys],
            str(row.runs),
            f"{row.successes}/{row.runs} ({fmt_pct(row.success_rate)})",
            fmt_score(row.mean_score),
            fmt_score(row.min_score),
            fmt_score(row.max_score),
            fmt_cost(row.total_cost_usd) if row.total_cost_usd is not None else "—",
        )
    return table


def batch_view(detail: BatchDetail) -> Group:
    """The design's batch details: totals, success rate, breakdowns, failed runs, controls."""
    s = detail.summary
    grid = Table.grid(padding=(0, 2))
    grid.add_row("Batch", s.batch_id)
    grid.add_row("Status", "completed" if s.completed_at else "running or interrupted")
    grid.add_row("Created", s.created_at.strftime("%Y-%m-%d %H:%M:%S %Z"))
    grid.add_row("Runs", f"{s.runs}  ({', '.join(f'{k} {v}' for k, v in sorted(s.status_counts.items()))})")
    grid.add_row("Success rate", f"{s.successes}/{s.runs} ({fmt_pct(s.success_rate)})")
    if s.mean_score is not None:
        spread = f" ± {s.std_score:.3f}" if s.std_score is not None else ""
        grid.add_row(
            "Score",
            f"{fmt_score(s.mean_score, 3)}{spread}  (min {fmt_score(s.min_score)} – max {fmt_score(s.max_score)})",
        )
    grid.add_row("Duration", fmt_duration(s.duration_ms))
    grid.add_row("Cost", fmt_cost(s.total_cost_usd) if s.total_cost_usd is not None else "—")
    parts: list[RenderableType] = [Panel(grid, title="Batch", border_style="cyan", expand=False)]
    for title, rows in (
        ("By scenario", detail.by_scenario),
        ("By tier", detail.by_tier),
        ("By agent / model", detail.by_agent_model),
        ("By evaluator", detail.by_evaluator),
    ):
        if rows:
            parts.append(breakdown_table(title, rows))
    if detail.controls:
        controls = Table(
            title="Warmup (control on the pristine fixture)", header_style="bold", title_justify="left"
        )
        controls.add_column("Scenario")
        controls.add_column("Result")
        controls.add_column("Commands")
        controls.add_column("Tests", overflow="fold")
        for control in detail.controls:
            controls.add_row(
                f"{control.suite}/{control.scenario}",
                Text("passes", style="green") if control.passed else Text("fails", style="yellow"),
                _commands_line(control.commands),
                control_line(control) if control.tests is not None else Text("—", style="dim"),
            )
        parts.append(controls)
    if detail.failed_runs:
        failed = Table(title="Failed runs", header_style="bold", title_justify="left")
        failed.add_column("Run")
        failed.add_column("Scenario")
        failed.add_column("Status")
        failed.add_column("Reason", overflow="fold")
        for run in detail.failed_runs:
            failed.add_row(
                run.run_id,
                f"{run.scenario} {run.tier}",
                str(run.status.value),
                run.reason or "below threshold",
            )
        parts.append(failed)
    parts.append(runs_table(detail.runs, title="Runs"))
    return Group(*parts)
