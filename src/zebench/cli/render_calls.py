"""The model-call timeline of a run (the gateway's ``model_calls`` artifact) as a Rich table."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from zebench.cli.render import fmt_cost, fmt_duration
from zebench.results.model_calls import ModelCall

MAX_ROWS = 200  # a longer log is summarised in the table's caption; --json has every call


def _settings(call: ModelCall) -> str:
    s = call.settings
    parts = []
    if s.temperature is not None:
        parts.append(f"t={s.temperature:g}")
    if s.max_tokens is not None:
        parts.append(f"max={s.max_tokens}")
    if s.reasoning_effort:
        parts.append(f"effort={s.reasoning_effort}")
    if s.thinking_budget is not None:
        parts.append(f"think={s.thinking_budget}")
    text = " ".join(parts) or "—"
    return text + (" (pinned)" if s.pinned else "")


def calls_table(calls: list[ModelCall]) -> Table:
    """One row per call: when (from the first call), wire, model, status, latency, tokens, cost."""
    start = min((c.started_at for c in calls), default=0.0)
    table = Table(title="Model calls (the gateway's record)", header_style="bold", title_justify="left")
    for column in (
        "#",
        "At",
        "Wire",
        "Model",
        "Status",
        "Latency",
        "In",
        "Out",
        "Cache r/w",
        "Cost",
        "Settings",
    ):
        table.add_column(column, justify="right" if column in ("#", "In", "Out", "Cost") else "left")
    for call in calls[:MAX_ROWS]:
        status = Text(str(call.status) if call.status is not None else "—")
        if call.error_class is not None:
            status = Text(
                f"{call.status} {call.error_class}", style="red" if call.error_class == "infra" else "yellow"
            )
        model = call.model or call.model_requested or "—"
        if call.model_requested and call.model and call.model != call.model_requested:
            model = f"{call.model_requested} → {call.model}"
        usage = call.usage
        table.add_row(
            str(call.index),
            f"+{call.started_at - start:.1f}s",
            call.wire + (" (stream)" if call.stream else ""),
            Text(model),
            status,
            fmt_duration(call.latency_ms),
            f"{usage.input:,}",
            f"{usage.output:,}" + (f" ({usage.reasoning:,} r)" if usage.reasoning else ""),
            f"{usage.cache_read:,}/{usage.cache_write:,}",
            fmt_cost(call.cost_usd),
            _settings(call),
        )
    notes = []
    if len(calls) > MAX_ROWS:
        notes.append(f"{len(calls) - MAX_ROWS} more call(s): zebench run ID --json")
    withheld = sorted({name for c in calls for name in c.withheld_tools})
    if withheld:
        notes.append(f"provider tools withheld: {', '.join(withheld)}")
    if notes:
        table.caption = "; ".join(notes)
    return table


def usage_check_line(check: dict[str, Any]) -> Text | None:
    """One line when the agent's own usage figure differs from the gateway's."""
    if not check or check.get("match", True):
        return None
    delta = ", ".join(f"{k} {v:+,}" for k, v in (check.get("delta") or {}).items())
    return Text(f"usage mismatch: the agent reported {delta} against the gateway's record", style="yellow")
