"""No failing score is ever shown as 1.00: one rule (round down) for the CLI and the dashboard."""

from __future__ import annotations

import pytest
from rich.console import Console

from zebench.cli.render import run_panel
from zebench.dashboard.formatting import score as dashboard_score
from zebench.results.models import EvaluationResult, RunRecord, RunStatus
from zebench.scoring import SCORE, format_out_of_ten, format_score


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [(0.9975, 2, "0.99"), (0.99999, 3, "0.999"), (1.0, 2, "1.00"), (0.29, 2, "0.29"), (0.0, 2, "0.00"),
     (0.7, 2, "0.70"), (0.655, 2, "0.65"), (None, 2, "—"), (1 / 3, 3, "0.333")],
)  # fmt: skip
def test_scores_round_down(value: float | None, digits: int, shown: str) -> None:
    assert format_score(value, digits) == shown
    assert dashboard_score(value, digits) == shown
    if value is not None:
        assert SCORE.format(value) == format_score(value)


def test_out_of_ten_rounds_down() -> None:
    assert format_out_of_ten(0.9975) == "9.97/10"
    assert format_out_of_ten(1.0) == "10.00/10"
    run = RunRecord(batch_id="b", suite="s", scenario="c", tier="L1", agent="echo", total_score=0.9999)
    assert run.score_out_of_ten == 9.99


def test_bench_panel_shows_a_failing_run_below_one() -> None:
    """The issue's panel: test 296/297 and a total of 0.9975 read 0.99 and 9.97/10, never 1.00."""
    run = RunRecord(
        batch_id="b",
        suite="realworld",
        scenario="c",
        tier="L1",
        agent="echo",
        status=RunStatus.COMPLETED,
        total_score=0.9975,
        evaluations=[
            EvaluationResult(
                name="test", score=296 / 297, weight=3, required=True, summary="296/297 tests passed"
            ),
            EvaluationResult(name="integrity", score=1.0, weight=1, passed=True),
        ],
    )
    console = Console(width=160, record=True)
    console.print(run_panel(run))
    text = console.export_text()
    assert "0.99 / 1.00" in text and "9.97/10" in text
    assert "test *     1.00" not in text and "Total      1.00" not in text
    assert text.count("1.00 / 1.00") == 1  # only integrity's perfect score
