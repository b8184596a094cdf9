"""Rich renderings of runs, batches and comparisons (the design document's results panel)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from zebench.cli.tests_view import control_line, summary_line
from zebench.results.models import CommandResult, ControlResult, EvaluationResult, RunRecord, RunStatus
from zebench.results.ranges import is_cost
from zebench.scoring import format_out_of_ten, format_score, summarize
from zebench.store.ids import short_ids
from zebench.store.queries import BatchDetail, BreakdownRow, RunSummary


def fmt_score(score: float | None, digits: int = 2) -> str:
    """A score rounded down: a failing 0.9975 reads 0.99, never 1.00 (``zebench.results.scores``)."""
    return format_score(score, digits)


def fmt_ten(score: float | None) -> str:
    """A 0..1 score out of ten, rounded down like ``fmt_score`` (0.9975 → ``9.97/10``)."""
    return format_out_of_ten(score)


# C0 and C1 control characters (but tab and newline) and the bidirectional overrides: what an agent
# could use to move the cursor, retitle the terminal or make text read other than it is.
_UNPRINTABLE = {
    code: f"\\x{code:02x}" for code in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]
} | {code: f"\\u{code:04x}" for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def printable(text: str) -> Text:
    """Agent-written text for the terminal: control characters shown as escapes, never obeyed.

    A ``Text`` (not a str) so Rich applies no markup or emoji codes to it either.
    """
    return Text(text.replace("\r\n", "\n").replace("\r", "\n").translate(_UNPRINTABLE))


def fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def fmt_cost(cost: float | None) -> str:
    if cost is None:
        return "unknown"
    if not is_cost(cost):
        return f"${cost:.3g}"
    return f"${cost:.4f}" if cost < 1 else f"${cost:,.2f}"


def fmt_duration(ms: float | int | None) -> str:
    if ms is None:
        return "—"
    seconds = ms / 1000
    return f"{seconds:.1f}s" if seconds < 120 else f"{seconds / 60:.1f}m"


LEGEND = (
    "Legend: ✓ full marks   ⚠ partial   ✗ failed   – skipped (not in the total)\n"
    "        * required: if it fails, the run fails whatever its total; scores are rounded down"
)


def legend() -> Text:
    """What the marks of a results panel mean, for under it."""
    return Text(LEGEND, style="dim")


def mark(result: EvaluationResult) -> Text:
    """✓ full marks, ⚠ partial, ✗ failed or errored (or a required one that did not pass), – skipped."""
    if result.status == "skipped":
        return Text("–", style="dim")
    if result.status == "error" or not result.score or (result.required and not result.passed):
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


def verdict_detail(record: RunRecord) -> Text:
    """The Total row's details: x/10 against the threshold and, for a FAIL, why, right there."""
    text = Text()
    if record.score_out_of_ten is not None:  # none for a total an older server stored out of range
        text.append(f"{fmt_ten(record.total_score)}, threshold {record.success_threshold:.2f}")
    if not record.is_successful and record.reason:
        reason = printable(("; " if text else "") + record.reason)
        reason.stylize("red")
        text.append_text(reason)
    return text


def run_panel(record: RunRecord, control: ControlResult | None = None) -> Panel:
    """The results panel: scores per evaluator, total, PASS/FAIL, telemetry, ids."""
    parts: list[RenderableType] = [_run_header(record), Text(""), _run_ids(record)]
    if record.validation or control:
        parts += [Text(""), Text("Validation", style="bold"), _validation_grid(record, control)]
    if record.evaluations:
        parts += [Text(""), Text("Scores", style="bold"), _scores_table(record)]
    parts += [Text(""), Text("Telemetry", style="bold"), _telemetry_grid(record)]
    return Panel(Group(*parts), title="zebench", border_style="cyan", expand=False)


def _run_header(record: RunRecord) -> Text:
    """The panel's first line (passed, failed or the run's status) and the run's reason under it."""
    header = Text()
    if record.status == RunStatus.COMPLETED and record.is_successful:
        header.append("✓ Benchmark passed", style="bold green")
    elif record.status == RunStatus.COMPLETED:
        header.append("✗ Benchmark failed", style="bold red")
    else:
        header.append(f"✗ Run {record.status.value.replace('_', ' ')}", style="bold magenta")
    if record.reason:
        reason = printable(f"\n  {record.reason}")
        reason.stylize("dim")
        header.append_text(reason)
    return header


