"""The run page's model-call timeline: one bar per call of the gateway's record.

A bar starts when the call did (seconds from the run's first call) and is as long as its latency;
its colour says how it ended. The model names and errors come from the agent's traffic, so every
text is escaped (the chart helpers escape each text node and attribute).
"""

from __future__ import annotations

from markupsafe import Markup

from zebench.dashboard.charts import Row, _num, row_chart
from zebench.results.model_calls import ModelCall

MAX_BARS = 120
_BOX = 1000  # the track's own width units


def _tone(call: ModelCall) -> str:
    if call.error_class is None:
        return "good"
    return "bad" if call.error_class in ("infra", "interrupted") else "ok"


def _tooltip(call: ModelCall) -> str:
    usage = call.usage
    parts = [
        f"#{call.index} {call.wire}{' stream' if call.stream else ''}",
        f"model {call.model or call.model_requested or '?'}",
        f"status {call.status}" + (f" ({call.error_class})" if call.error_class else ""),
        f"{call.latency_ms} ms",
        f"{usage.input} in / {usage.output} out / {usage.cache_read} cache read / {usage.cache_write} cache written",
    ]
    if call.error:
        parts.append(call.error[:200])
    return " · ".join(parts)


def call_timeline(calls: list[ModelCall]) -> Markup:
    """The timeline of ``calls`` (the first :data:`MAX_BARS`), as the dashboard's row chart.

    Row labels are HTML text (they wrap on a phone instead of shrinking with an SVG), each track a
    stretched SVG whose 0..1000 box spans the run's calls from the first start to the last end.
    """
    title = "Model calls over time"
    shown = sorted(calls, key=lambda c: c.index)[:MAX_BARS]
    if not shown:
        return row_chart([], title=title, axis=("0 s", "time", "0 s"), track_box=(0, _BOX))
    start = min(c.started_at for c in shown)
    end = max(c.started_at + c.latency_ms / 1000 for c in shown)
    span = max(end - start, 0.001)
    rows = []
    for call in shown:
        x = (call.started_at - start) / span * _BOX
        width = max(4.0, call.latency_ms / 1000 / span * _BOX)
        track = (
            f'<rect x="0" y="0" width="{_BOX}" height="10" class="row-bg"/>'
            f'<g class="chart-bar tone-{_tone(call)}"><rect x="{_num(x)}" y="1" width="{_num(width)}" height="8"/></g>'
        )
        label = f"#{call.index} {call.model or call.model_requested or call.wire}"
        rows.append(Row(label, track, f"{call.latency_ms} ms", _tooltip(call)))
    return row_chart(
        rows, title=title, axis=("0 s", "seconds since the first call", f"{span:.1f} s"), track_box=(0, _BOX)
    )
