"""Inline SVG for the baseline-vs-specialist view: a confidence-interval plot and diverging bars.

Both are centred on 0 (no difference) with a symmetric scale, so the eye reads the sign and the size of
an effect at once and an interval that crosses 0 visibly does. Text is escaped via ``charts``' helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from zebench.dashboard.charts import _empty, _num, _svg, _text

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
    width: int = 560,
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
    # they are pushed outwards.
    gap = max(0.0, 70 - (hx - lx)) / 2
    body.append(_text(lx - gap, mid_y - 14, _fmt(low), "chart-value", "middle"))
    body.append(_text(hx + gap, mid_y - 14, _fmt(high), "chart-value", "middle"))
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Delta:
    """One row of a diverging bar chart: its label, its signed value (None: not comparable), a tooltip."""

    label: str
    value: float | None
    tooltip: str = ""


def diverging_bars(
    rows: Sequence[Delta],
    *,
    title: str,
    x_label: str,
    width: int = 620,
    label_width: int = 190,
) -> Markup:
    """Horizontal bars growing right (specialist better) or left (worse) from a 0 line."""
    row_h = 22
    top, bottom = 8, 40
    if not rows:
        return _empty(width, 80, title)
    height = top + bottom + row_h * len(rows)
    pad = 48  # room for the value text at the end of the longest bars
    left = label_width + pad
    plot_w = width - left - pad
    span = _span([r.value for r in rows])
    zero = left + plot_w / 2
    plot_bottom = top + row_h * len(rows)
    body: list[str] = []
    for i, row in enumerate(rows):
        y = top + i * row_h
        label = row.label if len(row.label) <= 28 else row.label[:27] + "…"
        body.append(_text(label_width - 6, y + row_h / 2 + 4, label, "chart-tick", "end"))
        if row.value is None:
            tip = row.tooltip or f"{row.label}: only one arm ran"
            body.append(
                f'<g class="chart-na"><title>{escape(tip)}</title>'
                + _text(zero + 6, y + row_h / 2 + 4, "one arm only", "chart-value", "start")
                + "</g>"
            )
            continue
        w = abs(row.value) / span * (plot_w / 2)
        tone = "good" if row.value > 0 else ("bad" if row.value < 0 else "neutral")
        x0 = zero if row.value >= 0 else zero - w
        tip = row.tooltip or f"{row.label}: {row.value:+.3f}"
        body.append(
            f'<g class="chart-bar tone-{tone}"><title>{escape(tip)}</title>'
            f'<rect x="{_num(x0)}" y="{_num(y + 4)}" width="{_num(max(w, 0.5))}" height="{row_h - 8}"/></g>'
        )
        if row.value >= 0:
            body.append(_text(zero + w + 4, y + row_h / 2 + 4, _fmt(row.value), "chart-value", "start"))
        else:
            body.append(_text(zero - w - 4, y + row_h / 2 + 4, _fmt(row.value), "chart-value", "end"))
    body.append(
        f'<line x1="{_num(zero)}" y1="{top}" x2="{_num(zero)}" y2="{plot_bottom}" class="chart-zero"/>'
    )
    body.append(
        f'<line x1="{left}" y1="{plot_bottom}" x2="{left + plot_w}" y2="{plot_bottom}" class="chart-axis"/>'
    )
    for tick, anchor in ((-span, "start"), (0.0, "middle"), (span, "end")):
        tx = zero + tick / span * (plot_w / 2)
        body.append(_text(tx, plot_bottom + 13, _fmt(tick), "chart-tick", anchor))
    body.append(_text(left + plot_w / 2, height - 6, x_label, "chart-label"))
    return _svg(width, height, title, body)