def _run_ids(record: RunRecord) -> Table:
    """Run, batch, scenario, agent and specialist, each on its own unfolded line."""
    ids = Table.grid(padding=(0, 2))
    ids.add_column()
    ids.add_column(no_wrap=True)  # ids are copied from here: never folded
    # Stored strings are data, never Rich markup: a model "[x]" would vanish, a "[/x]" would crash.
    ids.add_row("Run ID", printable(record.run_id))
    ids.add_row("Batch ID", printable(record.batch_id))
    ids.add_row("Scenario", printable(f"{record.suite}/{record.scenario} ({record.tier})"))
    ids.add_row("Agent", printable(record.agent + (f" [{record.model}]" if record.model else "")))
    if record.specialist_name:
        specialist = f"{record.specialist_name} {record.specialist_version or ''}".strip()
        ids.add_row("Specialist", printable(specialist))
    return ids


def _scores_table(record: RunRecord) -> Table:
    """One row per evaluator, then the Total row with the verdict."""
    scores = Table(box=None, show_header=True, header_style="bold", padding=(0, 2))
    scores.add_column("Evaluator")
    scores.add_column("Score", justify="right")
    scores.add_column("Weight", justify="right")
    scores.add_column("")
    scores.add_column("Details", overflow="fold", max_width=60)
    for evaluation in record.evaluations:
        score = "skipped" if evaluation.status == "skipped" else f"{fmt_score(evaluation.score)} / 1.00"
        name = evaluation.name + (" *" if evaluation.required else "")
        scores.add_row(
            printable(name), score, f"{evaluation.weight:g}", mark(evaluation), printable(evaluation.summary)
        )
    if record.evaluations:
        total = Text(f"{fmt_score(record.total_score)} / 1.00")
        scores.add_row(
            Text("Total", style="bold"),
            total,
            "",
            status_text(record.status, record.is_successful),
            verdict_detail(record),
        )
    return scores


def _telemetry_grid(record: RunRecord) -> Table:
    """Duration, tokens, cost, judge, model calls, tool calls and changed files."""
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
    gateway = record.metadata.get("model_gateway")
    tele.add_row("Cost", _cost_text(record, gateway))
    if telemetry.judge_cost_usd is not None or telemetry.judge_tokens.total:
        tele.add_row(
            "Judge", f"{telemetry.judge_tokens.total:,} tokens, {fmt_cost(telemetry.judge_cost_usd)}"
        )
    if isinstance(gateway, dict):
        wires = ", ".join(gateway.get("wires") or [])
        tele.add_row(
            "Model calls", f"{gateway.get('calls', 0)} through the gateway" + (f" ({wires})" if wires else "")
        )
    counts = ", ".join(f"{name} {n}" for name, n in sorted(telemetry.tool_call_counts.items()))
    tele.add_row("Tool calls", printable(f"{telemetry.tool_calls}" + (f" ({counts})" if counts else "")))
    if record.changed_files:
        tele.add_row("Changed", f"{len(record.changed_files)} file(s)")
    return tele


def _cost_text(record: RunRecord, gateway: object) -> str:
    """The run's cost, its kind, and what it would have cost without the gateway's prompt cache."""
    telemetry = record.telemetry
    cost = fmt_cost(telemetry.cost_usd)
    if telemetry.cost_kind:
        cost += f" ({telemetry.cost_kind})"
    uncached = gateway.get("cost_without_cache_usd") if isinstance(gateway, dict) else None
    if isinstance(uncached, int | float) and telemetry.cost_usd is not None:
        cost += f"; {fmt_cost(uncached)} without the prompt cache"
    return cost


def _validation_grid(record: RunRecord, control: ControlResult | None) -> Table:
    """The control's commands on the pristine fixture beside the agent's, with their tests."""
    validation = Table.grid(padding=(0, 2))
    if control is not None:
        validation.add_row("Control (pristine)", _commands_line(control.commands))
        if control.tests is not None:
            validation.add_row("  its tests", control_line(control))
    if record.validation:
        validation.add_row("After the agent", _commands_line(record.validation))
        if record.tests is not None:
            validation.add_row("  its tests", summary_line(record.tests))
    return validation


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
    shown = short_ids(r.run_id for r in failed)
    for record in failed:
        grid.add_row(
            Text("✗", style="red"),
            Text.assemble(
                (shown[record.run_id], "bold"), ": ", printable(record.reason or record.status.value)
            ),
        )
    return Panel(grid, title="Batch summary", border_style="cyan", expand=False)


