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
    note: str | None = None  # shown instead of the value, with no bar (e.g. "not scored")


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
    width: int = 400,
    height: int = 220,
    value_format: str = "{:.0f}",
) -> Markup:
    """Vertical bars (a histogram when the labels are buckets), with axes, labels and tooltips."""
    if not bars:
        return _empty(width, height, title)
    left, right, top, bottom = 52, 10, 14, 42
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


@dataclass(frozen=True)
class Row:
    """One row of a row chart: its label, the bar drawn in the row's track, the value text, a tooltip."""

    label: str
    track: str  # SVG elements in the track's coordinates (see ``row_chart``), already escaped
    value: str
    tooltip: str
    muted: bool = False  # the value is a note ("one arm only"), not a number


def _breakable(label: str) -> Markup:
    """``label`` escaped, with a line-break opportunity after each "/" so paths wrap between parts."""
    return Markup(str(escape(label)).replace("/", "/<wbr>"))


def row_chart(
    rows: Sequence[Row], *, title: str, axis: tuple[str, str, str], track_box: tuple[int, int]
) -> Markup:
    """Horizontal bars as HTML rows: a label that wraps, a small SVG track per row, the value text.

    Labels are HTML text rather than SVG text so the browser wraps them to the width it really has
    (a phone or a half-width card) instead of the server guessing and cutting them; each track is an
    SVG stretched to its cell (``preserveAspectRatio="none"``), ``track_box`` = (x of its left edge,
    width) in the track's own units, 10 high. ``axis`` is (low tick, axis title, high tick).
    """
    if not rows:
        return Markup(
            '<figure class="chart rows empty" aria-label="{0}"><p class="empty">No data yet</p></figure>'
        ).format(title)
    x0, span = track_box
    parts = [f'<figure class="chart rows" role="group" aria-label="{escape(title)}">']
    for row in rows:
        tip = escape(row.tooltip)
        parts.append(
            f'<span class="row-label" title="{tip}">{_breakable(row.label)}</span>'
            f'<svg class="row-track" viewBox="{x0} 0 {span} 10" preserveAspectRatio="none" '
            f'aria-hidden="true" xmlns="http://www.w3.org/2000/svg"><title>{tip}</title>{row.track}</svg>'
            f'<span class="row-value{" muted" if row.muted else ""}">{escape(row.value)}</span>'
        )
    low, name, high = axis
    parts.append(
        '<span class="row-axis-pad"></span>'
        f'<span class="row-axis"><span>{escape(low)}</span><span class="row-axis-name">{escape(name)}</span>'
        f"<span>{escape(high)}</span></span>"
        '<span class="row-axis-pad"></span></figure>'
    )
    return Markup("".join(parts))


def hbar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    x_label: str,
    max_value: float | None = 1.0,
    value_format: ValueFormat = SCORE,
    marker: float | None = None,
) -> Markup:
    """Horizontal bars, one row per group (breakdowns); ``marker`` draws a vertical threshold line."""
    peak = max_value if max_value else (max((b.value for b in bars), default=0.0) or 1.0)
    rows = []
    for bar in bars:
        w = max(0.0, min(bar.value, peak)) / peak * 100
        track = '<rect x="0" y="0" width="100" height="10" class="row-bg"/>'
        if bar.note is None:
            track += (
                f'<g class="chart-bar tone-{escape(bar.tone)}">'
                f'<rect x="0" y="1" width="{_num(max(w, 0.4))}" height="8"/></g>'
            )
        if marker is not None:
            mx = min(marker, peak) / peak * 100
            track += (
                f'<line x1="{_num(mx)}" y1="0" x2="{_num(mx)}" y2="10" class="chart-marker" '
                'vector-effect="non-scaling-stroke"/>'
            )
        tip = bar.tooltip or f"{bar.label}: {value_format.format(bar.value)}"
        if marker is not None:
            tip += f" (threshold {marker:.2f})"
        value = value_format.format(bar.value) if bar.note is None else bar.note
        rows.append(Row(bar.label, track, value, tip, muted=bar.note is not None))
    axis = (value_format.format(0), x_label, value_format.format(peak))
    return row_chart(rows, title=title, axis=axis, track_box=(0, 100))


def _point_groups(xy: Sequence[tuple[float, float]], radius: float = 12.0) -> list[list[int]]:
    """Indexes of points drawn within ``radius`` of each other, so they share one number label."""
    groups: list[list[int]] = []
    for i, (x, y) in enumerate(xy):
        for group in groups:
            gx, gy = xy[group[0]]
            if abs(gx - x) < radius and abs(gy - y) < radius:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def scatter(
    points: Sequence[Point],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 400,
    height: int = 260,
    x_format: str = "${:.3f}",
    y_format: ValueFormat = SCORE,
    y_max: float = 1.0,
) -> Markup:
    """A scatter (score vs cost): numbered points, axes with ticks, and a legend naming each number.

    The names go in an HTML legend under the plot, where they wrap, rather than beside the points,
    where long names ran off the chart and overlapped their neighbours.
    """
    if not points:
        return _empty(width, height, title)
    left, right, top, bottom = 54, 26, 14, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max(p.x for p in points) * 1.1 or 1.0
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="chart-axis"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="chart-axis"/>',
    ]
    for frac, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        y = top + plot_h - frac * plot_h
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" class="chart-grid"/>'
        )
        body.append(_text(left - 6, y + 4, y_format.format(y_max * frac), "chart-tick", "end"))
        x = left + frac * plot_w
        body.append(_text(x, top + plot_h + 14, x_format.format(x_max * frac), "chart-tick", anchor))
    xy = [
        (
            left + max(0.0, p.x) / x_max * plot_w,
            top + plot_h - max(0.0, min(p.y, y_max)) / y_max * plot_h,
        )
        for p in points
    ]
    for p, (cx, cy) in zip(points, xy, strict=True):
        tip = p.tooltip or f"{p.label}: {y_format.format(p.y)} at {x_format.format(p.x)}"
        body.append(
            f'<g class="chart-point tone-{escape(p.tone)}"><title>{escape(tip)}</title>'
            f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="5"/></g>'
        )
    for group in _point_groups(xy):
        cx, cy = xy[group[0]]
        numbers = ",".join(str(i + 1) for i in group)
        # Numbers near the right edge go on the left of their point so they stay inside the chart.
        anchor, dx = ("end", -8) if cx > left + plot_w * 0.7 else ("start", 8)
        body.append(_text(cx + dx, cy + 4, numbers, "chart-point-label", anchor))
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
    legend = "".join(
        f'<li><span class="legend-dot tone-{escape(p.tone)}"></span>{escape(p.tooltip or p.label)}</li>'
        for p in points
    )
    return Markup(
        f'<figure class="chart-figure">{_svg(width, height, title, body)}'
        f'<ol class="chart-legend">{legend}</ol></figure>'
    )


def score_histogram(buckets: Sequence[int]) -> Markup:
    """The overview's score distribution: ten 0.1-wide buckets of total score ("No data yet" without any)."""
    if not any(buckets):
        return _empty(400, 120, "Score distribution")
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
