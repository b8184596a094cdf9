"""Inline SVG for the baseline-vs-specialist view: a confidence-interval plot and diverging bars.

Both are centred on 0 (no difference) with a symmetric scale, so the eye reads the sign and the size of
an effect at once and an interval that crosses 0 visibly does. Text is escaped via ``charts``' helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from zebench.dashboard.charts import Row, _empty, _num, _svg, _text, row_chart

# The smallest half-range drawn: a ±0.001 effect should look small, not fill the chart.
MIN_SPAN = 0.05


def _span(values: Sequence[float | None]) -> float:
    """Half the width of a symmetric scale around 0 that holds every value, with some air."""
    peak = max((abs(v) for v in values if v is not None), default=0.0)
    return max(peak * 1.15, MIN_SPAN)


def _fmt(value: float) -> str:
    # The typographic minus, like the ``signed`` filter of the tables next to the charts.
    return f"{value:+.3f}".replace("-", "−") if value else "0"


def interval_plot(
    estimate: float | None,
    low: float | None,
    high: float | None,
    *,
    level: float = 0.95,
    tone: str = "neutral",
    width: int = 400,
) -> Markup:
    """The estimate as a dot and its confidence interval as a bar with whiskers, on an axis around 0."""
    title = f"{level:.0%} confidence interval of the specialist's effect"
    height = 96
    if estimate is None or low is None or high is None:
        return _empty(width, height, title)
    left, right = 30, 30
    plot_w = width - left - right
    span = _span([estimate, low, high])
    mid_y = 44

    def x(value: float) -> float:
        return left + (value + span) / (2 * span) * plot_w

    body = [f'<line x1="{left}" y1="{mid_y}" x2="{left + plot_w}" y2="{mid_y}" class="chart-grid"/>']
    for tick in (-span, -span / 2, 0.0, span / 2, span):
        tx = x(tick)
        body.append(
            f'<line x1="{_num(tx)}" y1="{mid_y + 18}" x2="{_num(tx)}" y2="{mid_y + 22}" class="chart-axis"/>'
        )
        body.append(_text(tx, mid_y + 35, _fmt(tick), "chart-tick"))
    body.append(
        f'<line x1="{left}" y1="{mid_y + 18}" x2="{left + plot_w}" y2="{mid_y + 18}" class="chart-axis"/>'
    )
    zero = x(0.0)
    body.append(
        f'<line x1="{_num(zero)}" y1="10" x2="{_num(zero)}" y2="{mid_y + 18}" class="chart-zero">'
        "<title>0: no difference</title></line>"
    )
    lx, hx, ex = x(low), x(high), x(estimate)
    tip = f"estimate {estimate:+.4f}, {level:.0%} CI [{low:+.4f}, {high:+.4f}]"
    body.append(
        f'<g class="ci tone-{escape(tone)}"><title>{escape(tip)}</title>'
        f'<line x1="{_num(lx)}" y1="{mid_y}" x2="{_num(hx)}" y2="{mid_y}" class="ci-bar"/>'
        f'<line x1="{_num(lx)}" y1="{mid_y - 9}" x2="{_num(lx)}" y2="{mid_y + 9}" class="ci-whisker"/>'
        f'<line x1="{_num(hx)}" y1="{mid_y - 9}" x2="{_num(hx)}" y2="{mid_y + 9}" class="ci-whisker"/>'
        f'<circle cx="{_num(ex)}" cy="{mid_y}" r="6" class="ci-point"/></g>'
    )
    # Bound labels sit above their whisker; when the interval is narrow they would collide, so
    # they are pushed outwards, but never past the chart's edges.
    gap = max(0.0, 70 - (hx - lx)) / 2
    edge = 24  # half the width of a bound label such as "−0.125"
    body.append(_text(max(edge, lx - gap), mid_y - 14, _fmt(low), "chart-value", "middle"))
    body.append(_text(min(width - edge, hx + gap), mid_y - 14, _fmt(high), "chart-value", "middle"))
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Delta:
    """One row of a diverging bar chart: its label, its signed value (None: not comparable), a tooltip."""

    label: str
    value: float | None
    tooltip: str = ""


def diverging_bars(rows: Sequence[Delta], *, title: str, x_label: str) -> Markup:
    """Horizontal bars growing right (specialist better) or left (worse) from a 0 line.

    Drawn as ``charts.row_chart`` rows, so scenario names wrap instead of being cut.
    """
    span = _span([r.value for r in rows])
    out: list[Row] = []
    for row in rows:
        zero_line = (
            '<line x1="0" y1="0" x2="0" y2="10" class="chart-zero" vector-effect="non-scaling-stroke"/>'
        )
        if row.value is None:
            tip = row.tooltip or f"{row.label}: only one arm ran"
            out.append(Row(row.label, zero_line, "one arm only", tip, muted=True))
            continue
        w = abs(row.value) / span * 100
        tone = "good" if row.value > 0 else ("bad" if row.value < 0 else "neutral")
        x0 = 0.0 if row.value >= 0 else -w
        bar = (
            f'<g class="chart-bar tone-{tone}"><rect x="{_num(x0)}" y="1" width="{_num(max(w, 0.4))}" '
            'height="8"/></g>'
        )
        out.append(
            Row(row.label, bar + zero_line, _fmt(row.value), row.tooltip or f"{row.label}: {row.value:+.3f}")
        )
    return row_chart(out, title=title, axis=(_fmt(-span), x_label, _fmt(span)), track_box=(-100, 200))