def id_labels(ids: Iterable[str], wide: bool) -> dict[str, str]:
    """How a list shows ids: whole with ``--wide``, else each by its shortest unique end."""
    return {i: i for i in ids} if wide else short_ids(ids)


def add_id_column(table: Table, header: str, labels: dict[str, str]) -> None:
    """A column of ids that Rich never folds or ellipsizes: it is as wide as the longest id."""
    width = max((len(label) for label in labels.values()), default=len(header))
    table.add_column(header, no_wrap=True, min_width=max(width, len(header)))


SHORT_IDS_NOTE = "ids shortened: any unique start or end of an id works; --wide shows them whole"


def runs_table(
    runs: list[RunSummary],
    title: str | None = None,
    *,
    wide: bool = False,
    labels: dict[str, str] | None = None,
) -> Table:
    """Runs as rows; ids shortened to their unique end unless ``wide`` (or as ``labels`` says)."""
    labels = labels if labels is not None else id_labels((r.run_id for r in runs), wide)
    table = Table(title=title, header_style="bold", title_justify="left")
    add_id_column(table, "Run", labels)
    for column in ("Scenario", "Tier", "Agent", "Status", "Score", "Duration", "Cost", "Started"):
        table.add_column(column, justify="right" if column in {"Score", "Duration", "Cost"} else "left")
    for run in runs:
        agent = run.agent + (f" [{run.model}]" if run.model else "")
        if run.specialist_name:
            agent += f" +{run.specialist_name}"
        table.add_row(
            printable(labels[run.run_id]),
            printable(f"{run.suite}/{run.scenario}"),
            printable(run.tier),
            printable(agent),
            status_text(run.status, run.is_successful),
            fmt_score(run.total_score),
            fmt_duration(run.duration_ms),
            fmt_cost(run.cost_usd) if run.cost_usd is not None else "—",
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    return table


def breakdown_table(title: str | Text, rows: list[BreakdownRow]) -> Table:
    keys = list(rows[0].key) if rows else ["group"]
    table = Table(title=title, header_style="bold", title_justify="left")
    for key in keys:
        table.add_column(key.replace("_", " ").title())
    for column in ("Runs", "Success", "Mean", "Min", "Max", "Cost"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            *[printable(str(row.key.get(k) or "—")) for k in keys],
            str(row.runs),
            f"{row.successes}/{row.runs} ({fmt_pct(row.success_rate)})",
            fmt_score(row.mean_score),
            fmt_score(row.min_score),
            fmt_score(row.max_score),
            fmt_cost(row.total_cost_usd) if row.total_cost_usd is not None else "—",
        )
    return table


def batch_view(detail: BatchDetail, *, wide: bool = False) -> Group:
    """The design's batch details: totals, success rate, breakdowns, failed runs, controls."""
    s = detail.summary
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(no_wrap=True)
    grid.add_row("Batch", printable(s.batch_id))
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
                printable(f"{control.suite}/{control.scenario}"),
                Text("passes", style="green") if control.passed else Text("fails", style="yellow"),
                _commands_line(control.commands),
                control_line(control) if control.tests is not None else Text("—", style="dim"),
            )
        parts.append(controls)
    # One labelling for both tables: a failed run reads the same in both.
    labels = id_labels([r.run_id for r in detail.runs] + [r.run_id for r in detail.failed_runs], wide)
    if detail.failed_runs:
        failed = Table(title="Failed runs", header_style="bold", title_justify="left")
        add_id_column(failed, "Run", labels)
        failed.add_column("Scenario")
        failed.add_column("Status")
        failed.add_column("Reason", overflow="fold")
        for run in detail.failed_runs:
            failed.add_row(
                printable(labels[run.run_id]),
                printable(f"{run.scenario} {run.tier}"),
                str(run.status.value),
                printable(run.reason or "below threshold"),
            )
        parts.append(failed)
    parts.append(runs_table(detail.runs, title="Runs", labels=labels))
    if not wide and any(labels[i] != i for i in labels):
        parts.append(Text(SHORT_IDS_NOTE, style="dim"))
    return Group(*parts)
