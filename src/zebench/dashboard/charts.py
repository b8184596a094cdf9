"""Inline SVG charts rendered on the server: bars, histograms, horizontal bars and a scatter.

The browser draws them without any script, so the CSP can forbid inline JavaScript. Every label
and tooltip may come from a run (agent or scenario names), so every text node and attribute value
is escaped with markupsafe; the result is ``Markup`` so Jinja does not escape it twice.
Colours and fonts come from CSS classes (``chart-*``) so the charts follow the page's palette.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup, escape

from zebench.scoring.display import SCORE


class ValueFormat(Protocol):
    """A ``"{:.3f}"``-style format string, or a score format (``zebench.scoring.SCORE``, rounded down)."""

    def format(self, value: float, /) -> str: ...


_FONT_PX = 11


@dataclass(frozen=True)
class Bar:
    """One bar: its axis label, its value, an optional tooltip and CSS tone (good/ok/bad/neutral)."""

    label: str
    value: float
    tooltip: str = ""
    tone: str = "neutral"


@dataclass(frozen=True)
class Point:
    """One scatter point with its label (shown next to it and in the tooltip)."""

    x: float
    y: float
    label: str
    tooltip: str = ""
    tone: str = "neutral"


def _num(value: float) -> str:
    # Two decimals keep the SVG small and stable for tests.
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _text(x: float, y: float, text: str, cls: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" class="{cls}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _empty(width: int, height: int, title: str) -> Markup:
    return _svg(width, height, title, [_text(width / 2, height / 2, "No data yet", "chart-empty")])


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 520,
    height: int = 220,
    value_format: str = "{:.0f}",
) -> Markup:
    """Vertical bars (a histogram when the labels are buckets), with axes, labels and tooltips."""
    if not bars:
        return _empty(width, height, title)
    left, right, top, bottom = 44, 10, 14, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((b.value for b in bars), default=0.0) or 1.0
    slot = plot_w / len(bars)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="chart-axis"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="chart-axis"/>',
    ]
    for tick in (0.0, 0.5, 1.0):  # gridlines at 0, half and the peak
        y = top + plot_h - tick * plot_h
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" class="chart-grid"/>'
        )
        body.append(_text(left - 6, y + 4, value_format.format(peak * tick), "chart-tick", "end"))
    for i, bar in enumerate(bars):
        h = max(0.0, bar.value) / peak * plot_h
        x = left + i * slot + slot * 0.12
        w = slot * 0.76
        tip = bar.tooltip or f"{bar.label}: {value_format.format(bar.value)}"
        body.append(
            f'<g class="chart-bar tone-{escape(bar.tone)}"><title>{escape(tip)}</title>'
            f'<rect x="{_num(x)}" y="{_num(top + plot_h - h)}" width="{_num(w)}" height="{_num(max(h, 0.5))}"/>'
            f"</g>"
        )
        if bar.value:
            body.append(_text(x + w / 2, top + plot_h - h - 3, value_format.format(bar.value), "chart-value"))
        body.append(_text(x + w / 2, top + plot_h + 14, bar.label, "chart-tick"))
    body.append(_text(left + plot_w / 2, height - 6, x_label, "chart-label"))
    body.append(
        _text(
            12,
            top + plot_h / 2,
            y_label,
            "chart-label",
            extra=f' transform="rotate(-90 12 {_num(top + plot_h / 2)})"',
        )
    )
    return _svg(width, height, title, body)


def hbar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    x_label: str,
    max_value: float | None = 1.0,
    width: int = 520,
    value_format: ValueFormat = SCORE,
    label_width: int = 170,
    marker: float | None = None,
) -> Markup:
    """Horizontal bars, one row per group (breakdowns); ``marker`` draws a vertical threshold line."""
    row_h = 22
    top, bottom = 8, 34
    height = top + bottom + row_h * max(len(bars), 1)
    if not bars:
        return _empty(width, 80, title)
    left, right = label_width, 56
    plot_w = width - left - right
    peak = max_value if max_value else (max((b.value for b in bars), default=0.0) or 1.0)
    plot_bottom = top + row_h * len(bars)
    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{plot_bottom}" class="chart-axis"/>']
    for i, bar in enumerate(bars):
        y = top + i * row_h
        w = max(0.0, min(bar.value, peak)) / peak * plot_w
        tip = bar.tooltip or f"{bar.label}: {value_format.format(bar.value)}"
        label = bar.label if len(bar.label) <= 26 else bar.label[:25] + "…"
        body.append(_text(left - 6, y + row_h / 2 + 4, label, "chart-tick", "end"))
        body.append(
            f'<g class="chart-bar tone-{escape(bar.tone)}"><title>{escape(tip)}</title>'
            f'<rect x="{left}" y="{_num(y + 4)}" width="{_num(max(w, 0.5))}" height="{row_h - 8}"/></g>'
        )
        body.append(
            _text(left + w + 4, y + row_h / 2 + 4, value_format.format(bar.value), "chart-value", "start")
        )
    if marker is not None and peak:
        mx = left + min(marker, peak) / peak * plot_w
        body.append(
            f'<line x1="{_num(mx)}" y1="{top}" x2="{_num(mx)}" y2="{plot_bottom}" class="chart-marker">'
            f"<title>{escape(f'threshold {marker:.2f}')}</title></line>"
        )
    body.append(
        f'<line x1="{left}" y1="{plot_bottom}" x2="{left + plot_w}" y2="{plot_bottom}" class="chart-axis"/>'
    )
    body.append(_text(left, plot_bottom + 13, value_format.format(0), "chart-tick", "start"))
    body.append(_text(left + plot_w, plot_bottom + 13, value_format.format(peak), "chart-tick", "end"))
    body.append(_text(left + plot_w / 2, height - 6, x_label, "chart-label"))
    return _svg(width, height, title, body)


def scatter(
    points: Sequence[Point],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 560,
    height: int = 300,
    x_format: str = "${:.3f}",
    y_format: ValueFormat = SCORE,
    y_max: float = 1.0,
) -> Markup:
    """A scatter (score vs cost): points labelled, axes with min/max ticks and titles."""
    if not points:
        return _empty(width, height, title)
    left, right, top, bottom = 48, 24, 14, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max(p.x for p in points) * 1.1 or 1.0
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="chart-axis"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="chart-axis"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h - frac * plot_h
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" class="chart-grid"/>'
        )
        body.append(_text(left - 6, y + 4, y_format.format(y_max * frac), "chart-tick", "end"))
        x = left + frac * plot_w
        body.append(_text(x, top + plot_h + 14, x_format.format(x_max * frac), "chart-tick"))
    for p in points:
        cx = left + max(0.0, p.x) / x_max * plot_w
        cy = top + plot_h - max(0.0, min(p.y, y_max)) / y_max * plot_h
        tip = p.tooltip or f"{p.label}: {y_format.format(p.y)} at {x_format.format(p.x)}"
        label = p.label if len(p.label) <= 30 else p.label[:29] + "…"
        # Labels near the right edge go on the left of their point so they stay inside the chart.
        anchor, dx = ("end", -7) if cx > left + plot_w * 0.7 else ("start", 7)
        body.append(
            f'<g class="chart-point tone-{escape(p.tone)}"><title>{escape(tip)}</title>'
            f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="5"/></g>'
        )
        body.append(_text(cx + dx, cy + 4, label, "chart-point-label", anchor))
    body.append(_text(left + plot_w / 2, height - 6, x_label, "chart-label"))
    body.append(
        _text(
            12,
            top + plot_h / 2,
            y_label,
            "chart-label",
            extra=f' transform="rotate(-90 12 {_num(top + plot_h / 2)})"',
        )
    )
    return _svg(width, height, title, body)


def score_histogram(buckets: Sequence[int]) -> Markup:
    """The overview's score distribution: ten 0.1-wide buckets of total score."""
    n = len(buckets) or 1
    bars = [
        Bar(
            label=f"{i / n:.1f}",
            value=float(c),
            tooltip=f"{c} run(s) scored {i / n:.1f}–{(i + 1) / n:.1f}",
            tone="good" if i / n >= 0.9 else ("ok" if i / n >= 0.7 else "bad"),
        )
        for i, c in enumerate(buckets)
    ]
    return bar_chart(bars, title="Score distribution", x_label="total score (bucket start)", y_label="runs")
