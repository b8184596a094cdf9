"""Pure helpers of the dashboard: diff parsing, trajectory parsing, SVG escaping, number formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from dashboard_seed import DIFF, IMG, SCRIPT, trajectory

from zebench.dashboard.charts import Bar, Point, bar_chart, hbar_chart, scatter, score_histogram
from zebench.dashboard.compare import parse_ids
from zebench.dashboard.core import active_nav
from zebench.dashboard.formatting import ago, duration, pct, score_class, signed, usd
from zebench.dashboard.views import MAX_DIFF_CHARS, parse_diff, parse_trajectory


def test_parse_diff_splits_files_and_numbers_lines() -> None:
    parsed = parse_diff(DIFF)
    assert [f.path for f in parsed.files] == ["src/app.py", "tests/test_app.py"]
    app = parsed.files[0]
    assert (app.added, app.removed) == (2, 1)
    kinds = [line.kind for line in app.lines]
    assert kinds[:5] == ["meta"] * 4 + ["hunk"]
    removed = next(line for line in app.lines if line.kind == "del")
    assert removed.text == "-def main():" and removed.old == 2 and removed.new is None
    added = [line for line in app.lines if line.kind == "add"]
    assert [a.new for a in added] == [2, 3]
    assert not parsed.truncated


def test_parse_diff_without_git_headers_and_huge_patches() -> None:
    plain = parse_diff("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n")
    assert [f.path for f in plain.files] == ["x.py"]
    big = parse_diff("diff --git a/f b/f\n@@ -1,1 +1,1 @@\n" + "+x\n" * MAX_DIFF_CHARS)
    assert big.truncated


def test_parse_trajectory_kinds_and_problems() -> None:
    view = parse_trajectory(trajectory(hostile=True))
    assert view.total == 7 and view.problem is None
    tool = view.steps[3]
    assert tool.type == "tool_call" and tool.title == "read_file"
    assert SCRIPT in json.loads(tool.arguments or "{}")["path"]
    assert tool.preview is not None and tool.preview.startswith("path: src/app.py")
    assert view.steps[4].error is not None and view.steps[2].offset_s == 1.0
    assert parse_trajectory('{"steps": []}').total == 0
    assert "not valid JSON" in (parse_trajectory("{nope").problem or "")
    assert parse_trajectory('"text"').problem == "the trajectory is not a list of steps"
    odd = parse_trajectory('[{"type": "weird"}]')
    assert odd.steps[0].type == "unknown"


def test_charts_escape_every_label_and_tooltip() -> None:
    bars = [Bar(label=IMG, value=0.5, tooltip=SCRIPT)]
    for svg in (
        bar_chart(bars, title=SCRIPT, x_label=IMG, y_label=IMG),
        hbar_chart(bars, title=SCRIPT, x_label=IMG),
        scatter([Point(0.1, 0.5, IMG, SCRIPT)], title=SCRIPT, x_label=IMG, y_label=IMG),
    ):
        assert "<script" not in svg and "<img" not in svg
        assert "&lt;script&gt;" in svg and "<svg" in svg
    assert "No data yet" in hbar_chart([], title="t", x_label="x")
    assert "No data yet" in score_histogram([0] * 10) and "<rect" not in score_histogram([0] * 10)
    histogram = score_histogram([0, 1, 0, 0, 0, 0, 0, 2, 0, 5])
    assert histogram.count("<rect") == 10 and "5 run(s) scored 0.9–1.0" in histogram


def test_formatting() -> None:
    assert (pct(0.6154, 1), pct(None)) == ("61.5%", "—")
    assert (usd(0.02), usd(12.5)) == ("$0.0200", "$12.50")
    assert (duration(850), duration(12_300), duration(245_000), duration(7_380_000)) == (
        "850 ms",
        "12.3 s",
        "4m 05s",
        "2h 03m",
    )
    assert (score_class(0.95), score_class(0.7), score_class(0.2), score_class(None)) == (
        "s-good",
        "s-ok",
        "s-bad",
        "s-none",
    )
    assert (signed(0.051), signed(-0.1, "pct"), signed(0.0)) == ("+0.051", "−10.0 pp", "±0.000")
    now = datetime(2025, 1, 2, tzinfo=UTC)
    assert ago(now - timedelta(hours=3), now) == "3 h ago"


def test_ids_and_nav() -> None:
    assert parse_ids(["a,b", "b", " c "]) == ["a", "b", "c"]
    assert active_nav("/batches/compare") == "/batches/compare"
    assert active_nav("/batches/batch_1") == "/batches"
    assert active_nav("/runs/run_1") == "/runs"
    assert active_nav("/") == "/"
