"""The run page's model-call timeline: one bar per call of the gateway's record, in inline SVG.

A bar starts when the call did (seconds from the run's first call) and is as long as its latency;
its colour says how it ended. The model names and errors come from the agent's traffic, so every
text is escaped (the chart helpers escape each text node and attribute).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from zebench.dashboard.charts import _empty, _num, _svg, _text
from zebench.results.model_calls import ModelCall

MAX_BARS = 120
_ROW = 16
_LEFT = 200
_WIDTH = 760


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
    """The timeline of ``calls`` (the first :data:`MAX_BARS`)."""
    title = "Model calls over time"
    if not calls:
        return _empty(_WIDTH, 60, title)
    shown = sorted(calls, key=lambda c: c.index)[:MAX_BARS]
    start = min(c.started_at for c in shown)
    end = max(c.started_at + c.latency_ms / 1000 for c in shown)
    span = max(end - start, 0.001)
    plot = _WIDTH - _LEFT - 10
    height = 30 + _ROW * len(shown)
    body: list[str] = [
        _text(_LEFT, 14, "0 s", "chart-label", anchor="start"),
        _text(_WIDTH - 10, 14, f"{span:.1f} s", "chart-label", anchor="end"),
    ]
    for row, call in enumerate(shown):
        y = 22 + row * _ROW
        x = _LEFT + (call.started_at - start) / span * plot
        width = max(2.0, call.latency_ms / 1000 / span * plot)
        label = f"#{call.index} {call.model or call.model_requested or call.wire}"
        body.append(_text(_LEFT - 6, y + 10, label[:24], "chart-label", anchor="end"))
        body.append(
            f'<g class="chart-bar tone-{_tone(call)}"><title>{escape(_tooltip(call))}</title>'
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" height="{_ROW - 4}" rx="2"></rect></g>'
        )
    return _svg(_WIDTH, height, title, body)
